#include "util/bytes.h"

#include <gtest/gtest.h>

#include <vector>

namespace lockbox {
namespace {

TEST(ByteReaderTest, ReadsLittleEndianAndFailsPastTheEnd) {
  const std::vector<uint8_t> data = {0x01, 0x02, 0x03, 0x04, 0x05};
  ByteReader r(data);
  EXPECT_EQ(r.U16(), 0x0201);
  EXPECT_EQ(r.U16(), 0x0403);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.U32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.U8(), 0u);  // stays failed
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CheckedRangeTest, RejectsOverflowingRanges) {
  const std::vector<uint8_t> data(16);
  EXPECT_TRUE(CheckedRange(data, 8, 8).has_value());
  EXPECT_FALSE(CheckedRange(data, 8, 9).has_value());
  EXPECT_FALSE(CheckedRange(data, ~0ULL, 2).has_value());
  EXPECT_FALSE(CheckedRange(data, 2, ~0ULL).has_value());
}

}  // namespace
}  // namespace lockbox
