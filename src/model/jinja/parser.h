// hardwire jinja: tokens -> syntax tree, following jinja2's grammar and operator precedence
// (lowest first): `x if c else y`, or, and, not, comparisons and `in`, + -, ~, * / // %, **,
// unary - +, then postfix `.attr` `[i]` `[a:b:c]` `(…)`, filters `|f` and tests `is t`.
// Statements: if/elif/else, for (with `if` filter and else), set (plain, namespace attribute, block),
// macro, break, continue, filter blocks, and transformers' {% generation %} (rendered as its body).
// Anything else (include, import, extends, block, call, with, …) and any unknown filter or test is
// rejected here with an hw::Error naming it and its line, before anything is rendered.
#pragma once
#include <string_view>

#include "model/jinja/ast.h"
#include "model/jinja/lexer.h"

namespace hw::jinja {

Body parse(std::string_view source, const LexOptions& opt = {});

}  // namespace hw::jinja
