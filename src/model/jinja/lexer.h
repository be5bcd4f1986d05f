// hardwire jinja: template source -> tokens, following jinja2's lexer: newlines normalised to \n, one
// trailing newline dropped (keep_trailing_newline=False), comments removed, `{% raw %}` kept as text,
// and whitespace control applied to the text tokens: `-` strips all whitespace on that side, `+`
// disables lstrip_blocks / trim_blocks for the tag, lstrip_blocks removes spaces and tabs between a
// line start and `{%` / `{#`, trim_blocks removes the newline right after `%}` / `#}`.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hw::jinja {

enum class Tok { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };

struct Token {
  Tok kind = Tok::Eof;
  std::string text;  // Text: the data; Name/Op: the spelling; String: the unescaped value
  int line = 1;
  int64_t int_value = 0;
  double float_value = 0;
};

struct LexOptions {
  bool trim_blocks = true;    // HF transformers' apply_chat_template setting
  bool lstrip_blocks = true;  // likewise
};

// Throws hw::Error naming the line on malformed input (unterminated tag, comment or string; bad
// character; unbalanced brackets).
std::vector<Token> tokenize(std::string_view source, const LexOptions& opt = {});

}  // namespace hw::jinja
