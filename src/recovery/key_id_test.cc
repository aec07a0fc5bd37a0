#include "recovery/key_id.h"

#include <gtest/gtest.h>

namespace lockbox::recovery {
namespace {

Guid ProtectorId() {
  // A GUID from the test images (the name of their startup key file).
  auto id = Guid::Parse("4381f759-c4f8-4de0-bb61-fc33a831bda5");
  EXPECT_TRUE(id.ok());
  return *id;
}

TEST(KeyIdTest, ShortFormIsTheFirstEightHexCharactersUpperCase) {
  EXPECT_EQ(ShortKeyId(ProtectorId()), "4381F759");
}

TEST(KeyIdTest, FullFormIsTheBracedUpperCaseGuid) {
  EXPECT_EQ(FullKeyId(ProtectorId()), "{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}");
}

TEST(KeyIdTest, ParseAcceptsWhatPeopleType) {
  struct Case {
    std::string_view typed;
    std::string_view hex;
  };
  for (const Case& c : {
           Case{"4381F759", "4381f759"},
           Case{"  4381f759\n", "4381f759"},
           Case{"{4381F759", "4381f759"},
           Case{"4381F759-", "4381f759"},
           Case{"4381F759-C4F8", "4381f759c4f8"},
           Case{"4381F759C4", "4381f759c4"},
           Case{"{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}", "4381f759c4f84de0bb61fc33a831bda5"},
           Case{"4381f759c4f84de0bb61fc33a831bda5", "4381f759c4f84de0bb61fc33a831bda5"},
       }) {
    auto prefix = KeyIdPrefix::Parse(c.typed);
    ASSERT_TRUE(prefix.ok()) << c.typed << ": " << prefix.status().message();
    EXPECT_EQ(prefix->hex(), c.hex) << c.typed;
    EXPECT_EQ(prefix->complete(), c.hex.size() == 32) << c.typed;
    EXPECT_TRUE(prefix->Matches(ProtectorId())) << c.typed;
  }
}

TEST(KeyIdTest, ParseRejectsWithMessage) {
  struct Case {
    std::string_view typed;
    std::string_view message;
  };
  for (const Case& c : {
           Case{"",
                "the key ID has 0 hex characters: type at least the first 8, as shown on the "
                "recovery screen"},
           Case{"4381F75",
                "the key ID has 7 hex characters: type at least the first 8, as shown "
                "on the recovery screen"},
           Case{"4381F759-C4F8-4DE0-BB61-FC33A831BDA51",
                "the key ID has 33 hex characters: a full key ID has 32"},
           Case{"4381G759", "character 5 ('G') is not a hex digit (0-9, A-F)"},
           Case{"438lF759", "character 4 ('l') is not a hex digit (0-9, A-F): did you mean 1?"},
           Case{"4381-F759",
                "character 5 ('-') is not where a key ID has a hyphen (after hex characters 8, "
                "12, 16 and 20)"},
           Case{"4381F759--C4F8",
                "character 10 ('-') is not where a key ID has a hyphen (after hex characters 8, "
                "12, 16 and 20)"},
       }) {
    auto prefix = KeyIdPrefix::Parse(c.typed);
    ASSERT_FALSE(prefix.ok()) << c.typed;
    EXPECT_EQ(prefix.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(prefix.status().message(), c.message) << c.typed;
  }
}

TEST(KeyIdTest, PrefixTextIsHowTheCanonicalIdBegins) {
  const std::string id = ProtectorId().ToString();
  for (size_t length = 8; length <= id.size(); ++length) {
    if (id[length - 1] == '-') continue;
    auto prefix = KeyIdPrefix::Parse(id.substr(0, length));
    ASSERT_TRUE(prefix.ok()) << prefix.status().message();
    EXPECT_EQ(prefix->text(), id.substr(0, length));
  }
  EXPECT_EQ(KeyIdPrefix::Parse("4381F759C4")->text(), "4381f759-c4");
}

TEST(KeyIdTest, PrefixDoesNotMatchAnotherId) {
  auto prefix = KeyIdPrefix::Parse("4381F759-C4F9");
  ASSERT_TRUE(prefix.ok());
  EXPECT_FALSE(prefix->Matches(ProtectorId()));
}

TEST(KeyIdTest, NewProtectorIdIsARandomVersion4Guid) {
  auto a = NewProtectorId();
  auto b = NewProtectorId();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  const std::string text = a->ToString();
  EXPECT_EQ(text[14], '4');
  EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
}

}  // namespace
}  // namespace lockbox::recovery
