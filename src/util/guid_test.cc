#include "util/guid.h"

#include <gtest/gtest.h>

namespace lockbox {
namespace {

TEST(GuidTest, TextRoundTripsThroughMixedEndianBytes) {
  auto g = Guid::Parse("4967d63b-2e29-4ad8-8399-f6a339e3d001");
  ASSERT_TRUE(g.ok());
  const std::array<uint8_t, 16> on_disk = {0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a,
                                           0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01};
  EXPECT_EQ(g->bytes, on_disk);
  EXPECT_EQ(Guid::FromBytes(on_disk).ToString(), "4967d63b-2e29-4ad8-8399-f6a339e3d001");
}

TEST(GuidTest, AcceptsBracesAndUpperCase) {
  auto g = Guid::Parse("{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->ToString(), "4381f759-c4f8-4de0-bb61-fc33a831bda5");
}

TEST(GuidTest, RejectsMalformedText) {
  EXPECT_FALSE(Guid::Parse("").ok());
  EXPECT_FALSE(Guid::Parse("4967d63b2e294ad88399f6a339e3d001").ok());
  EXPECT_FALSE(Guid::Parse("4967d63b-2e29-4ad8-8399-f6a339e3d00g").ok());
  EXPECT_EQ(Guid::Parse("x").status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lockbox
