#include "bde/decrypted_volume.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "bde/testing/synthetic_volume.h"
#include "crypto/sha256.h"
#include "test_images.h"

namespace lockbox::bde {
namespace {

using testing::BuildSyntheticVolume;
using testing::SyntheticProtector;
using testing::SyntheticVolumeSpec;

std::string Hex(const crypto::Sha256Digest& d) {
  std::string s;
  char b[3];
  for (uint8_t x : d) {
    std::snprintf(b, sizeof b, "%02x", x);
    s += b;
  }
  return s;
}

// SHA-256 of the whole plaintext, read in 1 MiB chunks.
std::string PlaintextSha256(const DecryptedVolume& plain) {
  crypto::Sha256Hasher hasher;
  std::vector<uint8_t> chunk(1 << 20);
  for (uint64_t pos = 0; pos < plain.size_bytes(); pos += chunk.size()) {
    auto piece = std::span(chunk).first(std::min<uint64_t>(chunk.size(), plain.size_bytes() - pos));
    EXPECT_TRUE(plain.ReadAt(pos, piece).ok());
    hasher.Update(piece);
  }
  return Hex(hasher.Finish());
}

struct Opened {
  std::unique_ptr<Volume> volume;
  std::unique_ptr<DecryptedVolume> plain;
};

Opened OpenReal(const lockbox::testing::TestImage& image) {
  auto volume = std::make_unique<Volume>(Volume::Open(OpenBlockReader(image.path).value()).value());
  const KeyMaterial key = image.Get("RP").empty()
                              ? KeyMaterial::ClearKey()
                              : KeyMaterial::FromRecoveryPassword(
                                    recovery::RecoveryPassword::Parse(image.Get("RP")).value());
  auto keys = Unlock(*volume, std::span(&key, 1)).value();
  auto plain = DecryptedVolume::Create(*volume, keys);
  EXPECT_TRUE(plain.ok()) << plain.status().message();
  return {std::move(volume), plain.ok() ? std::move(*plain) : nullptr};
}

// The plaintext of every real image with a known checksum (made by cryptsetup's BITLK
// support) hashes to that checksum: every method, 4096-byte sectors, To Go, startup key.
TEST(DecryptedVolumeRealImages, WholeVolumeMatchesKnownSha256) {
  const auto* images = lockbox::testing::TestImages();
  if (!images) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  int checked = 0;
  for (const auto& image : images->images) {
    if (image.Get("SHA256SUM").empty()) continue;
    SCOPED_TRACE(image.name);
    const Opened opened = OpenReal(image);
    ASSERT_NE(opened.plain, nullptr);
    EXPECT_TRUE(opened.plain->coverage().complete);
    EXPECT_EQ(opened.plain->coverage().state, "encrypted");
    EXPECT_EQ(PlaintextSha256(*opened.plain), image.Get("SHA256SUM"));
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

// The two "used space only" images carry the encrypt-on-write GUID and claim the whole volume
// is encrypted, yet one stores its relocated boot sector in plaintext: without the
// undocumented bitmaps no output would be trustworthy, so none is produced.
TEST(DecryptedVolumeRealImages, EncryptOnWriteImagesAreRefused) {
  const auto* images = lockbox::testing::TestImages();
  if (!images) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  for (const char* name : {"bitlk-aes-xts-128-eow", "bitlk-partially-encrypted-aes-cbc-128"}) {
    SCOPED_TRACE(name);
    const auto& image = *images->Find(name);
    auto volume = Volume::Open(OpenBlockReader(image.path).value()).value();
    const KeyMaterial key = KeyMaterial::FromRecoveryPassword(
        recovery::RecoveryPassword::Parse(image.Get("RP")).value());
    auto keys = Unlock(volume, std::span(&key, 1));
    ASSERT_TRUE(keys.ok()) << keys.status().message();
    auto plain = DecryptedVolume::Create(volume, *keys);
    EXPECT_EQ(plain.status().code(), ErrorCode::kUnsupported);
    EXPECT_NE(plain.status().message().find("used space only"), std::string::npos);
  }
}

class DecryptedSynthetic : public ::testing::TestWithParam<std::tuple<uint16_t, uint32_t>> {};

TEST_P(DecryptedSynthetic, ReadsBackThePlaintextExactly) {
  const auto [method, sector_size] = GetParam();
  SyntheticVolumeSpec spec;
  spec.method = method;
  spec.sector_size = sector_size;
  spec.size_bytes = 2 << 20;
  spec.protectors = {SyntheticProtector::Kind::kClearKey};
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image)).value();
  const KeyMaterial key = KeyMaterial::ClearKey();
  auto keys = Unlock(volume, std::span(&key, 1)).value();
  auto plain = DecryptedVolume::Create(volume, keys).value();
  EXPECT_TRUE(plain->coverage().complete);
  EXPECT_EQ(plain->sector_size(), sector_size);
  std::vector<uint8_t> all(plain->size_bytes());
  ASSERT_TRUE(plain->ReadAt(0, all).ok());
  EXPECT_TRUE(all == built.expected_plaintext);
  // Unaligned reads across every kind of boundary: relocated area, metadata, backup header.
  for (uint64_t at : {uint64_t{1}, uint64_t{8191}, built.metadata_offsets[0] - 3,
                      built.header_backup_offset + 8190, built.metadata_offsets[2] + 65535}) {
    std::vector<uint8_t> piece(5000);
    ASSERT_TRUE(plain->ReadAt(at, piece).ok());
    EXPECT_TRUE(std::equal(piece.begin(), piece.end(), built.expected_plaintext.begin() + at))
        << at;
  }
}

INSTANTIATE_TEST_SUITE_P(AllMethods, DecryptedSynthetic,
                         ::testing::Combine(::testing::Values(0x8000, 0x8001, 0x8002, 0x8003,
                                                              0x8004, 0x8005),
                                            ::testing::Values(512u, 4096u)));

// A paused conversion: bytes below the encrypted size are decrypted, the rest passed through.
TEST(DecryptedVolume, PausedConversionDecryptsOnlyTheEncryptedPart) {
  SyntheticVolumeSpec spec;
  spec.method = 0x8002;
  spec.size_bytes = 2 << 20;
  spec.encrypted_size_bytes = (1 << 20) + 4096;
  spec.state = 5;
  spec.protectors = {SyntheticProtector::Kind::kClearKey};
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image)).value();
  const KeyMaterial key = KeyMaterial::ClearKey();
  auto plain = DecryptedVolume::Create(volume, Unlock(volume, std::span(&key, 1)).value()).value();
  const auto& c = plain->coverage();
  EXPECT_TRUE(c.complete);
  EXPECT_EQ(c.encrypted_size_bytes, (1u << 20) + 4096);
  EXPECT_EQ(c.state.rfind("partially encrypted", 0), 0u) << c.state;
  EXPECT_NE(c.explanation.find("passed through"), std::string::npos);
  std::vector<uint8_t> all(plain->size_bytes());
  ASSERT_TRUE(plain->ReadAt(0, all).ok());
  EXPECT_TRUE(all == built.expected_plaintext);
}

TEST(DecryptedVolume, ConcurrentReadersGetTheSameBytes) {
  SyntheticVolumeSpec spec;
  spec.size_bytes = 4 << 20;
  spec.protectors = {SyntheticProtector::Kind::kClearKey};
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image)).value();
  const KeyMaterial key = KeyMaterial::ClearKey();
  auto plain = DecryptedVolume::Create(volume, Unlock(volume, std::span(&key, 1)).value()).value();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> piece(128 * 1024);
      for (int round = 0; round < 20; ++round) {
        const uint64_t at = ((round * 4 + t) % 31) * piece.size();
        if (!plain->ReadAt(at, piece).ok() ||
            !std::equal(piece.begin(), piece.end(), built.expected_plaintext.begin() + at)) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(DecryptedVolume, ReadPastTheEndIsAnIoError) {
  SyntheticVolumeSpec spec;
  spec.size_bytes = 1 << 20;
  spec.protectors = {SyntheticProtector::Kind::kClearKey};
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image)).value();
  const KeyMaterial key = KeyMaterial::ClearKey();
  auto plain = DecryptedVolume::Create(volume, Unlock(volume, std::span(&key, 1)).value()).value();
  std::vector<uint8_t> piece(1024);
  EXPECT_EQ(plain->ReadAt((1 << 20) - 512, piece).code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace lockbox::bde
