// hardwire jinja: the few pieces of Python's str semantics that templates reach: UTF-8 code points,
// str.isspace, str.splitlines, and case mapping. Case mapping covers ASCII, Latin-1, Latin Extended-A,
// basic Greek and Cyrillic and fullwidth Latin, and knows the common caseless scripts (CJK, kana,
// Hangul, Arabic, Hebrew, Indic, Thai, symbols, emoji); any other code point throws hw::Error rather
// than risk a prompt that differs from Python's.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hw::jinja::uni {

// Decodes UTF-8. An invalid byte b decodes to the lone surrogate 0xDC00+b and encodes back to b,
// so decode/encode round-trips any byte string.
std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
void append_utf8(std::string& out, char32_t c);
size_t length(std::string_view s);  // code points, as Python's len(str)

bool is_space(char32_t c);                                     // Python str.isspace()
std::string strip(std::string_view s, bool left, bool right);  // whitespace
std::string strip_chars(std::string_view s, std::string_view chars, bool left, bool right);
std::vector<std::string> split_whitespace(std::string_view s, long maxsplit);  // str.split()
std::vector<std::string> splitlines(std::string_view s);                       // str.splitlines()

std::string upper(std::string_view s);       // str.upper()
std::string lower(std::string_view s);       // str.lower()
std::string title(std::string_view s);       // str.title()
std::string capitalize(std::string_view s);  // str.capitalize()
// jinja2's title filter: each run split at [-\s({[<]+ gets item[0].upper() + item[1:].lower().
std::string title_filter(std::string_view s);

// Python repr() of a str: quotes chosen as Python does, non-printables escaped.
std::string repr(std::string_view s);

}  // namespace hw::jinja::uni
