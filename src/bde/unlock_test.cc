#include "bde/unlock.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "bde/testing/synthetic_volume.h"
#include "test_images.h"

namespace lockbox::bde {
namespace {

using testing::BuildSyntheticVolume;
using testing::SyntheticProtector;
using testing::SyntheticVolumeSpec;
using synthetic = SyntheticProtector::Kind;

// Synthetic volumes are built and unlocked with a short key stretch.
constexpr uint64_t kFewRounds = 16;
const UnlockOptions kFast{kFewRounds};

Volume OpenReal(const lockbox::testing::TestImage& image) {
  auto reader = OpenBlockReader(image.path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  auto volume = Volume::Open(std::move(*reader));
  EXPECT_TRUE(volume.ok()) << image.name << ": " << volume.status().message();
  return std::move(*volume);
}

KeyMaterial RecoveryKey(const std::string& text) {
  return KeyMaterial::FromRecoveryPassword(recovery::RecoveryPassword::Parse(text).value());
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every key images.conf lists opens the protector it names.
TEST(UnlockRealImages, EachListedKeyOpensItsProtector) {
  const auto* images = lockbox::testing::TestImages();
  if (!images) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  int unlocked = 0;
  for (const auto& image : images->images) {
    SCOPED_TRACE(image.name);
    const Volume volume = OpenReal(image);
    std::vector<std::pair<KeyMaterial, std::string>> keys;  // key, expected protector GUID
    for (const std::string field : {"RP", "RP2"}) {
      if (!image.Get(field).empty()) {
        keys.emplace_back(RecoveryKey(image.Get(field)), image.Get(field + "_VMK_GUID"));
      }
    }
    if (!image.Get("PW").empty()) {
      keys.emplace_back(KeyMaterial::FromPassword(image.Get("PW")).value(),
                        image.Get("PW_VMK_GUID"));
    }
    if (const std::string guid = image.Get("SK_VMK_GUID"); !guid.empty()) {
      std::string name = guid;
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto startup_key = ParseStartupKeyFile(ReadFile(images->FilePath(name + ".BEK")));
      ASSERT_TRUE(startup_key.ok()) << startup_key.status().message();
      keys.emplace_back(KeyMaterial::FromStartupKey(*startup_key), guid);
    }
    if (!image.Get("CLEARKEY_VMK_GUID").empty()) {
      keys.emplace_back(KeyMaterial::ClearKey(), image.Get("CLEARKEY_VMK_GUID"));
    }
    for (auto& [key, guid] : keys) {
      std::vector<UnlockAttempt> attempts;
      auto unlocked_keys = Unlock(volume, std::span(&key, 1), &attempts);
      ASSERT_TRUE(unlocked_keys.ok()) << guid << ": " << unlocked_keys.status().message();
      EXPECT_EQ(unlocked_keys->protector_guid.ToString(), guid);
      EXPECT_EQ(unlocked_keys->vmk.size(), 32u);
      EXPECT_EQ(unlocked_keys->fvek.size(),
                DescribeMethod(volume.metadata().method)->fvek_size_bytes);
      EXPECT_EQ(attempts.back().outcome, "opened");
      ++unlocked;
    }
  }
  EXPECT_EQ(unlocked, 24);  // every key images.conf lists
}

TEST(UnlockRealImages, WrongPasswordIsWrongKey) {
  const auto* images = lockbox::testing::TestImages();
  if (!images) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  const Volume volume = OpenReal(*images->Find("bitlk-aes-xts-128"));
  const KeyMaterial keys[] = {KeyMaterial::FromPassword("anaconda!").value()};
  std::vector<UnlockAttempt> attempts;
  auto result = Unlock(volume, keys, &attempts);
  EXPECT_EQ(result.status().code(), ErrorCode::kWrongKey);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "wrong key");  // the password protector
  EXPECT_EQ(attempts[1].outcome, "not tried: no recovery password given");
}

// A volume whose only unlockable protector is a TPM cannot be opened here, whatever is typed.
TEST(Unlock, TpmOnlyVolumeIsUnsupported) {
  SyntheticVolumeSpec spec;
  spec.protectors = {{synthetic::kTpm}};
  spec.key_stretch_rounds = kFewRounds;
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image)).value();
  const KeyMaterial keys[] = {KeyMaterial::FromPassword("password1").value()};
  std::vector<UnlockAttempt> attempts;
  auto result = Unlock(volume, keys, &attempts, kFast);
  EXPECT_EQ(result.status().code(), ErrorCode::kUnsupported);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, "skipped: TPM protectors need the PC's TPM");
}

class UnlockSynthetic : public ::testing::TestWithParam<std::tuple<uint16_t, uint32_t, synthetic>> {
};

TEST_P(UnlockSynthetic, OpensTheProtectorAndRecoversTheKeys) {
  const auto [method, sector_size, kind] = GetParam();
  SyntheticVolumeSpec spec;
  spec.method = method;
  spec.sector_size = sector_size;
  spec.size_bytes = 1 << 20;
  // A TPM protector first: it must be skipped, not block the others.
  spec.protectors = {{synthetic::kTpm}, {kind, kind == synthetic::kPassword ? "pässwörd✓" : ""}};
  spec.key_stretch_rounds = kFewRounds;
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image));
  ASSERT_TRUE(volume.ok()) << volume.status().message();
  const auto& p = built.protectors[1];
  KeyMaterial key;
  switch (kind) {
    case synthetic::kRecoveryPassword:
      key = RecoveryKey(p.secret);
      break;
    case synthetic::kPassword:
      key = KeyMaterial::FromPassword(p.secret).value();
      break;
    case synthetic::kStartupKey:
      key = KeyMaterial::FromStartupKey(ParseStartupKeyFile(p.bek_file).value());
      break;
    default:
      key = KeyMaterial::ClearKey();
      break;
  }
  auto keys = Unlock(*volume, std::span(&key, 1), nullptr, kFast);
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(keys->protector_guid, p.guid);
  EXPECT_TRUE(crypto::ConstantTimeEqual(keys->vmk.span(), built.vmk.span()));
  EXPECT_TRUE(crypto::ConstantTimeEqual(keys->fvek.span(), built.fvek.span()));
}

INSTANTIATE_TEST_SUITE_P(
    AllMethodsAndProtectors, UnlockSynthetic,
    ::testing::Combine(::testing::Values(0x8000, 0x8001, 0x8002, 0x8003, 0x8004, 0x8005),
                       ::testing::Values(512u, 4096u),
                       ::testing::Values(synthetic::kRecoveryPassword, synthetic::kPassword,
                                         synthetic::kStartupKey, synthetic::kClearKey)));

// The CRC only catches accidents: metadata changed by someone who fixed the CRC up is caught
// by the SHA-256 sealed under the VMK.
TEST(Unlock, MetadataAlteredBehindTheCrcIsCorrupt) {
  SyntheticVolumeSpec spec;
  spec.protectors = {{synthetic::kClearKey}};
  spec.description = "ORIGINAL X: 1/1/2024";
  auto built = BuildSyntheticVolume(spec).value();
  for (uint64_t offset : built.metadata_offsets) {
    built.image[offset + 112 + 8] ^= 0x01;  // first character of the description
    testing::RecomputeMetadataCrc(built.image, offset);
  }
  auto volume = Volume::Open(MemoryBlockReader(built.image));
  ASSERT_TRUE(volume.ok()) << volume.status().message();
  const KeyMaterial keys[] = {KeyMaterial::ClearKey()};
  auto result = Unlock(*volume, keys);
  EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(result.status().message().find("metadata was altered"), std::string::npos)
      << result.status().message();
}

// A .BEK file opens only the protector it names.
TEST(Unlock, StartupKeyForAnotherProtectorIsNotTried) {
  SyntheticVolumeSpec spec;
  spec.protectors = {{synthetic::kStartupKey}};
  auto a = BuildSyntheticVolume(spec).value();
  auto b = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(a.image)).value();
  const KeyMaterial keys[] = {
      KeyMaterial::FromStartupKey(ParseStartupKeyFile(b.protectors[0].bek_file).value())};
  std::vector<UnlockAttempt> attempts;
  EXPECT_EQ(Unlock(volume, keys, &attempts).status().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(attempts.at(0).outcome, "not tried: no matching startup key (.BEK) given");
}

// Two recovery passwords: the second one given opens the second protector.
TEST(Unlock, TriesEveryKeyOnEveryMatchingProtector) {
  SyntheticVolumeSpec spec;
  spec.protectors = {{synthetic::kRecoveryPassword}, {synthetic::kRecoveryPassword}};
  spec.key_stretch_rounds = kFewRounds;
  auto built = BuildSyntheticVolume(spec).value();
  auto volume = Volume::Open(MemoryBlockReader(built.image)).value();
  auto other = recovery::RecoveryPassword::Generate().value();
  const KeyMaterial keys[] = {KeyMaterial::FromRecoveryPassword(other),
                              RecoveryKey(built.protectors[1].secret)};
  std::vector<UnlockAttempt> attempts;
  auto result = Unlock(volume, keys, &attempts, kFast);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->protector_guid, built.protectors[1].guid);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "wrong key");
  EXPECT_EQ(attempts[1].outcome, "opened");
}

TEST(KeyMaterial, PasswordIsUtf16LeWithoutTerminator) {
  auto key = KeyMaterial::FromPassword("aé€").value();
  const std::vector<uint8_t> expected = {'a', 0, 0xe9, 0, 0xac, 0x20};
  EXPECT_EQ(std::vector<uint8_t>(key.secret.span().begin(), key.secret.span().end()), expected);
  EXPECT_EQ(KeyMaterial::FromPassword("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(KeyMaterial::FromPassword("\xff").status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lockbox::bde
