#include "base/utf8.h"

namespace hw {

Utf8Decoded utf8_decode(std::string_view s, size_t pos) {
  Utf8Decoded bad{0xFFFD, 1, false};
  const uint8_t b0 = uint8_t(s[pos]);
  if (b0 < 0x80) return {b0, 1, true};
  const size_t n = utf8_lead_len(b0);
  if (n == 1 || pos + n > s.size()) return bad;
  uint32_t cp = b0 & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    const uint8_t b = uint8_t(s[pos + i]);
    if ((b & 0xC0) != 0x80) return bad;
    cp = cp << 6 | (b & 0x3F);
  }
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return bad;
  return {cp, n, true};
}

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6);
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3F));
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

bool utf8_valid(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Decoded d = utf8_decode(s, pos);
    if (!d.valid) return false;
    pos += d.len;
  }
  return true;
}

}  // namespace hw
