#include "bde/volume.h"

#include <gtest/gtest.h>

#include <random>

#include "bde/metadata_test_util.h"
#include "test_images.h"

namespace lockbox::bde {
namespace {

using test::Bytes;

const Protector* FindProtector(const Volume& v, const std::string& guid) {
  for (const Protector& p : v.metadata().protectors) {
    if (p.guid.ToString() == guid) return &p;
  }
  return nullptr;
}

Result<Volume> OpenPath(const std::string& path) {
  LOCKBOX_ASSIGN_OR_RETURN(auto reader, OpenBlockReader(path));
  return Volume::Open(std::move(reader));
}

// What images.conf's CIPHER means in our terms.
void ExpectCipher(const std::string& cipher, uint16_t method) {
  const auto info = DescribeMethod(method);
  ASSERT_TRUE(info.has_value()) << method;
  if (cipher == "aes-cbc-eboiv") {
    EXPECT_STREQ(info->name, "aes-cbc");
    EXPECT_FALSE(info->diffuser);
  } else if (cipher == "aes-cbc-elephant") {
    EXPECT_STREQ(info->name, "aes-cbc-elephant");
    EXPECT_TRUE(info->diffuser);
  } else {
    EXPECT_EQ(cipher, "aes-xts-plain64");
    EXPECT_STREQ(info->name, "aes-xts");
  }
}

TEST(VolumeRealImages, EveryImageOpensWithItsFacts) {
  const auto* images = testing::TestImages();
  if (!images) GTEST_SKIP() << testing::TestImagesSkipReason();
  ASSERT_GE(images->images.size(), 12u);
  const std::pair<const char*, uint16_t> kProtectorFields[] = {{"PW_VMK_GUID", 0x2000},
                                                               {"RP_VMK_GUID", 0x0800},
                                                               {"RP2_VMK_GUID", 0x0800},
                                                               {"SK_VMK_GUID", 0x0200},
                                                               {"CLEARKEY_VMK_GUID", 0x0000}};
  for (const auto& image : images->images) {
    SCOPED_TRACE(image.name);
    auto volume = OpenPath(image.path);
    ASSERT_TRUE(volume.ok()) << volume.status().message();

    EXPECT_EQ(volume->metadata().volume_guid.ToString(), image.Get("GUID"));
    ExpectCipher(image.Get("CIPHER"), volume->metadata().method);
    EXPECT_EQ(volume->used_copy(), 0);
    for (const auto& copy : volume->copies()) {
      EXPECT_TRUE(copy.valid) << copy.problem;
      EXPECT_EQ(copy.problem, "");
    }
    EXPECT_EQ(volume->copies()[0].offset, volume->header().metadata_offsets[0]);
    for (const auto& [field, protection] : kProtectorFields) {
      const std::string guid = image.Get(field);
      if (guid.empty()) continue;
      const Protector* p = FindProtector(*volume, guid);
      ASSERT_NE(p, nullptr) << field << " " << guid;
      EXPECT_EQ(p->protection, protection) << field;
      EXPECT_TRUE(p->wrapped_vmk.has_value()) << field;
      EXPECT_EQ(p->stretch_salt.has_value(), protection == 0x2000 || protection == 0x0800);
      EXPECT_EQ(p->clear_key.has_value(), protection == 0x0000);
    }
    EXPECT_TRUE(volume->metadata().wrapped_fvek.has_value());
    EXPECT_TRUE(volume->metadata().wrapped_validation_hash.has_value());

    const bool togo = image.name.find("togo") != std::string::npos;
    EXPECT_EQ(volume->header().variant, togo ? Variant::kToGo : Variant::kWin7);
    const bool four_k = image.name.find("-4k") != std::string::npos;
    EXPECT_EQ(volume->header().sector_size, four_k ? 4096u : 512u);
  }
}

TEST(VolumeRealImages, ConversionVolumesCarryTheEowGuid) {
  const auto* images = testing::TestImages();
  if (!images) GTEST_SKIP() << testing::TestImagesSkipReason();
  for (const char* name : {"bitlk-aes-xts-128-eow", "bitlk-partially-encrypted-aes-cbc-128"}) {
    SCOPED_TRACE(name);
    auto volume = OpenPath(images->Find(name)->path);
    ASSERT_TRUE(volume.ok()) << volume.status().message();
    EXPECT_TRUE(volume->header().eow);
    EXPECT_EQ(volume->header().eow_offsets, (std::array<uint64_t, 2>{35352576, 52080640}));
  }
  auto plain = OpenPath(images->Find("bitlk-aes-xts-128")->path);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->header().eow);
}

// --- Damage to an in-memory copy of a real image ------------------------------------------

class VolumeDamage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto* images = testing::TestImages();
    if (!images) return;
    pristine_ = new Bytes(test::ReadWholeFile(images->Find("bitlk-aes-xts-128")->path));
  }
  static void TearDownTestSuite() {
    delete pristine_;
    pristine_ = nullptr;
  }
  void SetUp() override {
    if (!pristine_) GTEST_SKIP() << testing::TestImagesSkipReason();
    image_ = *pristine_;
  }

  // Flips a byte inside copy `i`'s entries, which its CRC covers.
  void DamageCopy(size_t i) { image_[kCopyOffsets[i] + 200] ^= 0x40; }
  // Once per test: hands the damaged image over without another 100 MiB copy.
  Result<Volume> Open() { return Volume::Open(MemoryBlockReader(std::move(image_))); }

  static constexpr uint64_t kCopyOffsets[3] = {35213312, 46256128, 57909248};
  static inline Bytes* pristine_ = nullptr;
  Bytes image_;
};

TEST_F(VolumeDamage, DamagedFirstCopyFallsBackToTheSecond) {
  DamageCopy(0);
  auto v = Open();
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->used_copy(), 1);
  EXPECT_FALSE(v->copies()[0].valid);
  EXPECT_NE(v->copies()[0].problem.find("CRC-32 mismatch"), std::string::npos);
  EXPECT_TRUE(v->copies()[1].valid);
  EXPECT_TRUE(v->copies()[2].valid);
  EXPECT_EQ(v->metadata().volume_guid.ToString(), "8f595209-f5b9-49a0-85d4-cb8f80258c27");
}

TEST_F(VolumeDamage, TwoDamagedCopiesFallBackToTheThird) {
  DamageCopy(0);
  DamageCopy(1);
  auto v = Open();
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->used_copy(), 2);
  EXPECT_FALSE(v->copies()[0].valid);
  EXPECT_FALSE(v->copies()[1].valid);
  EXPECT_TRUE(v->copies()[2].valid);
}

TEST_F(VolumeDamage, ThreeDamagedCopiesAreCorruptAndEachIsNamed) {
  DamageCopy(0);
  DamageCopy(1);
  image_[kCopyOffsets[2]] = 'X';  // signature
  auto v = Open();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kCorrupt);
  const std::string& message = v.status().message();
  EXPECT_NE(message.find("copy 1 at offset 35213312: CRC-32 mismatch"), std::string::npos)
      << message;
  EXPECT_NE(message.find("copy 2 at offset 46256128: CRC-32 mismatch"), std::string::npos)
      << message;
  EXPECT_NE(message.find("copy 3 at offset 57909248: no -FVE-FS- signature"), std::string::npos)
      << message;
}

TEST_F(VolumeDamage, CopyDisagreeingWithTheHeaderIsRejected) {
  // A copy that names other copy locations than the header, with a consistent CRC.
  StoreLe64(&image_[kCopyOffsets[0] + 48], 60000256);
  test::FixCrc(image_, kCopyOffsets[0]);
  auto v = Open();
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->used_copy(), 1);
  EXPECT_NE(v->copies()[0].problem.find("disagree with the volume header"), std::string::npos)
      << v->copies()[0].problem;
}

TEST_F(VolumeDamage, RelocatedHeaderBeyondTheVolumeIsRejected) {
  for (uint64_t offset : kCopyOffsets) {
    StoreLe64(&image_[offset + 56], image_.size() - 4096);  // 16 sectors do not fit
    test::FixCrc(image_, offset);
  }
  auto v = Open();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("relocated header sectors"), std::string::npos)
      << v.status().message();
}

TEST_F(VolumeDamage, TruncatedImageLosesTheCopiesPastItsEnd) {
  // Cut inside copy 3's region: copies 1 and 2 remain.
  image_.resize(kCopyOffsets[2] + 512);
  auto v = Open();
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(v->copies()[0].valid);
  EXPECT_FALSE(v->copies()[2].valid);
  EXPECT_NE(v->copies()[2].problem.find("no room for the validation header"), std::string::npos)
      << v->copies()[2].problem;
}

TEST_F(VolumeDamage, ImageCutBeforeTheCopiesIsCorrupt) {
  image_.resize(1024 * 1024);
  auto v = Open();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(v.status().message().find("lies outside the volume"), std::string::npos)
      << v.status().message();
}

TEST_F(VolumeDamage, DamagedHeaderSectorSizeIsCorrupt) {
  StoreLe16(&image_[11], 3000);
  auto v = Open();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kCorrupt);
}

TEST(VolumeOpen, ZeroLengthVolumeIsNotBitLocker) {
  auto v = Volume::Open(MemoryBlockReader({}));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kNotBitLocker);
}

TEST(VolumeOpen, RandomBytesAreNotBitLocker) {
  std::mt19937 random(1234);
  Bytes bytes(1024 * 1024);
  for (auto& b : bytes) b = static_cast<uint8_t>(random());
  auto v = Volume::Open(MemoryBlockReader(bytes));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kNotBitLocker);
}

TEST(VolumeOpen, NullReaderIsAnInvalidArgument) {
  auto v = Volume::Open(nullptr);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lockbox::bde
