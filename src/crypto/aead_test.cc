#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lockbox::crypto {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string Text(const SecretBytes& s) { return {s.data(), s.data() + s.size()}; }

Aead MakeAead(uint8_t fill) {
  return std::move(Aead::Create(std::vector<uint8_t>(Aead::kKeySize, fill))).value();
}

TEST(AeadTest, OpensWhatItSealed) {
  const Aead aead = MakeAead(1);
  auto sealed = aead.Seal(Bytes("123456-654321"), "record:1");
  ASSERT_TRUE(sealed.ok()) << sealed.status().message();
  EXPECT_EQ(sealed->size(), 13 + Aead::kOverheadSize);
  auto opened = aead.Open(*sealed, "record:1");
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(Text(*opened), "123456-654321");
}

TEST(AeadTest, SealsEmptyPlaintext) {
  const Aead aead = MakeAead(1);
  auto sealed = aead.Seal({}, "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), Aead::kOverheadSize);
  auto opened = aead.Open(*sealed, "ad");
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
}

TEST(AeadTest, UsesAFreshNonceEachTime) {
  const Aead aead = MakeAead(1);
  auto a = aead.Seal(Bytes("same"), "ad");
  auto b = aead.Seal(Bytes("same"), "ad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(AeadTest, OtherAssociatedDataIsWrongKey) {
  const Aead aead = MakeAead(1);
  auto sealed = aead.Seal(Bytes("secret"), "recovery_password:a");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(aead.Open(*sealed, "recovery_password:b").status().code(), ErrorCode::kWrongKey);
}

TEST(AeadTest, OtherKeyIsWrongKey) {
  auto sealed = MakeAead(1).Seal(Bytes("secret"), "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(MakeAead(2).Open(*sealed, "ad").status().code(), ErrorCode::kWrongKey);
}

TEST(AeadTest, EveryFlippedBitIsDetected) {
  const Aead aead = MakeAead(1);
  auto sealed = aead.Seal(Bytes("secret"), "ad");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::vector<uint8_t> altered = *sealed;
    altered[i] ^= 0x01;
    EXPECT_EQ(aead.Open(altered, "ad").status().code(), ErrorCode::kWrongKey) << "byte " << i;
  }
}

TEST(AeadTest, TruncatedBlobIsCorrupt) {
  const Aead aead = MakeAead(1);
  const std::vector<uint8_t> short_blob(Aead::kOverheadSize - 1, 0);
  EXPECT_EQ(aead.Open(short_blob, "ad").status().code(), ErrorCode::kCorrupt);
}

TEST(AeadTest, RejectsKeyOfWrongSize) {
  EXPECT_EQ(Aead::Create(std::vector<uint8_t>(16, 0)).status().code(), ErrorCode::kInvalidArgument);
}

// Test case 14 of the GCM specification (McGrew and Viega): 256-bit zero key, zero nonce,
// one zero block. Proves the layout is nonce || ciphertext || tag with standard GCM inside.
TEST(AeadTest, OpensTheSpecificationsTestCase14) {
  const Aead aead = MakeAead(0);
  const std::vector<uint8_t> sealed = {
      0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,     // nonce
      0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e, 0x07, 0x4e, 0xc5, 0xd3,  // ciphertext
      0xba, 0xf3, 0x9d, 0x18,                                                  //
      0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0, 0x26, 0x5b, 0x98, 0xb5,  // tag
      0xd4, 0x8a, 0xb9, 0x19};
  auto opened = aead.Open(sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(std::vector<uint8_t>(opened->data(), opened->data() + opened->size()),
            std::vector<uint8_t>(16, 0));
}

}  // namespace
}  // namespace lockbox::crypto
