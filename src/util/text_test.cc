#include "util/text.h"

#include <gtest/gtest.h>

namespace lockbox {
namespace {

TEST(TextTest, Utf8ToUtf16HandlesMultibyteAndAstralCharacters) {
  // "aé€😀": 1, 2, 3 and 4 UTF-8 bytes; the last needs a surrogate pair.
  auto out = Utf8ToUtf16Le("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  ASSERT_TRUE(out.ok());
  const std::vector<uint8_t> expected = {0x61, 0, 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE};
  EXPECT_EQ(*out, expected);
}

TEST(TextTest, Utf8ToUtf16RejectsInvalidInput) {
  EXPECT_FALSE(Utf8ToUtf16Le("\xC0\xAF").ok());      // overlong '/'
  EXPECT_FALSE(Utf8ToUtf16Le("\xED\xA0\x80").ok());  // encoded surrogate
  EXPECT_FALSE(Utf8ToUtf16Le("abc\xE2\x82").ok());   // truncated
  EXPECT_FALSE(Utf8ToUtf16Le("\xFF").ok());
}

TEST(TextTest, Utf16ToUtf8StopsAtNulAndRejectsDamage) {
  const std::vector<uint8_t> s = {'P', 0, 'C', 0, 0, 0, 'X', 0};
  EXPECT_EQ(*Utf16LeToUtf8(s), "PC");
  const std::vector<uint8_t> odd = {'P', 0, 'C'};
  EXPECT_EQ(Utf16LeToUtf8(odd).status().code(), ErrorCode::kCorrupt);
  const std::vector<uint8_t> lone = {0x00, 0xDC};
  EXPECT_FALSE(Utf16LeToUtf8(lone).ok());
}

TEST(TextTest, ToHexWritesTwoLowerCaseDigitsPerByte) {
  const std::vector<uint8_t> bytes = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(ToHex(bytes), "000fa5ff");
  EXPECT_EQ(ToHex({}), "");
}

TEST(TextTest, UnixTimeFormatsUtc) {
  EXPECT_EQ(UnixTimeToIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(UnixTimeToIso8601(1764576742), "2025-12-01T08:12:22Z");
}

TEST(TextTest, FiletimeFormatsUtcAndRejectsNonsense) {
  EXPECT_EQ(FiletimeToIso8601(116444736000000000ULL), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FiletimeToIso8601(0), "");
  EXPECT_EQ(FiletimeToIso8601(~0ULL), "");
}

}  // namespace
}  // namespace lockbox
