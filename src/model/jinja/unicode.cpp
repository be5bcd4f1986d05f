#include "model/jinja/unicode.h"

#include <cstdio>

#include "base/error.h"

namespace hw::jinja::uni {
namespace {

// The case class of one code point. Cased letters carry their simple mappings; a code point whose
// Python mapping is not a single code point, or whose script is not in the table, is Unsupported.
enum class Case { Caseless, Cased, Unsupported };
struct CaseInfo {
  Case kind = Case::Caseless;
  char32_t upper = 0, lower = 0;
};

CaseInfo cased(char32_t up, char32_t lo) { return {Case::Cased, up, lo}; }

// Pairs laid out as upper at even (or odd) code points and lower at the next one.
CaseInfo pair(char32_t c, bool upper_is_even) {
  bool is_upper = ((c & 1) == 0) == upper_is_even;
  return is_upper ? cased(c, c + 1) : cased(c - 1, c);
}

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

bool caseless_range(char32_t c) {
  static constexpr char32_t kRanges[][2] = {
      {0x0300, 0x0344}, {0x0346, 0x036F}, {0x0590, 0x074F},   {0x0900, 0x0E7F},   {0x2000, 0x2070},   {0x2072, 0x207E},
      {0x2080, 0x208F}, {0x209D, 0x20FF}, {0x2150, 0x215F},   {0x2190, 0x24B5},   {0x24EA, 0x2BFF},   {0x2E00, 0x2E7F},
      {0x3000, 0x9FFF}, {0xAC00, 0xD7AF}, {0xD800, 0xF8FF},   {0xF900, 0xFAFF},   {0xFE00, 0xFE6F},   {0xFF00, 0xFF20},
      {0xFF3B, 0xFF40}, {0xFF5B, 0xFFFF}, {0x1F000, 0x1FAFF}, {0x20000, 0x3FFFF}, {0xE0000, 0xE01EF},
  };
  for (const auto& r : kRanges)
    if (in(c, r[0], r[1])) return true;
  return false;
}

CaseInfo case_info(char32_t c) {
  if (c < 0x80) {
    if (in(c, 'A', 'Z')) return cased(c, c + 32);
    if (in(c, 'a', 'z')) return cased(c - 32, c);
    return {};
  }
  if (c < 0x100) {
    if (c == 0xD7 || c == 0xF7) return {};
    if (in(c, 0xC0, 0xDE)) return cased(c, c + 0x20);
    if (in(c, 0xE0, 0xFE)) return cased(c - 0x20, c);
    if (c == 0xDF || c == 0xAA || c == 0xBA) return cased(c, c);  // ß upper-cases to "SS", handled by callers
    if (c == 0xFF) return cased(0x178, c);
    if (c == 0xB5) return cased(0x39C, c);
    return {};
  }
  if (c < 0x180) {
    if (c <= 0x12F) return pair(c, true);
    if (c == 0x131) return cased('I', c);
    if (in(c, 0x132, 0x137)) return pair(c, true);
    if (c == 0x138) return cased(c, c);
    if (in(c, 0x139, 0x148)) return pair(c, false);
    if (in(c, 0x14A, 0x177)) return pair(c, true);
    if (c == 0x178) return cased(c, 0xFF);
    if (in(c, 0x179, 0x17E)) return pair(c, false);
    if (c == 0x17F) return cased('S', c);
    return {Case::Unsupported};  // U+0130 and U+0149 map to two code points
  }
  if (in(c, 0x370, 0x3FF)) {
    if (c == 0x37E || c == 0x387) return {};
    if (c == 0x386) return cased(c, 0x3AC);
    if (c == 0x3AC) return cased(0x386, c);
    if (in(c, 0x388, 0x38A)) return cased(c, c + 0x25);
    if (in(c, 0x3AD, 0x3AF)) return cased(c - 0x25, c);
    if (c == 0x38C) return cased(c, 0x3CC);
    if (c == 0x3CC) return cased(0x38C, c);
    if (in(c, 0x38E, 0x38F)) return cased(c, c + 0x3F);
    if (in(c, 0x3CD, 0x3CE)) return cased(c - 0x3F, c);
    if (c == 0x3A3) return {Case::Unsupported};  // lower() depends on the final-sigma context
    if (c == 0x3C2) return cased(0x3A3, c);
    if (in(c, 0x391, 0x3AB) && c != 0x3A2) return cased(c, c + 0x20);
    if (in(c, 0x3B1, 0x3CB)) return cased(c - 0x20, c);
    return {Case::Unsupported};
  }
  if (in(c, 0x400, 0x40F)) return cased(c, c + 0x50);
  if (in(c, 0x410, 0x42F)) return cased(c, c + 0x20);
  if (in(c, 0x430, 0x44F)) return cased(c - 0x20, c);
  if (in(c, 0x450, 0x45F)) return cased(c - 0x50, c);
  if (in(c, 0xFF21, 0xFF3A)) return cased(c, c + 0x20);
  if (in(c, 0xFF41, 0xFF5A)) return cased(c - 0x20, c);
  if (c == 0x2071 || c == 0x207F || in(c, 0x2090, 0x209C)) return cased(c, c);
  if (caseless_range(c)) return {};
  return {Case::Unsupported};
}

CaseInfo checked_case(char32_t c) {
  CaseInfo info = case_info(c);
  if (info.kind == Case::Unsupported) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", unsigned(c));
    throw Error(std::string("case mapping of ") + buf + " is not supported");
  }
  return info;
}

void put_upper(std::u32string& out, char32_t c) {
  if (c == 0xDF) {
    out += U"SS";
    return;
  }
  CaseInfo info = checked_case(c);
  out += info.kind == Case::Cased ? info.upper : c;
}

void put_title(std::u32string& out, char32_t c) {
  if (c == 0xDF) {
    out += U"Ss";
    return;
  }
  put_upper(out, c);
}

void put_lower(std::u32string& out, char32_t c) {
  CaseInfo info = checked_case(c);
  out += info.kind == Case::Cased ? info.lower : c;
}

bool is_printable(char32_t c) {
  if (c < 0x20 || in(c, 0x7F, 0xA0) || c == 0xAD) return false;
  static constexpr char32_t kRanges[][2] = {
      {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},     {0x70F, 0x70F},      {0x1680, 0x1680},
      {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x2064},    {0x2066, 0x206F},
      {0x3000, 0x3000},   {0xD800, 0xF8FF},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},    {0xFFFE, 0xFFFF},
      {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF},
  };
  for (const auto& r : kRanges)
    if (in(c, r[0], r[1])) return false;
  return true;
}

bool is_line_break(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || in(c, 0x1C, 0x1E) || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}

}  // namespace

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = s[i];
    int n = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
    char32_t c = n == 0 ? b : n == 1 ? (b & 0x1F) : n == 2 ? (b & 0x0F) : (b & 0x07);
    bool ok = n >= 0;
    for (int k = 1; ok && k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    // Reject overlong forms, surrogates and out-of-range values.
    if (ok && ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10FFFF ||
               in(c, 0xD800, 0xDFFF)))
      ok = false;
    if (!ok) {
      out += char32_t(0xDC00 + b);
      i += 1;
    } else {
      out += c;
      i += n + 1;
    }
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (in(c, 0xDC80, 0xDCFF)) {
    out += char(c - 0xDC00);  // an invalid byte kept from decode()
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
}

std::string encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

size_t length(std::string_view s) { return decode(s).size(); }

bool is_space(char32_t c) {
  return in(c, 0x09, 0x0D) || in(c, 0x1C, 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 || in(c, 0x2000, 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string strip(std::string_view s, bool left, bool right) {
  std::u32string u = decode(s);
  size_t b = 0, e = u.size();
  while (left && b < e && is_space(u[b])) ++b;
  while (right && e > b && is_space(u[e - 1])) --e;
  return encode(std::u32string_view(u).substr(b, e - b));
}

std::string strip_chars(std::string_view s, std::string_view chars, bool left, bool right) {
  std::u32string u = decode(s), set = decode(chars);
  auto member = [&](char32_t c) { return set.find(c) != std::u32string::npos; };
  size_t b = 0, e = u.size();
  while (left && b < e && member(u[b])) ++b;
  while (right && e > b && member(u[e - 1])) --e;
  return encode(std::u32string_view(u).substr(b, e - b));
}

std::vector<std::string> split_whitespace(std::string_view s, long maxsplit) {
  std::u32string u = decode(s);
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    while (i < u.size() && is_space(u[i])) ++i;
    if (i >= u.size()) break;
    if (maxsplit >= 0 && long(out.size()) >= maxsplit) {
      out.push_back(encode(std::u32string_view(u).substr(i)));
      break;
    }
    size_t j = i;
    while (j < u.size() && !is_space(u[j])) ++j;
    out.push_back(encode(std::u32string_view(u).substr(i, j - i)));
    i = j;
  }
  return out;
}

std::vector<std::string> splitlines(std::string_view s) {
  std::u32string u = decode(s);
  std::vector<std::string> out;
  size_t start = 0, i = 0;
  while (i < u.size()) {
    if (is_line_break(u[i])) {
      out.push_back(encode(std::u32string_view(u).substr(start, i - start)));
      i += (u[i] == '\r' && i + 1 < u.size() && u[i + 1] == '\n') ? 2 : 1;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < u.size()) out.push_back(encode(std::u32string_view(u).substr(start)));
  return out;
}

std::string upper(std::string_view s) {
  std::u32string out;
  for (char32_t c : decode(s)) put_upper(out, c);
  return encode(out);
}

std::string lower(std::string_view s) {
  std::u32string out;
  for (char32_t c : decode(s)) put_lower(out, c);
  return encode(out);
}

std::string title(std::string_view s) {
  std::u32string out;
  bool prev_cased = false;
  for (char32_t c : decode(s)) {
    if (prev_cased)
      put_lower(out, c);
    else
      put_title(out, c);
    prev_cased = checked_case(c).kind == Case::Cased;
  }
  return encode(out);
}

std::string capitalize(std::string_view s) {
  std::u32string u = decode(s), out;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 0)
      put_title(out, u[i]);
    else
      put_lower(out, u[i]);
  }
  return encode(out);
}

std::string title_filter(std::string_view s) {
  std::u32string u = decode(s), out;
  auto is_sep = [](char32_t c) { return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_space(c); };
  size_t i = 0;
  while (i < u.size()) {
    bool sep = is_sep(u[i]);
    size_t j = i + 1;
    while (j < u.size() && is_sep(u[j]) == sep) ++j;
    put_upper(out, u[i]);
    for (size_t k = i + 1; k < j; ++k) put_lower(out, u[k]);
    i = j;
  }
  return encode(out);
}

std::string repr(std::string_view s) {
  std::u32string u = decode(s);
  bool has_single = u.find(U'\'') != std::u32string::npos, has_double = u.find(U'"') != std::u32string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : u) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == char32_t(quote)) {
      out += '\\';
      out += quote;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (in(c, 0xDC80, 0xDCFF) || !is_printable(c)) {
      char buf[16];
      if (c < 0x100)
        std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(c));
      else if (c < 0x10000)
        std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
      else
        std::snprintf(buf, sizeof buf, "\\U%08x", unsigned(c));
      out += buf;
    } else {
      append_utf8(out, c);
    }
  }
  out += quote;
  return out;
}

}  // namespace hw::jinja::uni
