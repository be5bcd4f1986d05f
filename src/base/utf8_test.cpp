#include "base/utf8.h"

#include <gtest/gtest.h>

namespace hw {
namespace {

TEST(Utf8, EncodeDecodeRoundTrip) {
  for (uint32_t cp : {0x0u, 0x41u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFDu, 0x10000u, 0x1F999u, 0x10FFFFu}) {
    std::string s;
    utf8_append(s, cp);
    EXPECT_EQ(s.size(), utf8_lead_len(uint8_t(s[0])));
    const Utf8Decoded d = utf8_decode(s, 0);
    EXPECT_TRUE(d.valid) << cp;
    EXPECT_EQ(d.cp, cp);
    EXPECT_EQ(d.len, s.size());
  }
}

TEST(Utf8, MalformedSequencesConsumeOneByte) {
  for (const std::string_view bad : {std::string_view("\x80"), std::string_view("\xC0\xAF"),  // stray, overlong
                                     std::string_view("\xED\xA0\x80"),                     // surrogate
                                     std::string_view("\xF4\x90\x80\x80"),                 // > U+10FFFF
                                     std::string_view("\xE2\x96"),                         // truncated
                                     std::string_view("\xFF")}) {
    const Utf8Decoded d = utf8_decode(bad, 0);
    EXPECT_FALSE(d.valid);
    EXPECT_EQ(d.len, 1u);
    EXPECT_EQ(d.cp, 0xFFFDu);
    EXPECT_FALSE(utf8_valid(bad));
  }
  EXPECT_TRUE(utf8_valid("h\xC3\xA9llo \xF0\x9F\xA6\x99"));
  EXPECT_EQ(utf8_char_len("\xE2\x96", 0), 2u);  // clamped to what is left
}

}  // namespace
}  // namespace hw
