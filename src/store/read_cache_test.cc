#include "store/read_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace lockbox::store::internal {
namespace {

using Cache = ReadCache<std::string>;

TEST(ReadCacheTest, KeepsWhatItIsGivenUntilForgotten) {
  Cache cache(100);
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  cache.Remember("cred-1", "PC-07", cache.Epoch());
  EXPECT_EQ(cache.Find("cred-1"), "PC-07");
  EXPECT_EQ(cache.Find("cred-2"), std::nullopt);
  cache.Forget("cred-1");
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
}

// A lookup that began before a write committed read what the write replaced: it must not be
// kept, whichever record the write changed.
TEST(ReadCacheTest, RefusesWhatWasReadBeforeAForget) {
  Cache cache(100);
  const uint64_t before = cache.Epoch();
  cache.Forget("cred-1");
  cache.Remember("cred-1", "PC-OLD-NAME", before);
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  cache.Forget("cred-other");
  cache.Remember("cred-1", "PC-07", before);
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  cache.Remember("cred-1", "PC-07", cache.Epoch());
  EXPECT_EQ(cache.Find("cred-1"), "PC-07");
}

// Another process wrote: nothing kept stays, and nothing read before is kept.
TEST(ReadCacheTest, ClearForgetsEverythingAndWhatWasBeingRead) {
  Cache cache(100);
  cache.Remember("cred-1", "PC-07", cache.Epoch());
  cache.Remember("cred-2", "PC-08", cache.Epoch());
  const uint64_t before = cache.Epoch();
  cache.Clear();
  EXPECT_EQ(cache.Find("cred-1"), std::nullopt);
  EXPECT_EQ(cache.Find("cred-2"), std::nullopt);
  cache.Remember("cred-3", "PC-09", before);
  EXPECT_EQ(cache.Find("cred-3"), std::nullopt);
}

TEST(ReadCacheTest, HoldsAboutItsCapacity) {
  Cache cache(160);  // 16 shards of 11
  for (int i = 0; i < 1000; ++i) cache.Remember("cred-" + std::to_string(i), "PC", 0);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += cache.Find("cred-" + std::to_string(i)) ? 1 : 0;
  EXPECT_GE(kept, 100);
  EXPECT_LE(kept, 176);
}

}  // namespace
}  // namespace lockbox::store::internal
