#include "recovery/recovery_password.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "test_images.h"

namespace lockbox::recovery {
namespace {

// The recovery password of the bitlk-aes-xts-128 test image.
constexpr std::string_view kPassword = "235818-357951-253979-013365-241120-245575-342914-591910";

std::vector<uint8_t> KeyBytes(const RecoveryPassword& password) {
  auto key = password.key().span();
  return {key.begin(), key.end()};
}

TEST(RecoveryPasswordTest, KeyIsTheBlockQuotientsLittleEndian) {
  auto password = RecoveryPassword::Parse(kPassword);
  ASSERT_TRUE(password.ok()) << password.status().message();
  // 235818 / 11 = 21438 = 0x53BE, 357951 / 11 = 32541 = 0x7F1D, ... 591910 / 11 = 53810 = 0xD232.
  const std::vector<uint8_t> expected = {0xbe, 0x53, 0x1d, 0x7f, 0x31, 0x5a, 0xbf, 0x04,
                                         0xa0, 0x55, 0x35, 0x57, 0xc6, 0x79, 0x32, 0xd2};
  EXPECT_EQ(KeyBytes(*password), expected);
}

TEST(RecoveryPasswordTest, AcceptsHyphensSpacesOrNothingBetweenGroups) {
  const std::vector<std::string_view> variants = {
      "235818 357951 253979 013365 241120 245575 342914 591910",
      "235818357951253979013365241120245575342914591910",
      "  235818-357951-253979-013365-241120-245575-342914-591910\n",
      "235818 - 357951 - 253979 - 013365 - 241120 - 245575 - 342914 - 591910",
      "235818357951-253979013365 241120245575342914-591910",  // some separators left out
      "\t235818  357951-253979-013365-241120-245575-342914-591910\r\n",
  };
  for (std::string_view typed : variants) {
    auto password = RecoveryPassword::Parse(typed);
    ASSERT_TRUE(password.ok()) << typed << ": " << password.status().message();
    EXPECT_EQ(password->ToString(), kPassword) << typed;
  }
}

TEST(RecoveryPasswordTest, EveryTestImagePasswordParsesAndRoundTrips) {
  const testing::TestImageSet* images = testing::TestImages();
  if (images == nullptr) GTEST_SKIP() << testing::TestImagesSkipReason();
  int checked = 0;
  for (const testing::TestImage& image : images->images) {
    for (const char* field : {"RP", "RP2"}) {
      const std::string typed = image.Get(field);
      if (typed.empty()) continue;
      auto password = RecoveryPassword::Parse(typed);
      ASSERT_TRUE(password.ok()) << image.name << ": " << password.status().message();
      EXPECT_EQ(password->ToString(), typed) << image.name;
      auto again = RecoveryPassword::FromKey(password->key().span().first<16>());
      EXPECT_EQ(again.ToString(), typed) << image.name;
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
}

TEST(RecoveryPasswordTest, FromKeyEncodesEachQuotientAsABlock) {
  const std::array<uint8_t, 16> key = {0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0x01,
                                       0x34, 0x12, 0x00, 0x80, 0xfe, 0xff, 0x02, 0x00};
  EXPECT_EQ(RecoveryPassword::FromKey(key).ToString(),
            "000000-720885-000011-002816-051260-360448-720874-000022");
}

TEST(RecoveryPasswordTest, RejectsInvalidBlocksNamingEachOne) {
  auto password =
      RecoveryPassword::Parse("235818-357951-123457-013365-720896-245575-342914-591910");
  ASSERT_FALSE(password.ok());
  EXPECT_EQ(password.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(password.status().message(),
            "block 3 (123457) is not divisible by 11: check the digits of that block; "
            "block 5 (720896) is too large (blocks are at most 720885): at least two of its "
            "digits are wrong; check the whole block");
}

struct SyntaxCase {
  std::string_view typed;
  std::string_view message;
};

class RecoveryPasswordSyntaxTest : public ::testing::TestWithParam<SyntaxCase> {};

TEST_P(RecoveryPasswordSyntaxTest, RejectsWithMessage) {
  auto password = RecoveryPassword::Parse(GetParam().typed);
  ASSERT_FALSE(password.ok());
  EXPECT_EQ(password.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(password.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Messages, RecoveryPasswordSyntaxTest,
    ::testing::Values(
        SyntaxCase{"", "the recovery password is empty: type its 48 digits"},
        SyntaxCase{" \n", "the recovery password is empty: type its 48 digits"},
        SyntaxCase{"235818-35x951-253979-013365-241120-245575-342914-591910",
                   "character 10 ('x') is not a digit; a recovery password has only digits, with "
                   "hyphens or spaces between groups of 6"},
        SyntaxCase{"235818-3579O1-253979-013365-241120-245575-342914-591910",
                   "character 12 ('O') is not a digit: did you mean 0?; a recovery password has "
                   "only digits, with hyphens or spaces between groups of 6"},
        // Positions count characters, not bytes: "é" is two bytes but one character.
        SyntaxCase{"é235818-357951-253979-013365-241120-245575-342914-591910",
                   "character 1 (a non-ASCII character) is not a digit; a recovery password has "
                   "only digits, with hyphens or spaces between groups of 6"},
        SyntaxCase{"  +235818-357951-253979-013365-241120-245575-342914-591910",
                   "character 3 ('+') is not a digit; a recovery password has only digits, with "
                   "hyphens or spaces between groups of 6"},
        SyntaxCase{"-235818-357951-253979-013365-241120-245575-342914-591910",
                   "character 1 ('-') is not between two groups of digits: a recovery password "
                   "is 8 groups of 6 digits, with hyphens or spaces only between them"},
        SyntaxCase{"235818-357951-253979-013365-241120-245575-342914-591910-",
                   "character 56 ('-') is not between two groups of digits: a recovery password "
                   "is 8 groups of 6 digits, with hyphens or spaces only between them"},
        SyntaxCase{"235818--357951-253979-013365-241120-245575-342914-591910",
                   "character 8 ('-') is a second hyphen between two groups: type one"},
        SyntaxCase{"235818\t357951-253979-013365-241120-245575-342914-591910",
                   "character 7 (a tab) is not a digit; a recovery password has only digits, "
                   "with hyphens or spaces between groups of 6"},
        SyntaxCase{"235-818-357951-253979-013365-241120-245575-342914-591910",
                   "character 4 ('-') is inside group 1: separators go only between groups of 6 "
                   "digits"},
        SyntaxCase{"235818-357951-2539791-013365-241120-245575-342914-591910",
                   "group 3 has 7 digits: each group has 6; check that group"},
        SyntaxCase{"235818-357951-25397-013365-241120-245575-342914-591910",
                   "group 3 has 5 digits: each group has 6; check that group"},
        SyntaxCase{"235818-357951-253979-013365-241120-245575-342914",
                   "found 7 groups of 6 digits: a recovery password has 8"},
        SyntaxCase{"235818-357951-253979-013365-241120-245575-342914-591910-591910",
                   "found 9 groups of 6 digits: a recovery password has 8"},
        SyntaxCase{"23581835795125397901336524112024557534291459191",
                   "found 47 digits: a recovery password has 48 (8 groups of 6)"}));

TEST(RecoveryPasswordTest, GenerateGivesValidDistinctPasswords) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto password = RecoveryPassword::Generate();
    ASSERT_TRUE(password.ok()) << password.status().message();
    ASSERT_EQ(password->key().size(), 16u);
    const std::string text = password->ToString();
    ASSERT_EQ(text.size(), 55u);
    auto parsed = RecoveryPassword::Parse(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(KeyBytes(*parsed), KeyBytes(*password));
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace lockbox::recovery
