// hardwire jinja: the run-time value, modelled on the Python objects jinja2 hands around.
// Lists and dicts are shared (Python reference semantics); the only mutation a template can make is
// assigning a namespace attribute, as in jinja2's ImmutableSandboxedEnvironment. Undefined carries the
// message jinja2 would raise when it is used in a way that fails (attribute access, arithmetic, calls).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hw::jinja {

class Value;

// Arguments of a call, a filter or a test, after the subject.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};
using Function = std::function<Value(CallArgs&)>;

struct ListData {
  std::vector<Value> items;
  bool is_tuple = false;
  // Non-empty for the list-like Python objects that print differently and are not JSON:
  // "range(0, 3)" (the whole repr), "dict_keys", "dict_values" or "dict_items".
  std::string view;
};

// An insertion-ordered str-keyed mapping (chat template data never uses other key types).
struct DictData {
  std::vector<std::pair<std::string, Value>> items;
  bool is_namespace = false;  // jinja2's namespace(): attributes assignable with {% set ns.x = … %}
  const Value* find(std::string_view key) const;
  void set(const std::string& key, Value v);
};

// A one-shot iterator, as returned by jinja2's map/select/reject/selectattr/…: truthy even when
// empty, without a length, consumed by iteration. Like a Python generator it runs (and fails) only
// when first consumed.
struct GeneratorData {
  std::function<std::vector<Value>()> produce;
  std::vector<Value> items;
  size_t pos = 0;
  void force();  // runs produce once
};

struct FunctionData {
  std::string name;
  Function fn;
};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Generator, Function };

  Value() = default;  // undefined, with the generic message
  Value(bool b) : kind_(Kind::Bool), b_(b) {}
  Value(int v) : kind_(Kind::Int), i_(v) {}
  Value(int64_t v) : kind_(Kind::Int), i_(v) {}
  Value(double v) : kind_(Kind::Float), f_(v) {}
  Value(std::string s) : kind_(Kind::String), s_(std::move(s)) {}
  Value(std::string_view s) : kind_(Kind::String), s_(s) {}
  Value(const char* s) : kind_(Kind::String), s_(s) {}

  static Value undefined(std::string message);  // message: what jinja2 would raise on misuse
  static Value none();
  static Value list(std::vector<Value> items, bool is_tuple = false);
  static Value dict(std::vector<std::pair<std::string, Value>> items = {});
  static Value namespace_(std::vector<std::pair<std::string, Value>> items);
  static Value view(std::vector<Value> items, std::string view);  // see ListData::view
  static Value generator(std::function<std::vector<Value>()> produce);
  static Value function(std::string name, Function fn);
  // JSON null/bool/number/string/array/object become None/bool/int or float/str/list/dict.
  // ordered_json keeps the document's key order, as Python's json.loads does.
  static Value from_json(const nlohmann::ordered_json& j);
  static Value from_json(const nlohmann::json& j);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_int() const { return kind_ == Kind::Int || kind_ == Kind::Bool; }  // Python: bool is an int
  bool is_number() const { return is_int() || kind_ == Kind::Float; }
  bool is_list() const { return kind_ == Kind::List; }  // list or tuple
  bool is_dict() const { return kind_ == Kind::Dict; }

  bool boolean() const { return b_; }
  int64_t integer() const { return kind_ == Kind::Bool ? int64_t(b_) : i_; }
  double number() const { return kind_ == Kind::Float ? f_ : double(integer()); }
  const std::string& str() const { return s_; }  // String; for Undefined, its message
  ListData& list_data() const { return *list_; }
  const std::vector<Value>& items() const { return list_->items; }
  DictData& dict_data() const { return *dict_; }
  GeneratorData& generator_data() const { return *gen_; }
  const FunctionData& function_data() const { return *fn_; }
  bool same_object(const Value& o) const;  // Python `is` for shared objects

 private:
  Kind kind_ = Kind::Undefined;
  bool b_ = false;
  int64_t i_ = 0;
  double f_ = 0;
  std::string s_;
  std::shared_ptr<ListData> list_;
  std::shared_ptr<DictData> dict_;
  std::shared_ptr<GeneratorData> gen_;
  std::shared_ptr<const FunctionData> fn_;
};

// Python's type name, for messages: 'str', 'int', 'list', 'dict', 'NoneType', …
std::string type_name(const Value& v);
// Throws jinja2's UndefinedError for an undefined value.
[[noreturn]] void fail_undefined(const Value& v);

bool truthy(const Value& v);                               // Python bool()
std::string to_str(const Value& v);                        // Python str(); undefined is ""
std::string repr(const Value& v);                          // Python repr()
std::string format_float(double d);                        // Python repr(float)
bool equals(const Value& a, const Value& b);               // Python ==
int compare(const Value& a, const Value& b);               // Python <, as -1/0/1; throws TypeError's message
bool contains(const Value& container, const Value& item);  // Python `item in container`
int64_t length(const Value& v);                            // Python len()
// Every item of an iterable, as a Python for loop sees them (dict: keys; str: characters);
// consumes a generator; undefined is empty.
std::vector<Value> iterate(const Value& v);

struct JsonOptions {
  bool ensure_ascii = false;
  bool sort_keys = false;
  bool has_indent = false;
  std::string indent;                           // used when has_indent
  std::string item_sep = ", ", key_sep = ": ";  // item_sep becomes "," when indented
};
std::string to_json(const Value& v, const JsonOptions& opt);  // Python json.dumps

}  // namespace hw::jinja
