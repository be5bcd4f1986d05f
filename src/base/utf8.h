// UTF-8 helpers: sequence length from a lead byte, decode one code point, encode one.
// Malformed input never throws: a bad lead byte or a truncated/invalid sequence counts
// as one byte, so callers can always make progress and keep the bytes they saw.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hw {

// Length of the sequence a lead byte announces (1 for ASCII, continuation bytes and
// invalid leads; 2..4 otherwise). Does not look at the following bytes.
inline size_t utf8_lead_len(uint8_t lead) {
  if (lead < 0xC0) return 1;  // ASCII or a stray continuation byte
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF8) return 4;
  return 1;
}

// Bytes of the (possibly malformed) character that starts at s[pos]: the announced
// length, clamped to what is left of s. pos must be < s.size().
inline size_t utf8_char_len(std::string_view s, size_t pos) {
  const size_t n = utf8_lead_len(uint8_t(s[pos]));
  return n < s.size() - pos ? n : s.size() - pos;
}

struct Utf8Decoded {
  uint32_t cp = 0;    // the code point, or U+FFFD when !valid
  size_t len = 1;     // bytes consumed (>= 1)
  bool valid = false;
};

// Decodes the character at s[pos] (pos < s.size()), rejecting overlong forms,
// surrogates and values above U+10FFFF; an invalid sequence consumes one byte.
Utf8Decoded utf8_decode(std::string_view s, size_t pos);

// Appends the UTF-8 encoding of cp (cp <= U+10FFFF) to out.
void utf8_append(std::string& out, uint32_t cp);

// True if s is entirely well-formed UTF-8.
bool utf8_valid(std::string_view s);

}  // namespace hw
