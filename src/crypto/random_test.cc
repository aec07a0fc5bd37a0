#include "crypto/random.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace lockbox::crypto {
namespace {

TEST(RandomBytesTest, FillsBufferWithDifferentBytesEachCall) {
  std::array<uint8_t, 32> a{};
  std::array<uint8_t, 32> b{};
  ASSERT_TRUE(RandomBytes(a).ok());
  ASSERT_TRUE(RandomBytes(b).ok());
  // Two 256-bit draws are equal, or all zero, with probability 2^-256.
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<uint8_t, 32>{}));
}

TEST(RandomBytesTest, EmptyRequestSucceeds) { EXPECT_TRUE(RandomBytes({}).ok()); }

}  // namespace
}  // namespace lockbox::crypto
