#include "model/jinja/lexer.h"

#include <cerrno>
#include <cstdlib>

#include "base/error.h"
#include "model/jinja/unicode.h"

namespace hw::jinja {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Python's \s over UTF-8: the length of the whitespace code point at s[i], or 0.
size_t space_at(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  unsigned char b = s[i];
  if (b < 0x80) return uni::is_space(b) ? 1 : 0;
  size_t n = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  std::u32string c = uni::decode(s.substr(i, n));
  return c.size() == 1 && uni::is_space(c[0]) ? n : 0;
}

class Lexer {
 public:
  Lexer(std::string_view source, const LexOptions& opt) : opt_(opt) {
    // Normalise \r\n and \r to \n, then drop one trailing newline, as jinja2 does.
    src_.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
      if (source[i] == '\r') {
        src_ += '\n';
        if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
      } else {
        src_ += source[i];
      }
    }
    if (!src_.empty() && src_.back() == '\n') src_.pop_back();
  }

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      size_t idx = find_tag(pos_);
      if (idx == std::string::npos) {
        emit_text(src_.substr(pos_), line_);
        advance(src_.size());
        break;
      }
      char kind = src_[idx + 1];
      char sign = idx + 2 < src_.size() && (src_[idx + 2] == '-' || src_[idx + 2] == '+') ? src_[idx + 2] : 0;
      std::string text = src_.substr(pos_, idx - pos_);
      int text_line = line_;
      size_t raw_end = kind == '%' ? match_raw_begin(idx + 2 + (sign ? 1 : 0)) : 0;
      apply_left_strip(text, sign, kind == '{');
      emit_text(text, text_line);
      advance(idx);
      if (raw_end) {
        advance(raw_end);
        line_starting_ = src_[raw_end - 1] == '\n';
        lex_raw_body();
      } else if (kind == '#') {
        advance(idx + 2 + (sign ? 1 : 0));
        lex_comment();
      } else {
        push(kind == '{' ? Tok::VarBegin : Tok::BlockBegin, std::string(src_, idx, 2));
        advance(idx + 2 + (sign ? 1 : 0));
        lex_tag(kind == '{');
      }
    }
    push(Tok::Eof, "");
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const {
    throw Error("jinja: line " + std::to_string(line_) + ": " + msg);
  }

  void advance(size_t to) {
    for (; pos_ < to; ++pos_)
      if (src_[pos_] == '\n') ++line_;
  }

  void push(Tok kind, std::string text) { out_.push_back(Token{kind, std::move(text), line_, 0, 0}); }

  void emit_text(const std::string& text, int line) {
    if (!text.empty()) out_.push_back(Token{Tok::Text, text, line, 0, 0});
  }

  size_t find_tag(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string::npos; i = src_.find('{', i + 1))
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    return std::string::npos;
  }

  size_t skip_space(size_t p) const {
    while (size_t n = space_at(src_, p)) p += n;
    return p;
  }

  // After `{%` and its sign: `\s*raw\s*(-%}\s*|%})`; returns the end of the match or 0.
  size_t match_raw_begin(size_t p) const {
    p = skip_space(p);
    if (src_.compare(p, 3, "raw") != 0 || (p + 3 < src_.size() && is_name_char(src_[p + 3]))) return 0;
    p = skip_space(p + 3);
    if (src_.compare(p, 3, "-%}") == 0) return skip_space(p + 3);
    if (src_.compare(p, 2, "%}") == 0) return p + 2;
    return 0;
  }

  // jinja2's OptionalLStrip: `-` strips all trailing whitespace of the text before a tag;
  // otherwise lstrip_blocks strips spaces/tabs between the last line start and a block/comment tag.
  void apply_left_strip(std::string& text, char sign, bool is_variable) const {
    if (sign == '-') {
      text = uni::strip(text, false, true);
    } else if (sign != '+' && opt_.lstrip_blocks && !is_variable) {
      size_t l_pos = text.rfind('\n');
      l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
      if ((l_pos > 0 || line_starting_) && l_pos < text.size()) {
        size_t p = l_pos;
        while (size_t n = space_at(text, p)) p += n;
        if (p == text.size()) text.resize(l_pos);
      }
    }
  }

  // Consumes a block-style tag end at pos_ if there is one: `+%}`, `-%}\s*` or `%}\n?`.
  bool block_end(std::string_view close) {
    size_t end;
    if (src_.compare(pos_, 1, "+") == 0 && src_.compare(pos_ + 1, 2, close) == 0) {
      end = pos_ + 3;
    } else if (src_.compare(pos_, 1, "-") == 0 && src_.compare(pos_ + 1, 2, close) == 0) {
      end = skip_space(pos_ + 3);
    } else if (src_.compare(pos_, 2, close) == 0) {
      end = pos_ + 2;
      if (opt_.trim_blocks && end < src_.size() && src_[end] == '\n') ++end;
    } else {
      return false;
    }
    line_starting_ = src_[end - 1] == '\n';
    advance(end);
    return true;
  }

  void lex_comment() {
    int start_line = line_;
    for (size_t h = src_.find("#}", pos_); h != std::string::npos; h = src_.find("#}", h + 1)) {
      size_t q = h > pos_ && (src_[h - 1] == '-' || src_[h - 1] == '+') ? h - 1 : h;
      advance(q);
      if (!block_end("#}")) fail("internal: comment end");
      return;
    }
    line_ = start_line;
    fail("missing end of comment tag");
  }

  // Text up to `{%[-+]?\s*endraw\s*(end)`, with the strip rules applied before the end tag.
  void lex_raw_body() {
    for (size_t i = src_.find("{%", pos_); i != std::string::npos; i = src_.find("{%", i + 1)) {
      size_t p = i + 2;
      char sign = p < src_.size() && (src_[p] == '-' || src_[p] == '+') ? src_[p++] : 0;
      p = skip_space(p);
      if (src_.compare(p, 6, "endraw") != 0) continue;
      p = skip_space(p + 6);
      std::string text = src_.substr(pos_, i - pos_);
      int text_line = line_;
      apply_left_strip(text, sign, false);
      emit_text(text, text_line);
      advance(p);
      if (!block_end("%}")) fail("expected '%}' after endraw");
      return;
    }
    fail("missing end of raw directive");
  }

  void lex_tag(bool is_variable) {
    std::string balance;  // expected closing brackets
    int start_line = line_;
    while (true) {
      if (pos_ >= src_.size()) {
        line_ = start_line;
        fail(std::string("unexpected end of template, expected '") + (is_variable ? "}}" : "%}") + "'");
      }
      if (balance.empty()) {
        if (is_variable) {
          if (src_.compare(pos_, 3, "-}}") == 0) {
            advance(skip_space(pos_ + 3));
            line_starting_ = src_[pos_ - 1] == '\n';
            push(Tok::VarEnd, "}}");
            return;
          }
          if (src_.compare(pos_, 2, "}}") == 0) {
            advance(pos_ + 2);
            line_starting_ = false;
            push(Tok::VarEnd, "}}");
            return;
          }
        } else {
          int line = line_;
          if (block_end("%}")) {
            out_.push_back(Token{Tok::BlockEnd, "%}", line, 0, 0});
            return;
          }
        }
      }
      if (size_t n = space_at(src_, pos_)) {
        advance(pos_ + n);
        continue;
      }
      char c = src_[pos_];
      if (is_digit(c)) {
        lex_number();
      } else if (is_name_start(c)) {
        size_t e = pos_;
        while (e < src_.size() && is_name_char(src_[e])) ++e;
        push(Tok::Name, src_.substr(pos_, e - pos_));
        advance(e);
      } else if (c == '\'' || c == '"') {
        lex_string();
      } else {
        lex_operator(balance);
      }
    }
  }

  void lex_number() {
    size_t p = pos_;
    auto digits = [&](size_t& q) {
      size_t start = q;
      while (q < src_.size() &&
             (is_digit(src_[q]) || (src_[q] == '_' && q + 1 < src_.size() && is_digit(src_[q + 1]) && q > start)))
        ++q;
      return q > start;
    };
    digits(p);
    bool is_float = false;
    bool after_dot = pos_ > 0 && src_[pos_ - 1] == '.';  // jinja2: (?<!\.) keeps foo.0.1 a subscript
    if (!after_dot && p + 1 < src_.size() && src_[p] == '.' && is_digit(src_[p + 1])) {
      ++p;
      digits(p);
      is_float = true;
    }
    if (!after_dot && p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
      size_t q = p + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (digits(q)) {
        p = q;
        is_float = true;
      }
    }
    std::string spelling;
    for (size_t i = pos_; i < p; ++i)
      if (src_[i] != '_') spelling += src_[i];
    Token t{is_float ? Tok::Float : Tok::Int, spelling, line_, 0, 0};
    if (is_float) {
      t.float_value = std::strtod(spelling.c_str(), nullptr);
    } else {
      errno = 0;
      t.int_value = std::strtoll(spelling.c_str(), nullptr, 10);
      if (errno == ERANGE) fail("integer literal " + spelling + " does not fit in 64 bits");
    }
    out_.push_back(t);
    advance(p);
  }

  void lex_string() {
    char quote = src_[pos_];
    size_t p = pos_ + 1;
    while (p < src_.size() && src_[p] != quote) p += src_[p] == '\\' ? 2 : 1;
    if (p >= src_.size()) fail("unterminated string literal");
    std::string raw = src_.substr(pos_ + 1, p - pos_ - 1);
    push(Tok::String, unescape(raw));
    advance(p + 1);
  }

  // Python's unicode-escape decoding, as jinja2 applies it to string literals.
  std::string unescape(const std::string& s) const {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\' || i + 1 >= s.size()) {
        out += s[i];
        continue;
      }
      char e = s[++i];
      switch (e) {
        case '\n':
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x':
        case 'u':
        case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + n >= s.size()) fail(std::string("truncated \\") + e + " escape");
          std::string hex = s.substr(i + 1, n);
          for (char h : hex)
            if (!is_hex(h)) fail(std::string("truncated \\") + e + " escape");
          char32_t cp = char32_t(std::strtoul(hex.c_str(), nullptr, 16));
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            fail("escape \\" + std::string(1, e) + hex + " is not a valid code point");
          uni::append_utf8(out, cp);
          i += n;
          break;
        }
        case 'N':
          fail("\\N{...} escapes are not supported");
        default:
          if (e >= '0' && e <= '7') {
            char32_t cp = 0;
            size_t k = 0;
            for (; k < 3 && i + k < s.size() && s[i + k] >= '0' && s[i + k] <= '7'; ++k) cp = cp * 8 + (s[i + k] - '0');
            uni::append_utf8(out, cp);
            i += k - 1;
          } else if (static_cast<unsigned char>(e) >= 0x80) {
            fail("a backslash before a non-ASCII character is not supported");
          } else {
            out += '\\';
            out += e;
          }
      }
    }
    return out;
  }

  void lex_operator(std::string& balance) {
    static constexpr const char* kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : kTwo) {
      if (src_.compare(pos_, 2, op) == 0) {
        push(Tok::Op, op);
        advance(pos_ + 2);
        return;
      }
    }
    char c = src_[pos_];
    if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos)
      fail(std::string("unexpected character '") + c + "'");
    if (c == '(') balance += ')';
    if (c == '[') balance += ']';
    if (c == '{') balance += '}';
    if (c == ')' || c == ']' || c == '}') {
      if (balance.empty()) fail(std::string("unexpected '") + c + "'");
      if (balance.back() != c) fail(std::string("unexpected '") + c + "', expected '" + balance.back() + "'");
      balance.pop_back();
    }
    push(Tok::Op, std::string(1, c));
    advance(pos_ + 1);
  }

  LexOptions opt_;
  std::string src_;
  size_t pos_ = 0;
  int line_ = 1;
  bool line_starting_ = true;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const LexOptions& opt) { return Lexer(source, opt).run(); }

}  // namespace hw::jinja
