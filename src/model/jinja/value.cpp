#include "model/jinja/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "model/jinja/unicode.h"

namespace hw::jinja {

const Value* DictData::find(std::string_view key) const {
  for (const auto& [k, v] : items)
    if (k == key) return &v;
  return nullptr;
}

void DictData::set(const std::string& key, Value v) {
  for (auto& [k, old] : items) {
    if (k == key) {
      old = std::move(v);
      return;
    }
  }
  items.emplace_back(key, std::move(v));
}

Value Value::undefined(std::string message) {
  Value v;
  v.s_ = std::move(message);
  return v;
}

Value Value::none() {
  Value v;
  v.kind_ = Kind::None;
  return v;
}

Value Value::list(std::vector<Value> items, bool is_tuple) {
  Value v;
  v.kind_ = Kind::List;
  v.list_ = std::make_shared<ListData>(ListData{std::move(items), is_tuple, {}});
  return v;
}

Value Value::dict(std::vector<std::pair<std::string, Value>> items) {
  Value v;
  v.kind_ = Kind::Dict;
  v.dict_ = std::make_shared<DictData>();
  for (auto& [k, x] : items) v.dict_->set(k, std::move(x));
  return v;
}

Value Value::namespace_(std::vector<std::pair<std::string, Value>> items) {
  Value v = dict(std::move(items));
  v.dict_->is_namespace = true;
  return v;
}

Value Value::view(std::vector<Value> items, std::string view) {
  Value v = list(std::move(items));
  v.list_->view = std::move(view);
  return v;
}

Value Value::generator(std::function<std::vector<Value>()> produce) {
  Value v;
  v.kind_ = Kind::Generator;
  v.gen_ = std::make_shared<GeneratorData>();
  v.gen_->produce = std::move(produce);
  return v;
}

void GeneratorData::force() {
  if (!produce) return;
  auto fn = std::move(produce);
  produce = nullptr;
  items = fn();
}

Value Value::function(std::string name, Function fn) {
  Value v;
  v.kind_ = Kind::Function;
  v.fn_ = std::make_shared<const FunctionData>(FunctionData{std::move(name), std::move(fn)});
  return v;
}

namespace {

template <typename Json>
Value value_from_json(const Json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::none();
    case nlohmann::json::value_t::boolean:
      return Value(j.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(j.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.template get<uint64_t>();
      check(u <= uint64_t(INT64_MAX), "JSON integer " + std::to_string(u) + " does not fit in 64 bits");
      return Value(int64_t(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(j.template get<double>());
    case nlohmann::json::value_t::string:
      return Value(j.template get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      for (const auto& e : j) items.push_back(value_from_json(e));
      return Value::list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<std::string, Value>> items;
      for (const auto& [k, e] : j.items()) items.emplace_back(k, value_from_json(e));
      return Value::dict(std::move(items));
    }
    default:
      throw Error("JSON value of type " + std::string(j.type_name()) + " has no template equivalent");
  }
}

}  // namespace

Value Value::from_json(const nlohmann::ordered_json& j) { return value_from_json(j); }
Value Value::from_json(const nlohmann::json& j) { return value_from_json(j); }

bool Value::same_object(const Value& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::List:
      return list_ == o.list_;
    case Kind::Dict:
      return dict_ == o.dict_;
    case Kind::Generator:
      return gen_ == o.gen_;
    case Kind::Function:
      return fn_ == o.fn_;
    case Kind::None:
    case Kind::Undefined:
      return true;
    case Kind::Bool:
      return b_ == o.b_;
    default:
      return false;
  }
}

std::string type_name(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return "Undefined";
    case Value::Kind::None:
      return "NoneType";
    case Value::Kind::Bool:
      return "bool";
    case Value::Kind::Int:
      return "int";
    case Value::Kind::Float:
      return "float";
    case Value::Kind::String:
      return "str";
    case Value::Kind::List: {
      const std::string& view = v.list_data().view;
      if (!view.empty()) return view.rfind("range(", 0) == 0 ? "range" : view;
      return v.list_data().is_tuple ? "tuple" : "list";
    }
    case Value::Kind::Dict:
      return v.dict_data().is_namespace ? "Namespace" : "dict";
    case Value::Kind::Generator:
      return "generator";
    case Value::Kind::Function:
      return "function";
  }
  return "?";
}

void fail_undefined(const Value& v) { throw Error(v.str().empty() ? "value is undefined" : v.str()); }

bool truthy(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None:
      return false;
    case Value::Kind::Bool:
      return v.boolean();
    case Value::Kind::Int:
      return v.integer() != 0;
    case Value::Kind::Float:
      return v.number() != 0.0;
    case Value::Kind::String:
      return !v.str().empty();
    case Value::Kind::List:
      return !v.items().empty();
    case Value::Kind::Dict:
      return v.dict_data().is_namespace || !v.dict_data().items.empty();
    case Value::Kind::Generator:
    case Value::Kind::Function:
      return true;
  }
  return false;
}

std::string format_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  size_t e = s.find('e');
  int exp = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  if (exp < -4 || exp >= 16) {
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + eb;
  }
  if (exp < 0) return sign + "0." + std::string(size_t(-exp - 1), '0') + digits;
  if (digits.size() <= size_t(exp) + 1) return sign + digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
  return sign + digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
}

namespace {

[[noreturn]] void fail_unprintable(const Value& v) {
  throw Error("cannot convert a " + type_name(v) + " to text (Python would print its address)" +
              (v.kind() == Value::Kind::Generator ? "; add |list" : ""));
}

}  // namespace

std::string to_str(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return "";
    case Value::Kind::String:
      return v.str();
    default:
      return repr(v);
  }
}

std::string repr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return "Undefined";
    case Value::Kind::None:
      return "None";
    case Value::Kind::Bool:
      return v.boolean() ? "True" : "False";
    case Value::Kind::Int:
      return std::to_string(v.integer());
    case Value::Kind::Float:
      return format_float(v.number());
    case Value::Kind::String:
      return uni::repr(v.str());
    case Value::Kind::List: {
      const std::string& view = v.list_data().view;
      if (view.rfind("range(", 0) == 0) return view;
      if (!view.empty()) return view + "(" + repr(Value::list(v.items())) + ")";
      bool tuple = v.list_data().is_tuple;
      std::string out = tuple ? "(" : "[";
      for (size_t i = 0; i < v.items().size(); ++i) out += (i ? ", " : "") + repr(v.items()[i]);
      if (tuple && v.items().size() == 1) out += ",";
      return out + (tuple ? ")" : "]");
    }
    case Value::Kind::Dict: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.dict_data().items) {
        out += (first ? "" : ", ") + uni::repr(k) + ": " + repr(x);
        first = false;
      }
      out += "}";
      return v.dict_data().is_namespace ? "<Namespace " + out + ">" : out;
    }
    case Value::Kind::Generator:
    case Value::Kind::Function:
      fail_unprintable(v);
  }
  return "";
}

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float) return a.number() == b.number();
    return a.integer() == b.integer();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None:
      return true;
    case Value::Kind::String:
      return a.str() == b.str();
    case Value::Kind::List: {
      if (a.list_data().is_tuple != b.list_data().is_tuple || a.list_data().view != b.list_data().view ||
          a.items().size() != b.items().size())
        return false;
      for (size_t i = 0; i < a.items().size(); ++i)
        if (!equals(a.items()[i], b.items()[i])) return false;
      return true;
    }
    case Value::Kind::Dict: {
      const DictData &x = a.dict_data(), &y = b.dict_data();
      if (x.is_namespace || y.is_namespace) return a.same_object(b);
      if (x.items.size() != y.items.size()) return false;
      for (const auto& [k, v] : x.items) {
        const Value* o = y.find(k);
        if (!o || !equals(v, *o)) return false;
      }
      return true;
    }
    default:
      return a.same_object(b);
  }
}

int compare(const Value& a, const Value& b) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float)
      return a.number() < b.number() ? -1 : a.number() > b.number() ? 1 : 0;
    return a.integer() < b.integer() ? -1 : a.integer() > b.integer() ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) return a.str() < b.str() ? -1 : a.str() > b.str() ? 1 : 0;
  if (a.is_list() && b.is_list() && a.list_data().is_tuple == b.list_data().is_tuple && a.list_data().view.empty() &&
      b.list_data().view.empty()) {
    const auto &x = a.items(), &y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!equals(x[i], y[i])) return compare(x[i], y[i]);
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  throw Error("'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::Undefined:
      return false;
    case Value::Kind::String:
      if (!item.is_string()) throw Error("'in <string>' requires string as left operand, not " + type_name(item));
      return container.str().find(item.str()) != std::string::npos;
    case Value::Kind::List:
      for (const Value& x : container.items())
        if (equals(x, item)) return true;
      return false;
    case Value::Kind::Dict:
      if (container.dict_data().is_namespace) break;
      if (item.is_list() || item.is_dict()) throw Error("unhashable type: '" + type_name(item) + "'");
      return item.is_string() && container.dict_data().find(item.str()) != nullptr;
    case Value::Kind::Generator: {
      GeneratorData& g = container.generator_data();
      g.force();
      while (g.pos < g.items.size())
        if (equals(g.items[g.pos++], item)) return true;
      return false;
    }
    default:
      break;
  }
  throw Error("argument of type '" + type_name(container) + "' is not iterable");
}

int64_t length(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return 0;
    case Value::Kind::String:
      return int64_t(uni::length(v.str()));
    case Value::Kind::List:
      return int64_t(v.items().size());
    case Value::Kind::Dict:
      if (!v.dict_data().is_namespace) return int64_t(v.dict_data().items.size());
      break;
    default:
      break;
  }
  throw Error("object of type '" + type_name(v) + "' has no len()");
}

std::vector<Value> iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined:
      return {};
    case Value::Kind::String: {
      std::vector<Value> out;
      for (char32_t c : uni::decode(v.str())) {
        std::string s;
        uni::append_utf8(s, c);
        out.emplace_back(std::move(s));
      }
      return out;
    }
    case Value::Kind::List:
      return v.items();
    case Value::Kind::Dict: {
      if (v.dict_data().is_namespace) break;
      std::vector<Value> out;
      for (const auto& [k, x] : v.dict_data().items) out.emplace_back(k);
      return out;
    }
    case Value::Kind::Generator: {
      GeneratorData& g = v.generator_data();
      g.force();
      std::vector<Value> out(g.items.begin() + long(g.pos), g.items.end());
      g.pos = g.items.size();
      return out;
    }
    default:
      break;
  }
  throw Error("'" + type_name(v) + "' object is not iterable");
}

namespace {

void json_string(std::string& out, std::string_view s, bool ensure_ascii) {
  out += '"';
  for (char32_t c : uni::decode(s)) {
    char buf[16];
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (c < 0x20 || (ensure_ascii && c >= 0x7F && !(c >= 0xDC80 && c <= 0xDCFF))) {
      if (c >= 0x10000) {
        char32_t v = c - 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", unsigned(0xD800 + (v >> 10)), unsigned(0xDC00 + (v & 0x3FF)));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
      }
      out += buf;
    } else {
      uni::append_utf8(out, c);
    }
  }
  out += '"';
}

void json_value(std::string& out, const Value& v, const JsonOptions& opt, int level) {
  auto newline = [&](int lvl) {
    out += '\n';
    for (int i = 0; i < lvl; ++i) out += opt.indent;
  };
  switch (v.kind()) {
    case Value::Kind::None:
      out += "null";
      return;
    case Value::Kind::Bool:
      out += v.boolean() ? "true" : "false";
      return;
    case Value::Kind::Int:
      out += std::to_string(v.integer());
      return;
    case Value::Kind::Float: {
      double d = v.number();
      out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d < 0 ? "-Infinity" : "Infinity") : format_float(d);
      return;
    }
    case Value::Kind::String:
      json_string(out, v.str(), opt.ensure_ascii);
      return;
    case Value::Kind::List: {
      if (!v.list_data().view.empty()) break;
      if (v.items().empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) out += opt.item_sep;
        if (opt.has_indent) newline(level + 1);
        json_value(out, v.items()[i], opt, level + 1);
      }
      if (opt.has_indent) newline(level);
      out += ']';
      return;
    }
    case Value::Kind::Dict: {
      if (v.dict_data().is_namespace) break;
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& e : v.dict_data().items) entries.push_back(&e);
      if (opt.sort_keys)
        std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
      if (entries.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) out += opt.item_sep;
        if (opt.has_indent) newline(level + 1);
        json_string(out, entries[i]->first, opt.ensure_ascii);
        out += opt.key_sep;
        json_value(out, entries[i]->second, opt, level + 1);
      }
      if (opt.has_indent) newline(level);
      out += '}';
      return;
    }
    default:
      break;
  }
  throw Error("Object of type " + type_name(v) + " is not JSON serializable");
}

}  // namespace

std::string to_json(const Value& v, const JsonOptions& opt) {
  std::string out;
  json_value(out, v, opt, 0);
  return out;
}

}  // namespace hw::jinja
