// hardwire jinja: a parsed template and its renderer. Scoping follows jinja2: each loop iteration and
// each macro call gets a fresh scope (a {% set %} inside does not leak out; namespace() objects are the
// way out), macros see the template's top-level variables as they are at call time.
//
// Errors: a template error or a misuse at render time throws hw::Error("jinja: line N: …");
// raise_exception(msg) throws an hw::Error whose what() is exactly msg.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/jinja/ast.h"
#include "model/jinja/lexer.h"
#include "model/jinja/value.h"

namespace hw::jinja {

using Vars = std::vector<std::pair<std::string, Value>>;

class Template {
 public:
  static Template parse(std::string_view source, const LexOptions& opt = {});
  std::string render(const Vars& vars) const;  // later entries of vars win

 private:
  explicit Template(std::shared_ptr<const Body> body) : body_(std::move(body)) {}
  std::shared_ptr<const Body> body_;
};

}  // namespace hw::jinja
