#include "auth/token.h"

#include <gtest/gtest.h>

#include <set>

#include "auth/auth_test_util.h"

namespace lockbox::auth {
namespace {

using testing::Plain;

// `text` is `length` characters, each one of `alphabet`. (Not std::regex: GCC 12 warns inside
// it under the sanitizers.)
bool AllOf(std::string_view text, size_t length, std::string_view alphabet) {
  return text.size() == length && text.find_first_not_of(alphabet) == std::string_view::npos;
}
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

TEST(TokenTest, HasTheScannablePrefixIdAndSecret) {
  const auto token = NewToken(TokenKind::kApi);
  ASSERT_TRUE(token.ok());
  const std::string text = Plain(token->text);
  // lbx_api_[0-9a-f]{16}_[A-Za-z0-9_-]{43}, as docs/auth.md gives secret scanners.
  ASSERT_EQ(text.size(), 68u) << text;
  EXPECT_EQ(text.substr(0, 8), "lbx_api_");
  EXPECT_TRUE(AllOf(text.substr(8, 16), 16, kHex)) << text;
  EXPECT_EQ(text[24], '_');
  EXPECT_TRUE(AllOf(text.substr(25), 43, kBase64Url)) << text;
  EXPECT_EQ(text.substr(8, 16), token->id);
  EXPECT_EQ(token->hash, HashOf(text));
  EXPECT_EQ(token->hash.size(), 32u);
}

TEST(TokenTest, EachKindHasItsPrefix) {
  EXPECT_TRUE(Plain(NewToken(TokenKind::kSession)->text).starts_with("lbx_ses_"));
  EXPECT_TRUE(Plain(NewToken(TokenKind::kEnrollment)->text).starts_with("lbx_enr_"));
  EXPECT_TRUE(Plain(NewToken(TokenKind::kMachine)->text).starts_with("lbx_agt_"));
  EXPECT_EQ(KindOf(Plain(NewToken(TokenKind::kMachine)->text)), TokenKind::kMachine);
  EXPECT_EQ(KindOf("Bearer xyz"), std::nullopt);
}

TEST(TokenTest, TokensAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(Plain(NewToken(TokenKind::kApi)->text));
  EXPECT_EQ(seen.size(), 200u);
}

TEST(TokenTest, IdIsReadOnlyFromAWellFormedTokenOfTheRightKind) {
  const std::string text = Plain(NewToken(TokenKind::kApi)->text);
  EXPECT_EQ(*TokenId(TokenKind::kApi, text), text.substr(8, 16));
  EXPECT_EQ(TokenId(TokenKind::kMachine, text).status().code(), ErrorCode::kUnauthenticated);
  EXPECT_FALSE(TokenId(TokenKind::kApi, text.substr(0, text.size() - 1)).ok());
  EXPECT_FALSE(TokenId(TokenKind::kApi, text + "A").ok());
  std::string bad_char = text;
  bad_char.back() = '!';
  EXPECT_FALSE(TokenId(TokenKind::kApi, bad_char).ok());
  std::string upper_id = text;
  upper_id[8] = 'G';
  EXPECT_FALSE(TokenId(TokenKind::kApi, upper_id).ok());
  EXPECT_FALSE(TokenId(TokenKind::kApi, "").ok());
}

TEST(TokenTest, MatchesOnlyItsOwnHash) {
  const auto token = NewToken(TokenKind::kApi);
  const std::string text = Plain(token->text);
  EXPECT_TRUE(TokenMatches(text, token->hash));
  std::string changed = text;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(TokenMatches(changed, token->hash));
  EXPECT_FALSE(TokenMatches(text, {}));
}

TEST(TokenTest, RandomSecretIs43Base64UrlCharacters) {
  const auto secret = NewRandomSecret();
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(AllOf(Plain(*secret), 43, kBase64Url));
  EXPECT_NE(Plain(*secret), Plain(*NewRandomSecret()));
}

}  // namespace
}  // namespace lockbox::auth
