// The built-in filters and tests: jinja2 3.1's, with transformers' tojson.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "model/jinja/builtins.h"
#include "model/jinja/unicode.h"

namespace hw::jinja {
namespace {

// ---- helpers ----

int64_t to_int_arg(const Value& v, const char* what) {
  if (!v.is_int()) throw Error(std::string(what) + " expects an integer, got " + type_name(v));
  return v.integer();
}

// jinja2's attribute getter for map/selectattr/sort/…: dotted path, integer parts index.
Value attr_path(const Value& item, const std::string& path) {
  Value v = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    int64_t index = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    bool is_index = !part.empty() && part[0] != '-' && ec == std::errc() && end == part.data() + part.size();
    v = get_item(v, is_index ? Value(index) : Value(part));
    if (dot == std::string::npos) return v;
    start = dot + 1;
  }
}

// Rest of the arguments after the first `skip` positionals, for forwarding to a test or filter.
CallArgs rest(const CallArgs& a, size_t skip) {
  CallArgs r;
  for (size_t i = skip; i < a.positional.size(); ++i) r.positional.push_back(a.positional[i]);
  r.keyword = a.keyword;
  return r;
}

// Python int(str, 10): optional sign, digits with single underscores, surrounding whitespace.
bool parse_py_int(const std::string& s, int64_t* out) {
  std::string t = uni::strip(s, true, true), digits;
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  for (; i < t.size(); ++i) {
    if (t[i] >= '0' && t[i] <= '9')
      digits += t[i];
    else if (t[i] == '_' && !digits.empty() && i + 1 < t.size() && t[i + 1] != '_')
      continue;
    else
      return false;
  }
  if (digits.empty()) return false;
  errno = 0;
  long long v = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) throw Error("integer value " + s + " does not fit in 64 bits");
  *out = neg ? -v : v;
  return true;
}

// Python float(str).
bool parse_py_float(const std::string& s, double* out) {
  std::string t = uni::strip(s, true, true);
  if (t.empty()) return false;
  std::string lower = uni::lower(t);
  for (char c : lower)
    if (c == 'x' || c == 'p') return false;  // strtod would accept C99 hex floats
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

// ---- filters ----

Value f_abs(const Value& v, CallArgs& a) {
  ArgBinder b(a, "abs", {});
  if (v.is_int()) return v.integer() < 0 ? negate(v) : Value(v.integer());
  if (v.is_number()) return Value(std::fabs(v.number()));
  throw Error("bad operand type for abs(): '" + type_name(v) + "'");
}

Value f_capitalize(const Value& v, CallArgs& a) {
  ArgBinder b(a, "capitalize", {});
  return Value(uni::capitalize(to_str(v)));
}

Value f_title(const Value& v, CallArgs& a) {
  ArgBinder b(a, "title", {});
  return Value(uni::title_filter(to_str(v)));
}

Value f_upper(const Value& v, CallArgs& a) {
  ArgBinder b(a, "upper", {});
  return Value(uni::upper(to_str(v)));
}

Value f_lower(const Value& v, CallArgs& a) {
  ArgBinder b(a, "lower", {});
  return Value(uni::lower(to_str(v)));
}

Value f_trim(const Value& v, CallArgs& a) {
  ArgBinder b(a, "trim", {"chars"});
  const Value* chars = b.get(0);
  if (!chars || chars->is_none()) return Value(uni::strip(to_str(v), true, true));
  if (!chars->is_string()) throw Error("trim chars must be a str");
  return Value(uni::strip_chars(to_str(v), chars->str(), true, true));
}

Value f_length(const Value& v, CallArgs& a) {
  ArgBinder b(a, "length", {});
  return Value(length(v));
}

Value f_string(const Value& v, CallArgs& a) {
  ArgBinder b(a, "string", {});
  return Value(to_str(v));
}

Value f_safe(const Value& v, CallArgs& a) {
  ArgBinder b(a, "safe", {});
  return v.is_string() ? v : Value(to_str(v));  // Markup(str(v)); autoescape is off, so just text
}

Value f_default(const Value& v, CallArgs& a) {
  ArgBinder b(a, "default", {"default_value", "boolean"});
  bool boolean = b.get(1) && truthy(*b.get(1));
  if (v.is_undefined() || (boolean && !truthy(v))) return b.get_or(0, Value(""));
  return v;
}

Value f_int(const Value& v, CallArgs& a) {
  ArgBinder b(a, "int", {"default", "base"});
  Value def = b.get_or(0, Value(0));
  if (b.get(1) && !(b.get(1)->is_int() && b.get(1)->integer() == 10))
    throw Error("int filter: only base 10 is supported");
  if (v.is_undefined()) fail_undefined(v);  // int(Undefined) raises in jinja2
  if (v.is_int()) return Value(v.integer());
  if (v.kind() == Value::Kind::Float) {
    double d = std::trunc(v.number());
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return def;
    return Value(int64_t(d));
  }
  if (v.is_string()) {
    int64_t i;
    if (parse_py_int(v.str(), &i)) return Value(i);
    double d;
    if (parse_py_float(v.str(), &d) && std::isfinite(d) && std::fabs(d) < 9.2e18) return Value(int64_t(std::trunc(d)));
  }
  return def;
}

Value f_float(const Value& v, CallArgs& a) {
  ArgBinder b(a, "float", {"default"});
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_number()) return Value(v.number());
  double d;
  if (v.is_string() && parse_py_float(v.str(), &d)) return Value(d);
  return b.get_or(0, Value(0.0));
}

Value f_round(const Value& v, CallArgs& a) {
  ArgBinder b(a, "round", {"precision", "method"});
  int64_t precision = b.get(0) ? to_int_arg(*b.get(0), "round") : 0;
  std::string method = b.get(1) ? to_str(*b.get(1)) : "common";
  if (!v.is_number()) throw Error("round expects a number, got " + type_name(v));
  double x = v.number();
  if (method == "common") {
    if (!std::isfinite(x)) return Value(x);
    if (precision < 0 || precision > 300) throw Error("round: precision out of the supported range 0..300");
    if (v.is_int()) return Value(v.integer());  // Python's round(int, n) stays an int
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", int(precision), x);  // correctly rounded, ties to even, as Python
    return Value(std::strtod(buf, nullptr));
  }
  double scale = std::pow(10.0, double(precision));
  if (method == "ceil") return Value(std::ceil(x * scale) / scale);
  if (method == "floor") return Value(std::floor(x * scale) / scale);
  throw Error("method must be common, ceil or floor");
}

Value f_first(const Value& v, CallArgs& a) {
  ArgBinder b(a, "first", {});
  if (v.kind() == Value::Kind::Generator) {
    GeneratorData& g = v.generator_data();
    g.force();
    if (g.pos < g.items.size()) return g.items[g.pos++];
  } else {
    std::vector<Value> items = iterate(v);
    if (!items.empty()) return items.front();
  }
  return Value::undefined("No first item, sequence was empty.");
}

Value f_last(const Value& v, CallArgs& a) {
  ArgBinder b(a, "last", {});
  if (v.kind() == Value::Kind::Generator) throw Error("'generator' object is not reversible");
  std::vector<Value> items = iterate(v);
  if (!items.empty()) return items.back();
  return Value::undefined("No last item, sequence was empty.");
}

Value f_list(const Value& v, CallArgs& a) {
  ArgBinder b(a, "list", {});
  return Value::list(iterate(v));
}

Value f_items(const Value& v, CallArgs& a) {
  return Value::generator([v, a]() mutable {
    ArgBinder b(a, "items", {});
    std::vector<Value> out;
    if (v.is_undefined()) return out;
    if (!v.is_dict() || v.dict_data().is_namespace) throw Error("Can only get item pairs from a mapping.");
    for (const auto& [k, x] : v.dict_data().items) out.push_back(Value::list({Value(k), x}, true));
    return out;
  });
}

Value f_join(const Value& v, CallArgs& a) {
  ArgBinder b(a, "join", {"d", "attribute"});
  std::string sep = b.get(0) ? to_str(*b.get(0)) : "";
  std::string out;
  bool first = true;
  for (const Value& x : iterate(v)) {
    if (!first) out += sep;
    out += to_str(b.get(1) && !b.get(1)->is_none() ? attr_path(x, to_str(*b.get(1))) : x);
    first = false;
  }
  return Value(out);
}

Value f_replace(const Value& v, CallArgs& a) {
  ArgBinder b(a, "replace", {"old", "new", "count"});
  if (!b.get(0) || !b.get(1)) throw Error("replace needs old and new");
  std::string s = to_str(v), from = to_str(*b.get(0)), to = to_str(*b.get(1));
  int64_t count = b.get(2) && !b.get(2)->is_none() ? to_int_arg(*b.get(2), "replace") : -1;
  if (from.empty()) throw Error("replace with an empty 'old' is not supported");
  std::string out;
  size_t start = 0;
  for (size_t p; count != 0 && (p = s.find(from, start)) != std::string::npos; start = p + from.size(), --count)
    out += s.substr(start, p - start) + to;
  return Value(out + s.substr(start));
}

Value f_indent(const Value& v, CallArgs& a) {
  ArgBinder b(a, "indent", {"width", "first", "blank"});
  std::string ind = "    ";
  if (const Value* w = b.get(0))
    ind = w->is_string() ? w->str() : std::string(size_t(std::max<int64_t>(0, to_int_arg(*w, "indent"))), ' ');
  bool first = b.get(1) && truthy(*b.get(1)), blank = b.get(2) && truthy(*b.get(2));
  if (v.is_undefined()) fail_undefined(v);
  if (!v.is_string()) throw Error("unsupported operand type(s) for +=: '" + type_name(v) + "' and 'str'");
  std::vector<std::string> lines = uni::splitlines(v.str() + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n";
    if (i > 0 && (blank || !lines[i].empty())) out += ind;
    out += lines[i];
  }
  return Value(first ? ind + out : out);
}

Value f_tojson(const Value& v, CallArgs& a) {
  ArgBinder b(a, "tojson", {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonOptions opt;
  opt.ensure_ascii = b.get(0) && truthy(*b.get(0));
  opt.sort_keys = b.get(3) && truthy(*b.get(3));
  if (const Value* ind = b.get(1); ind && !ind->is_none()) {
    opt.has_indent = true;
    opt.indent = ind->is_string() ? ind->str()
                                  : std::string(size_t(std::max<int64_t>(0, to_int_arg(*ind, "tojson indent"))), ' ');
    opt.item_sep = ",";
  }
  if (const Value* sep = b.get(2); sep && !sep->is_none()) {
    if (!sep->is_list() || sep->items().size() != 2 || !sep->items()[0].is_string() || !sep->items()[1].is_string())
      throw Error("tojson separators must be a pair of strings");
    opt.item_sep = sep->items()[0].str();
    opt.key_sep = sep->items()[1].str();
  }
  return Value(to_json(v, opt));
}

std::vector<Value> map_items(const Value& v, CallArgs& a) {
  std::vector<Value> out;
  if (!truthy(v)) return out;  // jinja2: `if value:` before iterating
  if (a.positional.empty()) {
    ArgBinder b(a, "map", {"attribute", "default"});
    if (!b.get(0)) throw Error("map needs a filter name or attribute=");
    std::string attr = to_str(*b.get(0));
    for (const Value& x : iterate(v)) {
      Value y = attr_path(x, attr);
      out.push_back(y.is_undefined() && b.get(1) ? *b.get(1) : y);
    }
    return out;
  }
  std::string name = to_str(a.positional[0]);
  FilterFn f = find_filter(name);
  if (!f) throw Error("unsupported filter '" + name + "'");
  for (const Value& x : iterate(v)) {
    CallArgs r = rest(a, 1);
    out.push_back(f(x, r));
  }
  return out;
}

Value f_map(const Value& v, CallArgs& a) {
  return Value::generator([v, a]() mutable { return map_items(v, a); });
}

// select / reject / selectattr / rejectattr.
std::vector<Value> select_items(const Value& v, CallArgs& a, bool by_attr, bool keep) {
  if (!truthy(v)) return {};  // jinja2: `if value:` before iterating
  std::string attr;
  size_t skip = 0;
  if (by_attr) {
    if (a.positional.empty()) throw Error("selectattr/rejectattr need an attribute");
    attr = to_str(a.positional[0]);
    skip = 1;
  }
  TestFn test = nullptr;
  if (a.positional.size() > skip) {
    std::string name = to_str(a.positional[skip]);
    test = find_test(name);
    if (!test) throw Error("unsupported test '" + name + "'");
    ++skip;
  }
  std::vector<Value> out;
  for (const Value& x : iterate(v)) {
    Value subject = by_attr ? attr_path(x, attr) : x;
    CallArgs r = rest(a, skip);
    bool hit = test ? test(subject, r) : truthy(subject);
    if (hit == keep) out.push_back(x);
  }
  return out;
}

Value select_impl(const Value& v, CallArgs& a, bool by_attr, bool keep) {
  return Value::generator([v, a, by_attr, keep]() mutable { return select_items(v, a, by_attr, keep); });
}

Value f_select(const Value& v, CallArgs& a) { return select_impl(v, a, false, true); }
Value f_reject(const Value& v, CallArgs& a) { return select_impl(v, a, false, false); }
Value f_selectattr(const Value& v, CallArgs& a) { return select_impl(v, a, true, true); }
Value f_rejectattr(const Value& v, CallArgs& a) { return select_impl(v, a, true, false); }

// Sort key as jinja2 makes it: optional attribute, lower-cased strings unless case_sensitive.
Value sort_key(const Value& x, const Value* attribute, bool case_sensitive) {
  Value k = attribute && !attribute->is_none() ? attr_path(x, to_str(*attribute)) : x;
  return k.is_string() && !case_sensitive ? Value(uni::lower(k.str())) : k;
}

Value f_sort(const Value& v, CallArgs& a) {
  ArgBinder b(a, "sort", {"reverse", "case_sensitive", "attribute"});
  bool reverse = b.get(0) && truthy(*b.get(0)), cs = b.get(1) && truthy(*b.get(1));
  std::vector<Value> items = iterate(v);
  std::vector<std::pair<Value, Value>> keyed;
  for (Value& x : items) keyed.emplace_back(sort_key(x, b.get(2), cs), x);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& p, const auto& q) {
    return reverse ? compare(q.first, p.first) < 0 : compare(p.first, q.first) < 0;
  });
  std::vector<Value> out;
  for (auto& [k, x] : keyed) out.push_back(x);
  return Value::list(std::move(out));
}

Value f_unique(const Value& v, CallArgs& a) {
  return Value::generator([v, a]() mutable {
    ArgBinder b(a, "unique", {"case_sensitive", "attribute"});
    bool cs = b.get(0) && truthy(*b.get(0));
    std::vector<Value> seen, out;
    for (const Value& x : iterate(v)) {
      Value k = sort_key(x, b.get(1), cs);
      if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, k); })) {
        seen.push_back(k);
        out.push_back(x);
      }
    }
    return out;
  });
}

Value f_reverse(const Value& v, CallArgs& a) {
  ArgBinder b(a, "reverse", {});
  if (v.is_string()) {
    std::u32string u = uni::decode(v.str());
    std::reverse(u.begin(), u.end());
    return Value(uni::encode(u));
  }
  // reversed() of a sequence is a lazy iterator; a generator is read into a list first.
  std::vector<Value> items = iterate(v);
  std::reverse(items.begin(), items.end());
  if (v.kind() == Value::Kind::Generator) return Value::list(std::move(items));
  return Value::generator([items]() { return items; });
}

Value f_sum(const Value& v, CallArgs& a) {
  ArgBinder b(a, "sum", {"attribute", "start"});
  Value total = b.get_or(1, Value(0));
  for (const Value& x : iterate(v)) total = binary_op("+", total, b.get(0) ? attr_path(x, to_str(*b.get(0))) : x);
  return total;
}

Value min_max(const Value& v, CallArgs& a, bool want_max) {
  ArgBinder b(a, want_max ? "max" : "min", {"case_sensitive", "attribute"});
  bool cs = b.get(0) && truthy(*b.get(0));
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    int c = compare(sort_key(items[i], b.get(1), cs), sort_key(items[best], b.get(1), cs));
    if (want_max ? c > 0 : c < 0) best = i;
  }
  return items[best];
}

Value f_min(const Value& v, CallArgs& a) { return min_max(v, a, false); }
Value f_max(const Value& v, CallArgs& a) { return min_max(v, a, true); }

// ---- tests ----

void no_args(CallArgs& a, std::string_view what) { ArgBinder b(a, what, {}); }

bool t_defined(const Value& v, CallArgs& a) {
  no_args(a, "defined");
  return !v.is_undefined();
}
bool t_undefined(const Value& v, CallArgs& a) {
  no_args(a, "undefined");
  return v.is_undefined();
}
bool t_none(const Value& v, CallArgs& a) {
  no_args(a, "none");
  return v.is_none();
}
bool t_boolean(const Value& v, CallArgs& a) {
  no_args(a, "boolean");
  return v.kind() == Value::Kind::Bool;
}
bool t_true(const Value& v, CallArgs& a) {
  no_args(a, "true");
  return v.kind() == Value::Kind::Bool && v.boolean();
}
bool t_false(const Value& v, CallArgs& a) {
  no_args(a, "false");
  return v.kind() == Value::Kind::Bool && !v.boolean();
}
bool t_integer(const Value& v, CallArgs& a) {
  no_args(a, "integer");
  return v.kind() == Value::Kind::Int;
}
bool t_float(const Value& v, CallArgs& a) {
  no_args(a, "float");
  return v.kind() == Value::Kind::Float;
}
bool t_number(const Value& v, CallArgs& a) {
  no_args(a, "number");
  return v.is_number();
}
bool t_string(const Value& v, CallArgs& a) {
  no_args(a, "string");
  return v.is_string();
}
bool t_callable(const Value& v, CallArgs& a) {
  no_args(a, "callable");
  return v.kind() == Value::Kind::Function || v.is_undefined();  // Undefined defines __call__
}

bool t_mapping(const Value& v, CallArgs& a) {
  ArgBinder b(a, "mapping", {});
  return v.is_dict() && !v.dict_data().is_namespace;
}

bool t_iterable(const Value& v, CallArgs& a) {
  ArgBinder b(a, "iterable", {});
  return v.is_undefined() || v.is_string() || v.is_list() || v.kind() == Value::Kind::Generator ||
         (v.is_dict() && !v.dict_data().is_namespace);
}

bool t_sequence(const Value& v, CallArgs& a) {
  ArgBinder b(a, "sequence", {});
  bool list_like = v.is_list() && v.list_data().view.rfind("dict_", 0) != 0;  // dict views have no []
  return v.is_undefined() || v.is_string() || list_like || (v.is_dict() && !v.dict_data().is_namespace);
}

bool t_odd_even(const Value& v, CallArgs& a, bool odd, const char* what) {
  ArgBinder b(a, what, {});
  return equals(binary_op("%", v, Value(2)), Value(odd ? 1 : 0));
}
bool t_odd(const Value& v, CallArgs& a) { return t_odd_even(v, a, true, "odd"); }
bool t_even(const Value& v, CallArgs& a) { return t_odd_even(v, a, false, "even"); }

bool t_divisibleby(const Value& v, CallArgs& a) {
  ArgBinder b(a, "divisibleby", {"num"});
  if (!b.get(0)) throw Error("divisibleby needs a number");
  return !truthy(binary_op("%", v, *b.get(0)));
}

bool t_in(const Value& v, CallArgs& a) {
  ArgBinder b(a, "in", {"seq"});
  if (!b.get(0)) throw Error("in needs a sequence");
  return contains(*b.get(0), v);
}

bool t_sameas(const Value& v, CallArgs& a) {
  ArgBinder b(a, "sameas", {"other"});
  if (!b.get(0)) throw Error("sameas needs a value");
  const Value& o = *b.get(0);
  if (v.kind() != o.kind()) return false;
  if (v.is_list() || v.is_dict() || v.kind() == Value::Kind::Generator || v.kind() == Value::Kind::Function)
    return v.same_object(o);
  return equals(v, o);
}

bool t_lower(const Value& v, CallArgs& a) {
  ArgBinder b(a, "lower", {});
  std::string s = to_str(v);
  return uni::lower(s) == s && uni::upper(s) != s;
}

bool t_upper(const Value& v, CallArgs& a) {
  ArgBinder b(a, "upper", {});
  std::string s = to_str(v);
  return uni::upper(s) == s && uni::lower(s) != s;
}

// Comparison tests: eq/equalto/==, ne/!=, lt/lessthan/<, le/<=, gt/greaterthan/>, ge/>=.
template <int kOp>
bool t_compare(const Value& v, CallArgs& a) {
  ArgBinder b(a, "comparison test", {"other"});
  if (!b.get(0)) throw Error("comparison test needs a value");
  const Value& o = *b.get(0);
  switch (kOp) {
    case 0:
      return equals(v, o);
    case 1:
      return !equals(v, o);
    case 2:
      return compare(v, o) < 0;
    case 3:
      return compare(v, o) <= 0;
    case 4:
      return compare(v, o) > 0;
    default:
      return compare(v, o) >= 0;
  }
}

struct FilterEntry {
  std::string_view name;
  FilterFn fn;
};
constexpr FilterEntry kFilters[] = {
    {"abs", f_abs},         {"capitalize", f_capitalize},
    {"count", f_length},    {"d", f_default},
    {"default", f_default}, {"first", f_first},
    {"float", f_float},     {"indent", f_indent},
    {"int", f_int},         {"items", f_items},
    {"join", f_join},       {"last", f_last},
    {"length", f_length},   {"list", f_list},
    {"lower", f_lower},     {"map", f_map},
    {"max", f_max},         {"min", f_min},
    {"reject", f_reject},   {"rejectattr", f_rejectattr},
    {"replace", f_replace}, {"reverse", f_reverse},
    {"round", f_round},     {"safe", f_safe},
    {"select", f_select},   {"selectattr", f_selectattr},
    {"sort", f_sort},       {"string", f_string},
    {"sum", f_sum},         {"title", f_title},
    {"tojson", f_tojson},   {"trim", f_trim},
    {"unique", f_unique},   {"upper", f_upper},
};

struct TestEntry {
  std::string_view name;
  TestFn fn;
};
constexpr TestEntry kTests[] = {
    {"boolean", t_boolean},
    {"callable", t_callable},
    {"defined", t_defined},
    {"divisibleby", t_divisibleby},
    {"eq", t_compare<0>},
    {"equalto", t_compare<0>},
    {"==", t_compare<0>},
    {"ne", t_compare<1>},
    {"!=", t_compare<1>},
    {"lt", t_compare<2>},
    {"lessthan", t_compare<2>},
    {"<", t_compare<2>},
    {"le", t_compare<3>},
    {"<=", t_compare<3>},
    {"gt", t_compare<4>},
    {"greaterthan", t_compare<4>},
    {">", t_compare<4>},
    {"ge", t_compare<5>},
    {">=", t_compare<5>},
    {"even", t_even},
    {"false", t_false},
    {"float", t_float},
    {"in", t_in},
    {"integer", t_integer},
    {"iterable", t_iterable},
    {"lower", t_lower},
    {"mapping", t_mapping},
    {"none", t_none},
    {"number", t_number},
    {"odd", t_odd},
    {"sameas", t_sameas},
    {"sequence", t_sequence},
    {"string", t_string},
    {"true", t_true},
    {"undefined", t_undefined},
    {"upper", t_upper},
};

}  // namespace

FilterFn find_filter(std::string_view name) {
  for (const FilterEntry& e : kFilters)
    if (e.name == name) return e.fn;
  return nullptr;
}

TestFn find_test(std::string_view name) {
  for (const TestEntry& e : kTests)
    if (e.name == name) return e.fn;
  return nullptr;
}

}  // namespace hw::jinja
