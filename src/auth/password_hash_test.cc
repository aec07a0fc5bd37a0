#include "auth/password_hash.h"

#include <gtest/gtest.h>

#include "auth/auth_test_util.h"

namespace lockbox::auth {
namespace {

using testing::Secret;

constexpr PasswordHashParams kCheap{.time_cost = 1, .memory_kib = 8, .parallelism = 1};

TEST(PasswordHashTest, HashVerifiesItsPasswordAndNoOther) {
  const auto hash = HashPassword(Secret("correct horse battery staple"), kCheap);
  ASSERT_TRUE(hash.ok()) << hash.status().message();
  EXPECT_TRUE(VerifyPassword(Secret("correct horse battery staple"), *hash));
  EXPECT_FALSE(VerifyPassword(Secret("correct horse battery stapl"), *hash));
  EXPECT_FALSE(VerifyPassword(Secret("Correct horse battery staple"), *hash));
  EXPECT_FALSE(VerifyPassword(Secret(""), *hash));
}

TEST(PasswordHashTest, EncodedFormCarriesArgon2idAndItsParameters) {
  const auto hash = HashPassword(Secret("correct horse battery staple"),
                                 {.time_cost = 2, .memory_kib = 16, .parallelism = 1});
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=16,t=2,p=1$")) << *hash;
  EXPECT_EQ(hash->find("horse"), std::string::npos);
}

TEST(PasswordHashTest, EachHashHasItsOwnSalt) {
  const auto a = HashPassword(Secret("same password"), kCheap);
  const auto b = HashPassword(Secret("same password"), kCheap);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(Secret("same password"), *b));
}

TEST(PasswordHashTest, MalformedOrOtherAlgorithmHashesMatchNothing) {
  EXPECT_FALSE(VerifyPassword(Secret("pw"), ""));
  EXPECT_FALSE(VerifyPassword(Secret("pw"), "$argon2id$v=19$m=8,t=1,p=1$garbage"));
  // argon2i is not accepted where argon2id is stored.
  EXPECT_FALSE(VerifyPassword(
      Secret("password"),
      "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA"));
}

TEST(PasswordHashTest, RefusesParametersArgonRejects) {
  const auto hash = HashPassword(Secret("pw"), {.time_cost = 0, .memory_kib = 8, .parallelism = 1});
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), ErrorCode::kInvalidArgument);
}

TEST(PasswordHashTest, NeedsRehashWhenParametersChanged) {
  const auto hash = HashPassword(Secret("pw"), kCheap);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(NeedsRehash(*hash, kCheap));
  EXPECT_TRUE(NeedsRehash(*hash, {.time_cost = 2, .memory_kib = 8, .parallelism = 1}));
  EXPECT_TRUE(NeedsRehash(*hash, PasswordHashParams{}));
}

// The production defaults cost tens of milliseconds: enough to slow guessing, little enough
// for a sign-in. A loose bound, so a busy CI machine does not fail it.
TEST(PasswordHashTest, DefaultParametersCostTensOfMilliseconds) {
  const auto start = std::chrono::steady_clock::now();
  const auto hash = HashPassword(Secret("correct horse battery staple"), PasswordHashParams{});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(hash.ok());
  EXPECT_GE(elapsed, std::chrono::milliseconds(10));
  EXPECT_LE(elapsed, std::chrono::seconds(5));
}

}  // namespace
}  // namespace lockbox::auth
