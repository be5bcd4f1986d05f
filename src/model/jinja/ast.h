// hardwire jinja: the syntax tree the parser builds and the renderer walks.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/jinja/value.h"

namespace hw::jinja {

using FilterFn = Value (*)(const Value& subject, CallArgs& args);
using TestFn = bool (*)(const Value& subject, CallArgs& args);

enum class ExprKind {
  Const,    // value
  Name,     // name
  List,     // args: items
  Tuple,    // args: items
  Dict,     // args: key0, value0, key1, value1, …
  GetAttr,  // args[0].name
  GetItem,  // args[0][args[1]]
  Slice,    // args[0][args[1]:args[2]:args[3]], any bound may be null
  Call,     // args[0](args[1..], kwargs)
  Filter,   // args[0] | name(args[1..], kwargs); args[0] is null in a {% filter %} / {% set %} block
  Test,     // args[0] is name(args[1..], kwargs)
  Not,      // not args[0]
  Neg,      // -args[0]
  Pos,      // +args[0]
  Binary,   // args[0] name args[1], name one of + - * / // % **
  Concat,   // args joined with ~
  Compare,  // args[0] ops[0] args[1] ops[1] args[2] …; ops: == != < <= > >= in notin
  And,      // args[0] and args[1]
  Or,       // args[0] or args[1]
  Cond,     // args[1] if args[0] else args[2] (args[2] may be null)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct Kwarg {
  std::string name;
  ExprPtr value;
};

struct Expr {
  ExprKind kind = ExprKind::Const;
  int line = 0;
  Value value;
  std::string name;
  std::vector<ExprPtr> args;
  std::vector<Kwarg> kwargs;
  std::vector<std::string> ops;
  FilterFn filter = nullptr;  // Filter, resolved by the parser
  TestFn test = nullptr;      // Test, resolved by the parser
  int depth = 1;              // height of this subtree
};

enum class NodeKind {
  Text,         // text
  Output,       // {{ expr }}
  If,           // branches: (cond, body)…, a final else has a null cond
  For,          // {% for target in expr if filter %} body {% else %} else_body
  Set,          // {% set target = expr %}
  SetBlock,     // {% set target | filter %} body {% endset %}
  Macro,        // {% macro target(params) %} body
  Break,        // {% break %}
  Continue,     // {% continue %}
  FilterBlock,  // {% filter filter %} body
};

// An assignment target: one name, several names (tuple unpacking), or a namespace attribute.
struct Target {
  std::vector<std::string> names;
  std::string ns_attr;  // set: names[0].ns_attr
  bool is_tuple = false;
};

struct Node;
using Body = std::vector<Node>;

struct Branch {
  ExprPtr cond;
  Body body;
};

struct Node {
  NodeKind kind = NodeKind::Text;
  int line = 0;
  std::string text;
  ExprPtr expr;
  Target target;
  ExprPtr filter;  // For: the `if` condition; SetBlock / FilterBlock: the filter chain
  std::vector<Branch> branches;
  Body body, else_body;
  std::vector<Kwarg> params;  // Macro: parameters, value = default or null
};

}  // namespace hw::jinja
