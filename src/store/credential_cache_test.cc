#include "store/credential_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace lockbox::store::internal {
namespace {

MachineCredential Credential(std::string id, std::string computer_name = "PC-07") {
  return {.id = std::move(id),
          .token_hash = std::vector<uint8_t>(32, 0x11),
          .computer_id = Guid{},
          .enrollment_token_id = "enroll-1",
          .created_at = Time(std::chrono::seconds(1000)),
          .revoked_at = std::nullopt,
          .last_used = std::nullopt,
          .computer_name = std::move(computer_name)};
}

TEST(CredentialCacheTest, KeepsWhatItIsGivenUntilForgotten) {
  CredentialCache cache(100);
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  cache.Remember(Credential("cred-1"), cache.Epoch());
  EXPECT_EQ(cache.Find("cred-1"), Credential("cred-1"));
  EXPECT_EQ(cache.Find("cred-2"), std::nullopt);
  cache.Forget("cred-1");
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
}

// A lookup that began before a write committed read what the write replaced: it must not be
// kept, whichever credential the write changed.
TEST(CredentialCacheTest, RefusesWhatWasReadBeforeAForget) {
  CredentialCache cache(100);
  const uint64_t before = cache.Epoch();
  cache.Forget("cred-1");
  cache.Remember(Credential("cred-1", "PC-OLD-NAME"), before);
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  cache.Forget("cred-other");
  cache.Remember(Credential("cred-1"), before);
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  cache.Remember(Credential("cred-1"), cache.Epoch());
  EXPECT_EQ(cache.Find("cred-1"), Credential("cred-1"));
}

TEST(CredentialCacheTest, HoldsAboutItsCapacity) {
  CredentialCache cache(160);  // 16 shards of 11
  for (int i = 0; i < 1000; ++i) cache.Remember(Credential("cred-" + std::to_string(i)), 0);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += cache.Find("cred-" + std::to_string(i)) ? 1 : 0;
  EXPECT_GE(kept, 100);
  EXPECT_LE(kept, 176);
}

}  // namespace
}  // namespace lockbox::store::internal
