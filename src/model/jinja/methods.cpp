// Attribute and item access, the Python str/dict methods templates call, operators and globals.
#include <algorithm>
#include <cmath>
#include <ctime>

#include "model/jinja/builtins.h"
#include "model/jinja/unicode.h"

namespace hw::jinja {
namespace {

std::string owner(const Value& v) { return "'" + type_name(v) + " object'"; }

Value no_attribute(const Value& obj, const std::string& name) {
  return Value::undefined(owner(obj) + " has no attribute '" + name + "'");
}

// Every method of Python's str, so that one not implemented here is an error instead of undefined.
constexpr std::string_view kStrMethods[] = {
    "capitalize",   "casefold",   "center",    "count",       "encode",    "endswith",     "expandtabs",   "find",
    "format",       "format_map", "index",     "isalnum",     "isalpha",   "isascii",      "isdecimal",    "isdigit",
    "isidentifier", "islower",    "isnumeric", "isprintable", "isspace",   "istitle",      "isupper",      "join",
    "ljust",        "lower",      "lstrip",    "maketrans",   "partition", "removeprefix", "removesuffix", "replace",
    "rfind",        "rindex",     "rjust",     "rpartition",  "rsplit",    "rstrip",       "split",        "splitlines",
    "startswith",   "strip",      "swapcase",  "title",       "translate", "upper",        "zfill",
};
constexpr std::string_view kUnsafeListMethods[] = {"append", "clear",  "extend",  "insert",
                                                   "pop",    "remove", "reverse", "sort"};
constexpr std::string_view kOtherListMethods[] = {"copy"};
constexpr std::string_view kUnsafeDictMethods[] = {"clear", "pop", "popitem", "setdefault", "update"};
constexpr std::string_view kOtherDictMethods[] = {"copy", "fromkeys"};

template <size_t N>
bool one_of(const std::string& s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

const std::string& str_arg(const Value& v, const std::string& what) {
  if (!v.is_string()) throw Error(what + " expects a str argument, got " + type_name(v));
  return v.str();
}

int64_t int_arg(const Value& v, const std::string& what) {
  if (!v.is_int()) throw Error(what + " expects an int argument, got " + type_name(v));
  return v.integer();
}

std::vector<std::string> split_sep(const std::string& s, const std::string& sep, int64_t maxsplit, bool from_right) {
  if (sep.empty()) throw Error("empty separator");
  std::vector<std::string> parts;
  if (!from_right) {
    size_t start = 0;
    for (size_t p; (maxsplit < 0 || int64_t(parts.size()) < maxsplit) && (p = s.find(sep, start)) != std::string::npos;
         start = p + sep.size())
      parts.push_back(s.substr(start, p - start));
    parts.push_back(s.substr(start));
    return parts;
  }
  size_t end = s.size();
  while (maxsplit < 0 || int64_t(parts.size()) < maxsplit) {
    if (end < sep.size()) break;
    size_t p = s.rfind(sep, end - sep.size());
    if (p == std::string::npos) break;
    parts.push_back(s.substr(p + sep.size(), end - p - sep.size()));
    end = p;
  }
  parts.push_back(s.substr(0, end));
  std::reverse(parts.begin(), parts.end());
  return parts;
}

Value string_list(std::vector<std::string> parts) {
  std::vector<Value> out;
  for (auto& p : parts) out.emplace_back(std::move(p));
  return Value::list(std::move(out));
}

Value str_method(const std::string& s, const std::string& name) {
  std::string what = "str." + name + "()";
  auto method = [&](auto body) { return Value::function(what, body); };
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    bool left = name != "rstrip", right = name != "lstrip";
    return method([s, what, left, right](CallArgs& a) {
      ArgBinder b(a, what, {"chars"});
      const Value* chars = b.get(0);
      if (!chars || chars->is_none()) return Value(uni::strip(s, left, right));
      return Value(uni::strip_chars(s, str_arg(*chars, what), left, right));
    });
  }
  if (name == "split" || name == "rsplit") {
    bool right = name == "rsplit";
    return method([s, what, right](CallArgs& a) {
      ArgBinder b(a, what, {"sep", "maxsplit"});
      int64_t maxsplit = b.get(1) ? int_arg(*b.get(1), what) : -1;
      const Value* sep = b.get(0);
      if (!sep || sep->is_none()) {
        if (right && maxsplit >= 0) throw Error("str.rsplit() with maxsplit and no separator is not supported");
        return string_list(uni::split_whitespace(s, long(maxsplit)));
      }
      return string_list(split_sep(s, str_arg(*sep, what), maxsplit, right));
    });
  }
  if (name == "splitlines") {
    return method([s, what](CallArgs& a) {
      ArgBinder b(a, what, {});
      return string_list(uni::splitlines(s));
    });
  }
  if (name == "startswith" || name == "endswith") {
    bool start = name == "startswith";
    return method([s, what, start](CallArgs& a) {
      ArgBinder b(a, what, {"prefix"});
      if (!b.get(0)) throw Error(what + " takes exactly one argument");
      std::vector<Value> options = b.get(0)->is_list() ? b.get(0)->items() : std::vector<Value>{*b.get(0)};
      for (const Value& o : options) {
        const std::string& p = str_arg(o, what);
        bool hit = p.size() <= s.size() &&
                   (start ? s.compare(0, p.size(), p) == 0 : s.compare(s.size() - p.size(), p.size(), p) == 0);
        if (hit) return Value(true);
      }
      return Value(false);
    });
  }
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
    return method([s, what, name](CallArgs& a) {
      ArgBinder b(a, what, {});
      if (name == "upper") return Value(uni::upper(s));
      if (name == "lower") return Value(uni::lower(s));
      if (name == "title") return Value(uni::title(s));
      return Value(uni::capitalize(s));
    });
  }
  if (name == "replace") {
    return method([s, what](CallArgs& a) {
      ArgBinder b(a, what, {"old", "new", "count"});
      if (!b.get(0) || !b.get(1)) throw Error(what + " needs old and new");
      const std::string &from = str_arg(*b.get(0), what), &to = str_arg(*b.get(1), what);
      int64_t count = b.get(2) ? int_arg(*b.get(2), what) : -1;
      if (from.empty()) throw Error("str.replace() with an empty 'old' is not supported");
      std::string out;
      size_t start = 0;
      for (size_t p; count != 0 && (p = s.find(from, start)) != std::string::npos; start = p + from.size(), --count)
        out += s.substr(start, p - start) + to;
      return Value(out + s.substr(start));
    });
  }
  if (name == "find" || name == "rfind" || name == "count") {
    return method([s, what, name](CallArgs& a) {
      ArgBinder b(a, what, {"sub"});
      if (!b.get(0)) throw Error(what + " takes exactly one argument");
      const std::string& sub = str_arg(*b.get(0), what);
      if (name == "count") {
        if (sub.empty()) return Value(int64_t(uni::length(s) + 1));
        int64_t n = 0;
        for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
        return Value(n);
      }
      size_t p = name == "find" ? s.find(sub) : s.rfind(sub);
      return Value(p == std::string::npos ? int64_t(-1) : int64_t(uni::length(s.substr(0, p))));
    });
  }
  if (name == "removeprefix" || name == "removesuffix") {
    bool prefix = name == "removeprefix";
    return method([s, what, prefix](CallArgs& a) {
      ArgBinder b(a, what, {"affix"});
      if (!b.get(0)) throw Error(what + " takes exactly one argument");
      const std::string& p = str_arg(*b.get(0), what);
      if (p.size() > s.size()) return Value(s);
      if (prefix) return Value(s.compare(0, p.size(), p) == 0 ? s.substr(p.size()) : s);
      return Value(s.compare(s.size() - p.size(), p.size(), p) == 0 ? s.substr(0, s.size() - p.size()) : s);
    });
  }
  if (name == "join") {
    return method([s, what](CallArgs& a) {
      ArgBinder b(a, what, {"iterable"});
      if (!b.get(0)) throw Error(what + " takes exactly one argument");
      std::string out;
      bool first = true;
      for (const Value& v : iterate(*b.get(0))) {
        if (!first) out += s;
        out += str_arg(v, what);
        first = false;
      }
      return Value(out);
    });
  }
  if (name == "isspace") {
    return method([s, what](CallArgs& a) {
      ArgBinder b(a, what, {});
      std::u32string u = uni::decode(s);
      return Value(!u.empty() && std::all_of(u.begin(), u.end(), uni::is_space));
    });
  }
  return Value();
}

Value dict_method(const Value& d, const std::string& name) {
  std::string what = "dict." + name + "()";
  if (name == "get") {
    return Value::function(what, [d, what](CallArgs& a) {
      ArgBinder b(a, what, {"key", "default"});
      if (!b.get(0)) throw Error(what + " needs a key");
      const Value* v = b.get(0)->is_string() ? d.dict_data().find(b.get(0)->str()) : nullptr;
      return v ? *v : b.get_or(1, Value::none());
    });
  }
  if (name == "items" || name == "keys" || name == "values") {
    return Value::function(what, [d, what, name](CallArgs& a) {
      ArgBinder b(a, what, {});
      std::vector<Value> out;
      for (const auto& [k, v] : d.dict_data().items) {
        if (name == "items")
          out.push_back(Value::list({Value(k), v}, true));
        else
          out.push_back(name == "keys" ? Value(k) : v);
      }
      return Value::view(std::move(out), "dict_" + name);
    });
  }
  return Value();
}

Value list_method(const Value& l, const std::string& name) {
  if (name != "count" && name != "index") return Value();
  std::string what = "list." + name + "()";
  return Value::function(what, [l, what, name](CallArgs& a) {
    ArgBinder b(a, what, {"value"});
    if (!b.get(0)) throw Error(what + " takes exactly one argument");
    int64_t n = 0;
    for (size_t i = 0; i < l.items().size(); ++i) {
      if (!equals(l.items()[i], *b.get(0))) continue;
      if (name == "index") return Value(int64_t(i));
      ++n;
    }
    if (name == "index") throw Error(repr(*b.get(0)) + " is not in list");
    return Value(n);
  });
}

[[noreturn]] void unsafe(const std::string& name, const Value& obj) {
  throw Error("access to attribute '" + name + "' of '" + type_name(obj) + "' object is unsafe");
}

[[noreturn]] void unsupported_method(const std::string& name, const Value& obj) {
  throw Error("unsupported method " + type_name(obj) + "." + name + "()");
}

int64_t add_checked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw Error("integer overflow");
  return r;
}

int64_t sub_checked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throw Error("integer overflow");
  return r;
}

int64_t mul_checked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw Error("integer overflow");
  return r;
}

[[noreturn]] void bad_operands(std::string_view op, const Value& a, const Value& b) {
  if (op == "+" && a.is_string()) throw Error("can only concatenate str (not \"" + type_name(b) + "\") to str");
  throw Error("unsupported operand type(s) for " + std::string(op) + ": '" + type_name(a) + "' and '" + type_name(b) +
              "'");
}

// Python's float divmod.
std::pair<double, double> float_divmod(double x, double y) {
  double mod = std::fmod(x, y);
  double div = (x - mod) / y;
  if (mod != 0) {
    if ((y < 0) != (mod < 0)) {
      mod += y;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, y);
  }
  double floordiv;
  if (div != 0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, x / y);
  }
  return {floordiv, mod};
}

Value repeat(const Value& seq, int64_t n) {
  if (n < 0) n = 0;
  if (seq.is_string()) {
    if (n > 0 && seq.str().size() * uint64_t(n) > (1u << 30)) throw Error("string repetition too large");
    std::string out;
    for (int64_t i = 0; i < n; ++i) out += seq.str();
    return Value(out);
  }
  if (n > 0 && seq.items().size() * uint64_t(n) > (1u << 24)) throw Error("list repetition too large");
  std::vector<Value> out;
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.items().begin(), seq.items().end());
  return Value::list(std::move(out), seq.list_data().is_tuple);
}

Value int_pow(int64_t base, int64_t exp) {
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) result = mul_checked(result, base);
    exp >>= 1;
    if (exp) base = mul_checked(base, base);
  }
  return Value(result);
}

}  // namespace

ArgBinder::ArgBinder(CallArgs& args, std::string_view what, std::initializer_list<std::string_view> params)
    : bound_(params.size(), nullptr) {
  std::vector<std::string_view> names(params);
  if (args.positional.size() > names.size())
    throw Error(std::string(what) + " takes at most " + std::to_string(names.size()) + " argument(s), got " +
                std::to_string(args.positional.size()));
  for (size_t i = 0; i < args.positional.size(); ++i) bound_[i] = &args.positional[i];
  for (const auto& [k, v] : args.keyword) {
    auto it = std::find(names.begin(), names.end(), k);
    if (it == names.end()) throw Error(std::string(what) + " got an unexpected keyword argument '" + k + "'");
    size_t i = size_t(it - names.begin());
    if (bound_[i]) throw Error(std::string(what) + " got multiple values for argument '" + k + "'");
    bound_[i] = &v;
  }
}

Value get_attr(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Value::Kind::Undefined:
      fail_undefined(obj);
    case Value::Kind::String: {
      Value m = str_method(obj.str(), name);
      if (!m.is_undefined()) return m;
      if (one_of(name, kStrMethods)) unsupported_method(name, obj);
      return no_attribute(obj, name);
    }
    case Value::Kind::Dict: {
      if (obj.dict_data().is_namespace) {
        const Value* v = obj.dict_data().find(name);
        return v ? *v : no_attribute(obj, name);
      }
      Value m = dict_method(obj, name);
      if (!m.is_undefined()) return m;
      if (one_of(name, kUnsafeDictMethods)) unsafe(name, obj);
      if (one_of(name, kOtherDictMethods)) unsupported_method(name, obj);
      const Value* v = obj.dict_data().find(name);
      return v ? *v : no_attribute(obj, name);
    }
    case Value::Kind::List: {
      if (!obj.list_data().view.empty()) return no_attribute(obj, name);
      Value m = list_method(obj, name);
      if (!m.is_undefined()) return m;
      if (one_of(name, kUnsafeListMethods)) unsafe(name, obj);
      if (one_of(name, kOtherListMethods)) unsupported_method(name, obj);
      return no_attribute(obj, name);
    }
    default:
      return no_attribute(obj, name);
  }
}

Value get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.is_dict() && !obj.dict_data().is_namespace) {
    if (key.is_string()) {
      if (const Value* v = obj.dict_data().find(key.str())) return *v;
    } else if (key.is_list() || key.is_dict()) {
      throw Error("unhashable type: '" + type_name(key) + "'");
    }
  } else if (obj.is_list() && obj.list_data().view.rfind("dict_", 0) == 0) {
    return Value::undefined("'" + type_name(obj) + "' object is not subscriptable");
  } else if ((obj.is_list() || obj.is_string()) && key.is_int()) {
    std::u32string chars;
    int64_t n = obj.is_list() ? int64_t(obj.items().size()) : int64_t((chars = uni::decode(obj.str())).size());
    int64_t i = key.integer() < 0 ? key.integer() + n : key.integer();
    if (i >= 0 && i < n) return obj.is_list() ? obj.items()[size_t(i)] : Value(uni::encode(chars.substr(size_t(i), 1)));
    return Value::undefined(owner(obj) + " has no element " + repr(key));
  }
  if (key.is_string()) return get_attr(obj, key.str());
  return Value::undefined(owner(obj) + " has no element " + repr(key));
}

Value slice(const Value& obj, const Value& start_v, const Value& stop_v, const Value& step_v) {
  if (obj.is_undefined()) fail_undefined(obj);
  for (const Value* v : {&start_v, &stop_v, &step_v})
    if (!v->is_undefined() && !v->is_none() && !v->is_int()) throw Error("slice indices must be integers or None");
  if (!obj.is_list() && !obj.is_string()) return Value::undefined(owner(obj) + " is not sliceable");
  if (obj.is_list() && !obj.list_data().view.empty()) {
    if (type_name(obj) == "range") throw Error("unsupported: slicing a range()");
    return Value::undefined("'" + type_name(obj) + "' object is not subscriptable");
  }
  int64_t step = step_v.is_int() ? step_v.integer() : 1;
  if (step == 0) throw Error("slice step cannot be zero");
  std::u32string chars = obj.is_string() ? uni::decode(obj.str()) : std::u32string();
  int64_t n = obj.is_string() ? int64_t(chars.size()) : int64_t(obj.items().size());
  auto adjust = [&](const Value& v, int64_t def) {
    if (!v.is_int()) return def;
    int64_t i = v.integer();
    if (i < 0) {
      i += n;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  int64_t start = adjust(start_v, step < 0 ? n - 1 : 0), stop = adjust(stop_v, step < 0 ? -1 : n);
  std::u32string out_chars;
  std::vector<Value> out_items;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (obj.is_string())
      out_chars += chars[size_t(i)];
    else
      out_items.push_back(obj.items()[size_t(i)]);
  }
  if (obj.is_string()) return Value(uni::encode(out_chars));
  return Value::list(std::move(out_items), obj.list_data().is_tuple);
}

Value binary_op(std::string_view op, const Value& a, const Value& b) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  bool ints = a.is_int() && b.is_int();
  bool nums = a.is_number() && b.is_number();
  if (op == "+") {
    if (ints) return Value(add_checked(a.integer(), b.integer()));
    if (nums) return Value(a.number() + b.number());
    if (a.is_string() && b.is_string()) return Value(a.str() + b.str());
    if (a.is_list() && b.is_list() && a.list_data().is_tuple == b.list_data().is_tuple && a.list_data().view.empty() &&
        b.list_data().view.empty()) {
      std::vector<Value> out = a.items();
      out.insert(out.end(), b.items().begin(), b.items().end());
      return Value::list(std::move(out), a.list_data().is_tuple);
    }
  } else if (op == "-") {
    if (ints) return Value(sub_checked(a.integer(), b.integer()));
    if (nums) return Value(a.number() - b.number());
  } else if (op == "*") {
    if (ints) return Value(mul_checked(a.integer(), b.integer()));
    if (nums) return Value(a.number() * b.number());
    auto repeatable = [](const Value& v) { return v.is_string() || (v.is_list() && v.list_data().view.empty()); };
    if (repeatable(a) && b.is_int()) return repeat(a, b.integer());
    if (a.is_int() && repeatable(b)) return repeat(b, a.integer());
  } else if (op == "/") {
    if (nums) {
      if (b.number() == 0) throw Error(ints ? "division by zero" : "float division by zero");
      return Value(a.number() / b.number());
    }
  } else if (op == "//" || op == "%") {
    bool div = op == "//";
    if (ints) {
      int64_t x = a.integer(), y = b.integer();
      if (y == 0) throw Error(div ? "integer division or modulo by zero" : "integer modulo by zero");
      if (x == INT64_MIN && y == -1) throw Error("integer overflow");
      int64_t q = x / y, r = x % y;
      if (r != 0 && ((r < 0) != (y < 0))) {
        r += y;
        q -= 1;
      }
      return Value(div ? q : r);
    }
    if (nums) {
      if (b.number() == 0) throw Error(div ? "float floor division by zero" : "float modulo");
      auto [q, r] = float_divmod(a.number(), b.number());
      return Value(div ? q : r);
    }
    if (!div && a.is_string()) throw Error("unsupported: printf-style string formatting with %");
  } else if (op == "**") {
    if (ints && b.integer() >= 0) return int_pow(a.integer(), b.integer());
    if (nums) {
      if (a.number() == 0 && b.number() < 0) throw Error("0.0 cannot be raised to a negative power");
      return Value(std::pow(a.number(), b.number()));
    }
  }
  bad_operands(op, a, b);
}

Value negate(const Value& v) {
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_int()) {
    if (v.integer() == INT64_MIN) throw Error("integer overflow");
    return Value(-v.integer());
  }
  if (v.is_number()) return Value(-v.number());
  throw Error("bad operand type for unary -: '" + type_name(v) + "'");
}

Value find_global(const std::string& name) {
  if (name == "raise_exception") {
    return Value::function(name, [](CallArgs& a) -> Value {
      ArgBinder b(a, "raise_exception()", {"message"});
      throw RaisedError(b.get(0) ? to_str(*b.get(0)) : "");
    });
  }
  if (name == "namespace" || name == "dict") {
    bool ns = name == "namespace";
    return Value::function(name, [ns, name](CallArgs& a) {
      if (a.positional.size() > 1) throw Error(name + "() takes at most one positional argument");
      std::vector<std::pair<std::string, Value>> items;
      if (!a.positional.empty()) {
        const Value& init = a.positional[0];
        if (!init.is_dict()) throw Error(name + "() positional argument must be a dict");
        items = init.dict_data().items;
      }
      for (auto& kv : a.keyword) items.push_back(kv);
      return ns ? Value::namespace_(std::move(items)) : Value::dict(std::move(items));
    });
  }
  if (name == "range") {
    return Value::function(name, [](CallArgs& a) {
      if (!a.keyword.empty() || a.positional.empty() || a.positional.size() > 3)
        throw Error("range() takes 1 to 3 positional arguments");
      std::vector<int64_t> p;
      for (const Value& v : a.positional) p.push_back(int_arg(v, "range()"));
      int64_t start = p.size() > 1 ? p[0] : 0, stop = p.size() > 1 ? p[1] : p[0], step = p.size() > 2 ? p[2] : 1;
      if (step == 0) throw Error("range() arg 3 must not be zero");
      std::vector<Value> out;
      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (out.size() >= 100000) throw Error("range too big: the sandbox blocks ranges larger than 100000");
        out.emplace_back(i);
      }
      std::string repr = "range(" + std::to_string(start) + ", " + std::to_string(stop) +
                         (step != 1 ? ", " + std::to_string(step) : "") + ")";
      return Value::view(std::move(out), repr);
    });
  }
  if (name == "strftime_now") {
    return Value::function(name, [](CallArgs& a) {
      ArgBinder b(a, "strftime_now()", {"format"});
      if (!b.get(0)) throw Error("strftime_now() needs a format");
      std::time_t now = std::time(nullptr);
      std::tm tm{};
      localtime_r(&now, &tm);
      char buf[256];
      size_t n = std::strftime(buf, sizeof buf, str_arg(*b.get(0), "strftime_now()").c_str(), &tm);
      return Value(std::string(buf, n));
    });
  }
  if (name == "lipsum" || name == "cycler" || name == "joiner") {
    return Value::function(name, [name](CallArgs&) -> Value { throw Error("unsupported global '" + name + "'"); });
  }
  return Value::undefined("'" + name + "' is undefined");
}

}  // namespace hw::jinja
