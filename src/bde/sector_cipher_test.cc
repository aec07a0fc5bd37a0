#include "bde/sector_cipher.h"

#include <gtest/gtest.h>

#include <vector>

#include "bde/metadata.h"
#include "bde/testing/synthetic_volume.h"
#include "crypto/aes.h"
#include "crypto/random.h"
#include "util/bytes.h"

namespace lockbox::bde {
namespace {

using crypto::Direction;

const uint16_t kAllMethods[] = {0x8000, 0x8001, 0x8002, 0x8003, 0x8004, 0x8005};

std::vector<uint8_t> RandomKey(uint16_t method) {
  std::vector<uint8_t> key(DescribeMethod(method)->fvek_size_bytes);
  EXPECT_TRUE(crypto::RandomBytes(key).ok());
  return key;
}

std::array<uint8_t, 16> Le128(uint64_t v) {
  std::array<uint8_t, 16> b{};
  StoreLe64(b.data(), v);
  return b;
}

class SectorCipherTest : public ::testing::TestWithParam<std::tuple<uint16_t, uint32_t>> {};

TEST_P(SectorCipherTest, EncryptThenDecryptRestoresEverySector) {
  const auto [method, sector_size] = GetParam();
  const auto key = RandomKey(method);
  auto cipher = SectorCipher::Create(method, key, sector_size);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  // More than one internal chunk, not a whole number of them.
  const auto plain = testing::SyntheticPattern(size_t{sector_size} * 300, 7);
  auto data = plain;
  const uint64_t offset = uint64_t{sector_size} * 12345;
  ASSERT_TRUE((*cipher)->Encrypt(offset, data).ok());
  // Every sector changed, and equal plaintexts at different offsets encrypt differently.
  for (size_t s = 0; s < 300; ++s) {
    EXPECT_FALSE(std::equal(data.begin() + s * sector_size, data.begin() + (s + 1) * sector_size,
                            plain.begin() + s * sector_size))
        << "sector " << s;
  }
  ASSERT_TRUE((*cipher)->Decrypt(offset, data).ok());
  EXPECT_EQ(data, plain);
}

TEST_P(SectorCipherTest, DecryptingPiecewiseEqualsDecryptingAtOnce) {
  const auto [method, sector_size] = GetParam();
  const auto key = RandomKey(method);
  auto cipher = std::move(SectorCipher::Create(method, key, sector_size).value());
  auto whole = testing::SyntheticPattern(size_t{sector_size} * 40, 3);
  auto pieces = whole;
  ASSERT_TRUE(cipher->Decrypt(0, whole).ok());
  ASSERT_TRUE(cipher->Decrypt(0, std::span(pieces).first(sector_size * 13)).ok());
  ASSERT_TRUE(
      cipher->Decrypt(uint64_t{sector_size} * 13, std::span(pieces).subspan(sector_size * 13))
          .ok());
  EXPECT_EQ(pieces, whole);
}

INSTANTIATE_TEST_SUITE_P(AllMethods, SectorCipherTest,
                         ::testing::Combine(::testing::ValuesIn(kAllMethods),
                                            ::testing::Values(512u, 4096u)),
                         [](const auto& param_info) {
                           return "m" + std::to_string(std::get<0>(param_info.param)) + "_" +
                                  std::to_string(std::get<1>(param_info.param));
                         });

// The bulk ECB-then-XOR decryption must equal per-sector AES-CBC with BitLocker's IV,
// AES-ECB(key, le128(byte offset)), also on 4096-byte sectors.
TEST(SectorCipher, CbcMatchesOpenSslCbcWithEncryptedOffsetIv) {
  for (uint32_t sector_size : {512u, 4096u}) {
    const auto key = RandomKey(0x8003);
    auto data = testing::SyntheticPattern(sector_size * 4, 11);
    const uint64_t offset = uint64_t{sector_size} * 1000;
    auto expected = data;
    auto ecb = std::move(crypto::AesEcb::Create(key, Direction::kEncrypt).value());
    auto cbc = std::move(crypto::AesCbc::Create(key, Direction::kDecrypt).value());
    for (size_t s = 0; s < 4; ++s) {
      auto iv = Le128(offset + s * sector_size);
      ASSERT_TRUE(ecb.Process(iv, iv).ok());
      auto sector = std::span(expected).subspan(s * sector_size, sector_size);
      ASSERT_TRUE(cbc.Process(iv, sector, sector).ok());
    }
    auto cipher = std::move(SectorCipher::Create(0x8003, key, sector_size).value());
    ASSERT_TRUE(cipher->Decrypt(offset, data).ok());
    EXPECT_EQ(data, expected) << sector_size;
  }
}

// XTS tweaks are sector numbers, not byte offsets.
TEST(SectorCipher, XtsTweakIsTheSectorNumber) {
  const auto key = RandomKey(0x8004);
  auto data = testing::SyntheticPattern(4096 * 2, 5);
  auto expected = data;
  auto xts = std::move(crypto::AesXts::Create(key, Direction::kDecrypt).value());
  for (uint64_t s = 0; s < 2; ++s) {
    auto sector = std::span(expected).subspan(s * 4096, 4096);
    ASSERT_TRUE(xts.Process(Le128(77 + s), sector, sector).ok());
  }
  auto cipher = std::move(SectorCipher::Create(0x8004, key, 4096).value());
  ASSERT_TRUE(cipher->Decrypt(77 * 4096, data).ok());
  EXPECT_EQ(data, expected);
}

// Elephant-128 uses key bytes 0-15 and 32-47 only: Windows fills the rest, which must not
// matter.
TEST(SectorCipher, Elephant128IgnoresTheUnusedKeyBytes) {
  auto key = RandomKey(0x8000);
  auto other = key;
  for (size_t i : {16, 20, 31, 48, 63}) other[i] ^= 0x5a;
  auto a = testing::SyntheticPattern(1024, 9);
  auto b = a;
  ASSERT_TRUE(SectorCipher::Create(0x8000, key, 512).value()->Decrypt(512, a).ok());
  ASSERT_TRUE(SectorCipher::Create(0x8000, other, 512).value()->Decrypt(512, b).ok());
  EXPECT_EQ(a, b);
  other[40] ^= 1;  // a tweak-key byte does matter
  auto c = testing::SyntheticPattern(1024, 9);
  ASSERT_TRUE(SectorCipher::Create(0x8000, other, 512).value()->Decrypt(512, c).ok());
  EXPECT_NE(a, c);
}

TEST(SectorCipher, RejectsMisalignedRuns) {
  auto cipher = std::move(SectorCipher::Create(0x8004, RandomKey(0x8004), 512).value());
  std::vector<uint8_t> data(1024);
  EXPECT_EQ(cipher->Decrypt(100, data).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(cipher->Decrypt(0, std::span(data).first(700)).code(), ErrorCode::kInvalidArgument);
}

TEST(SectorCipher, RejectsBadKeysMethodsAndSectorSizes) {
  std::vector<uint8_t> key(32);
  EXPECT_EQ(SectorCipher::Create(0x8002, key, 512).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SectorCipher::Create(0x8006, key, 512).status().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(SectorCipher::Create(0x8003, key, 1000).status().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace lockbox::bde
