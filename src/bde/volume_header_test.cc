#include <gtest/gtest.h>

#include <cstring>

#include "bde/metadata_test_util.h"
#include "bde/volume.h"

namespace lockbox::bde {
namespace {

using test::Bytes;

constexpr uint64_t kVolumeSize = 100 * 1024 * 1024;
constexpr uint8_t kBitLockerGuid[16] = {0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a,
                                        0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01};
constexpr uint8_t kEowGuid[16] = {0x3b, 0x4d, 0xa8, 0x92, 0x80, 0xdd, 0x0e, 0x4d,
                                  0x9e, 0x4e, 0xb1, 0xe3, 0x28, 0x4e, 0xae, 0xd8};

Bytes Win7Header(uint16_t bytes_per_sector = 512) {
  Bytes s(512, 0);
  s[0] = 0xEB, s[1] = 0x58, s[2] = 0x90;
  std::memcpy(&s[3], "-FVE-FS-", 8);
  StoreLe16(&s[11], bytes_per_sector);
  s[13] = 8;
  std::memcpy(&s[0xA0], kBitLockerGuid, 16);
  StoreLe64(&s[176], 35213312);
  StoreLe64(&s[184], 46256128);
  StoreLe64(&s[192], 57909248);
  s[510] = 0x55, s[511] = 0xAA;
  return s;
}

void ExpectCorrupt(const Result<VolumeHeader>& result, const std::string& reason) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt) << result.status().message();
  EXPECT_NE(result.status().message().find(reason), std::string::npos) << result.status().message();
}

TEST(VolumeHeader, ParsesWin7Header) {
  auto h = ParseVolumeHeader(Win7Header(), kVolumeSize);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->variant, Variant::kWin7);
  EXPECT_EQ(h->sector_size, 512u);
  EXPECT_EQ(h->sectors_per_cluster, 8);
  EXPECT_EQ(h->metadata_offsets, (std::array<uint64_t, 3>{35213312, 46256128, 57909248}));
  EXPECT_FALSE(h->eow);
  EXPECT_STREQ(VariantName(h->variant), "win7");
}

TEST(VolumeHeader, EowGuidMarksConversionAndGivesItsOffsets) {
  Bytes s = Win7Header();
  std::memcpy(&s[0xA0], kEowGuid, 16);
  StoreLe64(&s[200], 35352576);
  StoreLe64(&s[208], 52080640);
  auto h = ParseVolumeHeader(s, kVolumeSize);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_TRUE(h->eow);
  EXPECT_EQ(h->eow_offsets, (std::array<uint64_t, 2>{35352576, 52080640}));
}

TEST(VolumeHeader, ZeroBytesPerSectorMeans512) {
  auto h = ParseVolumeHeader(Win7Header(0), kVolumeSize);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->sector_size, 512u);
}

TEST(VolumeHeader, Accepts4096ByteSectors) {
  auto h = ParseVolumeHeader(Win7Header(4096), kVolumeSize);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->sector_size, 4096u);
}

TEST(VolumeHeader, RejectsSectorSizesThatAreNotPowersOfTwoIn512To4096) {
  for (uint16_t size :
       {uint16_t{1}, uint16_t{256}, uint16_t{3000}, uint16_t{8192}, uint16_t{0xFFFF}}) {
    ExpectCorrupt(ParseVolumeHeader(Win7Header(size), kVolumeSize), "bytes per sector is");
  }
}

TEST(VolumeHeader, ToGoHeaderIsRecognised) {
  Bytes s(512, 0);
  s[0] = 0xEB, s[1] = 0x58, s[2] = 0x90;
  std::memcpy(&s[3], "MSWIN4.1", 8);
  StoreLe16(&s[11], 512);
  s[13] = 2;
  std::memcpy(&s[0x1A8], kBitLockerGuid, 16);
  StoreLe64(&s[440], 34603008);
  StoreLe64(&s[448], 46254080);
  StoreLe64(&s[456], 57905152);
  s[510] = 0x55, s[511] = 0xAA;
  auto h = ParseVolumeHeader(s, kVolumeSize);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->variant, Variant::kToGo);
  EXPECT_EQ(h->metadata_offsets, (std::array<uint64_t, 3>{34603008, 46254080, 57905152}));

  // Zero bytes per sector is a Windows 7+ BitLocker convention, not a FAT one.
  StoreLe16(&s[11], 0);
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "bytes per sector is 0");
}

TEST(VolumeHeader, PlainFatIsNotBitLocker) {
  Bytes s(512, 0);
  std::memcpy(&s[3], "MSWIN4.1", 8);
  s[510] = 0x55, s[511] = 0xAA;
  auto h = ParseVolumeHeader(s, kVolumeSize);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kNotBitLocker);
}

TEST(VolumeHeader, ZerosAreNotBitLocker) {
  auto h = ParseVolumeHeader(Bytes(512, 0), kVolumeSize);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kNotBitLocker);
}

TEST(VolumeHeader, ShortSectorIsNotBitLocker) {
  auto h = ParseVolumeHeader(Bytes(100, 0), kVolumeSize);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kNotBitLocker);
}

TEST(VolumeHeader, SignatureWithoutGuidIsCorrupt) {
  Bytes s = Win7Header();
  s[0xA0] ^= 0xFF;
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "neither the Vista jump");
}

TEST(VolumeHeader, RejectsMissingBootSignature) {
  Bytes s = Win7Header();
  s[511] = 0;
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "55 AA");
}

TEST(VolumeHeader, RejectsOffsetsBeyondTheVolume) {
  Bytes s = Win7Header();
  StoreLe64(&s[192], kVolumeSize);
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "copy 3 offset 104857600 lies outside");
  StoreLe64(&s[192], ~uint64_t{0} - 100);  // offset + 64 KiB would overflow
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "lies outside");
}

TEST(VolumeHeader, RejectsOffsetInsideTheHeaderSector) {
  Bytes s = Win7Header();
  StoreLe64(&s[176], 0);
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "copy 1 offset 0 lies outside");
}

TEST(VolumeHeader, RejectsUnalignedOffsets) {
  Bytes s = Win7Header();
  StoreLe64(&s[184], 46256128 + 3);
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "not a multiple of the 512-byte");
}

TEST(VolumeHeader, RejectsOverlappingCopies) {
  Bytes s = Win7Header();
  StoreLe64(&s[192], 35213312 + 512);
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "copies 1 and 3 overlap");
}

TEST(VolumeHeader, VistaHeaderLocatesBlockOneByCluster) {
  Bytes s = Win7Header();
  s[1] = 0x52;
  StoreLe64(&s[56], 1000);
  auto h = ParseVolumeHeader(s, kVolumeSize);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->variant, Variant::kVista);
  EXPECT_EQ(h->metadata_offsets[0], 1000u * 8 * 512);

  StoreLe64(&s[56], ~uint64_t{0} / 2);  // the multiplication would overflow
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "beyond the volume end");
  s[13] = 0;
  ExpectCorrupt(ParseVolumeHeader(s, kVolumeSize), "sectors per cluster is 0");
}

TEST(VolumeHeader, VistaVolumeIsUnsupportedByOpen) {
  Bytes image(2 * 1024 * 1024, 0);
  Bytes s = Win7Header();
  s[1] = 0x52;
  StoreLe64(&s[56], 10);
  std::copy(s.begin(), s.end(), image.begin());
  auto v = Volume::Open(MemoryBlockReader(image));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(v.status().message().find("Vista"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::bde
