#include "crypto/aes_ccm.h"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <numeric>
#include <vector>

#include "crypto/test_hex.h"

namespace lockbox::crypto {
namespace {

using testing::FromHex;
using testing::ToHex;

// Generated with Python's `cryptography` (AESCCM(key, tag_length=16)): key 40..5f, nonce 70..7b,
// plaintext 00..2b (44 bytes, the size of a BitLocker VMK blob: 12-byte header + 32-byte key).
struct Vector {
  std::array<uint8_t, 32> key;
  std::array<uint8_t, 12> nonce;
  std::vector<uint8_t> plaintext;
  CcmSealed sealed;
};

Vector KnownAnswer() {
  Vector v;
  std::iota(v.key.begin(), v.key.end(), uint8_t{0x40});
  std::iota(v.nonce.begin(), v.nonce.end(), uint8_t{0x70});
  v.plaintext.resize(44);
  std::iota(v.plaintext.begin(), v.plaintext.end(), uint8_t{0});
  v.sealed.nonce = v.nonce;
  v.sealed.ciphertext = FromHex(
      "b7a5b806ac078e450b49426171f9746f1da6eb09901d62a363f7f1798ef05bc2"
      "11d1fae5676c70d1d72f7ed6");
  const std::vector<uint8_t> tag = FromHex("2b20cff1e7c9fc9fc5533e0c1d9ad437");
  std::copy(tag.begin(), tag.end(), v.sealed.tag.begin());
  return v;
}

TEST(AesCcmTest, EncryptMatchesKnownAnswer) {
  const Vector v = KnownAnswer();
  Result<CcmSealed> sealed = AesCcmEncrypt(v.key, v.nonce, v.plaintext);
  ASSERT_TRUE(sealed.ok()) << sealed.status().message();
  EXPECT_EQ(ToHex(sealed->ciphertext), ToHex(v.sealed.ciphertext));
  EXPECT_EQ(ToHex(sealed->tag), ToHex(v.sealed.tag));
  EXPECT_EQ(sealed->nonce, v.nonce);
}

TEST(AesCcmTest, DecryptMatchesKnownAnswer) {
  const Vector v = KnownAnswer();
  Result<SecretBytes> plaintext = AesCcmDecrypt(v.key, v.sealed);
  ASSERT_TRUE(plaintext.ok()) << plaintext.status().message();
  EXPECT_EQ(ToHex(plaintext->span()), ToHex(v.plaintext));
}

TEST(AesCcmTest, RoundTripsVariousLengths) {
  const Vector v = KnownAnswer();
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 60u, 4096u}) {
    std::vector<uint8_t> plaintext(size);
    std::iota(plaintext.begin(), plaintext.end(), uint8_t{3});
    Result<CcmSealed> sealed = AesCcmEncrypt(v.key, v.nonce, plaintext);
    ASSERT_TRUE(sealed.ok()) << size << ": " << sealed.status().message();
    Result<SecretBytes> opened = AesCcmDecrypt(v.key, *sealed);
    ASSERT_TRUE(opened.ok()) << size << ": " << opened.status().message();
    EXPECT_EQ(ToHex(opened->span()), ToHex(plaintext)) << size;
  }
}

TEST(AesCcmTest, AnyAlterationOrOtherKeyIsWrongKey) {
  const struct {
    const char* what;
    std::function<void(Vector&)> alter;
  } kCases[] = {
      {"flipped ciphertext bit", [](Vector& v) { v.sealed.ciphertext[20] ^= 0x01; }},
      {"flipped tag bit", [](Vector& v) { v.sealed.tag[15] ^= 0x80; }},
      {"flipped nonce bit", [](Vector& v) { v.sealed.nonce[0] ^= 0x01; }},
      {"truncated ciphertext", [](Vector& v) { v.sealed.ciphertext.pop_back(); }},
      {"other key", [](Vector& v) { v.key[31] ^= 0x01; }},
  };
  for (const auto& c : kCases) {
    Vector v = KnownAnswer();
    c.alter(v);
    Result<SecretBytes> opened = AesCcmDecrypt(v.key, v.sealed);
    ASSERT_FALSE(opened.ok()) << c.what;
    EXPECT_EQ(opened.status().code(), ErrorCode::kWrongKey) << c.what;
  }
}

TEST(AesCcmTest, KeyOfWrongSizeIsInvalidArgument) {
  const Vector v = KnownAnswer();
  const std::array<uint8_t, 16> short_key{};
  Result<SecretBytes> opened = AesCcmDecrypt(short_key, v.sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kInvalidArgument);
  Result<CcmSealed> sealed = AesCcmEncrypt(short_key, v.nonce, v.plaintext);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), ErrorCode::kInvalidArgument);
}

TEST(AesCcmTest, MessageLongerThanCcmAllowsIsInvalidArgument) {
  const Vector v = KnownAnswer();
  const std::vector<uint8_t> too_long(size_t{1} << 24);
  Result<CcmSealed> sealed = AesCcmEncrypt(v.key, v.nonce, too_long);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lockbox::crypto
