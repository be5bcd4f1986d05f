// hardwire jinja: the built-in filters, tests, globals, operators and Python methods, with the
// semantics of jinja2 3.1 in transformers' ImmutableSandboxedEnvironment (tojson does not escape
// HTML and keeps non-ASCII; mutating list/dict methods are refused).
#pragma once
#include <string>
#include <string_view>

#include "base/error.h"
#include "model/jinja/ast.h"
#include "model/jinja/value.h"

namespace hw::jinja {

// raise_exception(msg) from a template: what() is exactly msg, with no position added.
class RaisedError : public Error {
 public:
  using Error::Error;
};

FilterFn find_filter(std::string_view name);  // nullptr if not supported
TestFn find_test(std::string_view name);      // nullptr if not supported
// A global function (range, namespace, dict, raise_exception, strftime_now), or undefined.
Value find_global(const std::string& name);

Value get_attr(const Value& obj, const std::string& name);  // `obj.name`: attribute first, then item
Value get_item(const Value& obj, const Value& key);         // `obj[key]`: item first, then attribute
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step);
Value binary_op(std::string_view op, const Value& a, const Value& b);  // + - * / // % **
Value negate(const Value& v);

// Checks positional/keyword arguments against a parameter list and hands them out by index.
class ArgBinder {
 public:
  ArgBinder(CallArgs& args, std::string_view what, std::initializer_list<std::string_view> params);
  const Value* get(size_t i) const { return bound_[i]; }
  Value get_or(size_t i, Value def) const { return bound_[i] ? *bound_[i] : std::move(def); }

 private:
  std::vector<const Value*> bound_;
};

}  // namespace hw::jinja
