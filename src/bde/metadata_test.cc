#include "bde/metadata.h"

#include <gtest/gtest.h>

#include "bde/metadata_test_util.h"
#include "test_images.h"

namespace lockbox::bde {
namespace {

using test::BlockOptions;
using test::BuildBlock;
using test::Bytes;
using test::Cat;
using test::CcmEntry;
using test::Entry;
using test::Filled;
using test::Le16;
using test::Le32;
using test::StretchKeyEntry;
using test::Utf16;
using test::VmkEntry;

constexpr uint64_t kOwnOffset = BlockOptions{}.own_offset;

// A password protector shaped like the real ones: stretch key (salt, its own AES-CCM), then
// the VMK blob.
Bytes PasswordProtector(uint8_t guid_byte = 0x11) {
  return VmkEntry(0x2000, Cat({StretchKeyEntry(0x1001, 0xAB, CcmEntry(0, 32)), CcmEntry(0, 32)}),
                  guid_byte);
}

Result<Metadata> Parse(const Bytes& block) { return ParseMetadataBlock(block, kOwnOffset); }

void ExpectCorrupt(const Result<Metadata>& result, const std::string& reason) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt) << result.status().message();
  EXPECT_NE(result.status().message().find(reason), std::string::npos) << result.status().message();
}

// --- The real volumes -------------------------------------------------------------------

Bytes RealBlock(const std::string& image, uint64_t offset) {
  const auto* images = testing::TestImages();
  return test::ReadFileBytes(images->Find(image)->path, offset, 64 * 1024);
}

TEST(MetadataRealVolume, StartupKeyVolumeHasEveryField) {
  if (!testing::TestImages()) GTEST_SKIP() << testing::TestImagesSkipReason();
  const uint64_t offset = 34603008;
  const Bytes block = RealBlock("bitlk-aes-xts-128-startup-key", offset);
  auto m = ParseMetadataBlock(block, offset);
  ASSERT_TRUE(m.ok()) << m.status().message();

  EXPECT_EQ(m->version, 2);
  EXPECT_EQ(m->current_state, 4);
  EXPECT_EQ(m->next_state, 4);
  EXPECT_EQ(m->encrypted_size_bytes, 104857600u);
  EXPECT_EQ(m->relocated_sector_count, 16u);
  EXPECT_EQ(m->copy_offsets, (std::array<uint64_t, 3>{34603008, 46256128, 57909248}));
  EXPECT_EQ(m->header_backup_offset, 34668544u);
  EXPECT_EQ(m->volume_guid.ToString(), "5a95db04-6ebc-4ba9-99a3-15a87a3d07b2");
  EXPECT_EQ(m->method, 0x8004);
  EXPECT_EQ(m->creation_filetime, 132446281533424631u);
  EXPECT_EQ(m->next_nonce_counter, 17u);
  EXPECT_EQ(m->description, "DESKTOP-LG39GVP E: 15/09/2020");

  ASSERT_EQ(m->protectors.size(), 3u);
  const Protector& password = m->protectors[0];
  EXPECT_EQ(password.guid.ToString(), "4f6ae327-f4cf-470b-a6f6-9de8fdb7c051");
  EXPECT_EQ(password.protection, 0x2000);
  ASSERT_TRUE(password.stretch_salt.has_value());
  EXPECT_EQ((*password.stretch_salt)[0], 0x16);
  EXPECT_EQ((*password.stretch_salt)[15], 0xba);

  const Protector& recovery = m->protectors[1];
  EXPECT_EQ(recovery.guid.ToString(), "294bc732-f82f-404c-a2ce-d1094ed59506");
  EXPECT_EQ(recovery.protection, 0x0800);
  ASSERT_TRUE(recovery.stretch_salt.has_value());
  EXPECT_EQ((*recovery.stretch_salt)[0], 0xa2);

  const Protector& startup = m->protectors[2];
  EXPECT_EQ(startup.guid.ToString(), "4381f759-c4f8-4de0-bb61-fc33a831bda5");
  EXPECT_EQ(startup.protection, 0x0200);
  EXPECT_EQ(startup.name, "ExternalKey");
  EXPECT_FALSE(startup.stretch_salt.has_value());
  EXPECT_FALSE(startup.clear_key.has_value());

  // The VMK blob is the AES-CCM entry directly inside the VMK entry (at block offset 960 for
  // the startup key), not the one nested in its use-key entry (at 880): checked by decrypting
  // with the .BEK key.
  ASSERT_TRUE(startup.wrapped_vmk.has_value());
  EXPECT_TRUE(std::equal(startup.wrapped_vmk->nonce.begin(), startup.wrapped_vmk->nonce.end(),
                         block.begin() + 960 + 8));
  EXPECT_EQ(startup.wrapped_vmk->ciphertext.size(), 44u);
  ASSERT_TRUE(password.wrapped_vmk.has_value());
  EXPECT_TRUE(std::equal(password.wrapped_vmk->nonce.begin(), password.wrapped_vmk->nonce.end(),
                         block.begin() + 324 + 8));

  ASSERT_TRUE(m->wrapped_fvek.has_value());
  EXPECT_EQ(m->wrapped_fvek->ciphertext.size(), 12u + 32u);
  ASSERT_TRUE(m->wrapped_validation_hash.has_value());
  EXPECT_TRUE(std::equal(m->wrapped_validation_hash->nonce.begin(),
                         m->wrapped_validation_hash->nonce.end(), block.begin() + 1152 + 16));
  EXPECT_EQ(m->hashed_bytes, Bytes(block.begin(), block.begin() + 1152));
}

TEST(MetadataRealVolume, ClearKeyProtectorKeepsItsKey) {
  if (!testing::TestImages()) GTEST_SKIP() << testing::TestImagesSkipReason();
  const uint64_t offset = 35213312;
  const Bytes block = RealBlock("bitlk-aes-xts-128-clearkey-only", offset);
  auto m = ParseMetadataBlock(block, offset);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->protectors.size(), 1u);
  const Protector& p = m->protectors[0];
  EXPECT_EQ(p.protection, 0x0000);
  ASSERT_TRUE(p.clear_key.has_value());
  EXPECT_EQ(*p.clear_key, Bytes(block.begin() + 196 + 12, block.begin() + 196 + 44));
  ASSERT_TRUE(p.wrapped_vmk.has_value());
  EXPECT_TRUE(std::equal(p.wrapped_vmk->nonce.begin(), p.wrapped_vmk->nonce.end(),
                         block.begin() + 240 + 8));
}

TEST(MetadataRealVolume, ElephantVolumeHasA64ByteFvekBlob) {
  if (!testing::TestImages()) GTEST_SKIP() << testing::TestImagesSkipReason();
  const uint64_t offset = 34603008;
  auto m = ParseMetadataBlock(RealBlock("bitlk-aes-cbc-elephant-128", offset), offset);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->method, 0x8000);
  ASSERT_TRUE(m->wrapped_fvek.has_value());
  EXPECT_EQ(m->wrapped_fvek->ciphertext.size(), 12u + 64u);
  EXPECT_EQ(m->description, "WIN-TR6JK2CTSJC New Volume 8/13/2019");
}

TEST(MetadataRealVolume, WrongExpectedOffsetIsStale) {
  if (!testing::TestImages()) GTEST_SKIP() << testing::TestImagesSkipReason();
  ExpectCorrupt(ParseMetadataBlock(RealBlock("bitlk-aes-xts-128", 35213312), 4096),
                "does not list that offset");
}

// --- Hand-made blocks: what parses ---------------------------------------------------------

TEST(MetadataBlock, MinimalBlockParses) {
  auto m = Parse(BuildBlock(
      Cat({Entry(7, 2, Utf16("HOST C: 1/2/2024")), PasswordProtector(), CcmEntry(3, 32)})));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->description, "HOST C: 1/2/2024");
  ASSERT_EQ(m->protectors.size(), 1u);
  EXPECT_EQ(m->protectors[0].protection, 0x2000);
  EXPECT_EQ(m->protectors[0].stretch_salt,
            (std::array<uint8_t, 16>{0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB,
                                     0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB}));
  EXPECT_TRUE(m->protectors[0].wrapped_vmk.has_value());
  EXPECT_TRUE(m->wrapped_fvek.has_value());
  EXPECT_TRUE(m->wrapped_validation_hash.has_value());
}

TEST(MetadataBlock, UnknownTypesAndVersionsAreSkipped) {
  const Bytes timestamps = Entry(0, 0x15, Filled(20, 1));
  const Bytes hint = Entry(0, 0x18, Filled(5, 2), -1, 0x0105);
  auto m = Parse(BuildBlock(Cat({Entry(0x42, 0x99, Filled(10, 3), -1, 3),
                                 VmkEntry(0x0800, Cat({CcmEntry(0, 32), timestamps, hint})),
                                 CcmEntry(3, 32), Entry(0xF, 0xF, Filled(16, 0))})));
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->protectors.size(), 1u);
  EXPECT_TRUE(m->protectors[0].wrapped_vmk.has_value());
}

TEST(MetadataBlock, DeepNestingInsideAStretchKeyIsNotWalked) {
  Bytes nested = CcmEntry(0, 32);
  for (int depth = 0; depth < 40; ++depth) nested = StretchKeyEntry(0x1001, 0x01, nested);
  auto m = Parse(BuildBlock(VmkEntry(0x2000, Cat({nested, CcmEntry(0, 32)}))));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_TRUE(m->protectors[0].stretch_salt.has_value());
}

TEST(MetadataBlock, UnknownMethodKeepsNoFvek) {
  BlockOptions options;
  options.method = 0x1234;
  auto m = Parse(BuildBlock(CcmEntry(3, 32), options));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->method, 0x1234);
  EXPECT_FALSE(m->wrapped_fvek.has_value());
}

TEST(MetadataBlock, SecondDescriptionIsIgnored) {
  auto m = Parse(BuildBlock(Cat({Entry(7, 2, Utf16("FIRST")), Entry(7, 2, Utf16("SECOND"))})));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->description, "FIRST");
}

TEST(MetadataBlock, UnterminatedDescriptionIsReadToItsEnd) {
  auto m = Parse(BuildBlock(Entry(7, 2, {'A', 0, 'B', 0})));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->description, "AB");
}

TEST(MetadataBlock, RegionCutByTheVolumeEndStillParses) {
  BlockOptions options;
  options.region_size = 1024;
  auto m = Parse(BuildBlock(PasswordProtector(), options));
  ASSERT_TRUE(m.ok()) << m.status().message();
}

TEST(MetadataBlock, MissingValidationEntryLeavesNoHash) {
  Bytes block = BuildBlock(PasswordProtector());
  const size_t block_bytes = size_t{LoadLe16(&block[8])} * 16;
  std::fill(block.begin() + static_cast<long>(block_bytes) + 8, block.end(), 0);
  auto m = Parse(block);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->wrapped_validation_hash.has_value());
  EXPECT_EQ(m->hashed_bytes.size(), block_bytes);
}

// --- Hand-made blocks: what is rejected, and why -------------------------------------------

TEST(MetadataBlock, RejectsShortInput) { ExpectCorrupt(Parse(Bytes(100, 0)), "too short"); }

TEST(MetadataBlock, RejectsMissingSignature) {
  Bytes block = BuildBlock({});
  block[0] = 'X';
  ExpectCorrupt(Parse(block), "no -FVE-FS- signature");
}

TEST(MetadataBlock, VistaVersionIsUnsupported) {
  Bytes block = BuildBlock({});
  block[10] = 1;
  auto m = Parse(block);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kUnsupported);
}

TEST(MetadataBlock, RejectsUnknownVersion) {
  Bytes block = BuildBlock({});
  block[10] = 3;
  ExpectCorrupt(Parse(block), "unknown metadata block version 3");
}

TEST(MetadataBlock, RejectsBlockSizeBelowHeaders) {
  Bytes block = BuildBlock({});
  StoreLe16(&block[8], 6);  // 96 bytes
  ExpectCorrupt(Parse(block), "block size 96 bytes is outside");
}

TEST(MetadataBlock, RejectsBlockSizeLeavingNoRoomForValidation) {
  Bytes block = BuildBlock({});
  StoreLe16(&block[8], 4096);  // 65536 bytes
  ExpectCorrupt(Parse(block), "block size 65536 bytes is outside");
  StoreLe16(&block[8], 4095);  // fits the limit, but not in a region cut to 1 KiB
  block.resize(1024);
  ExpectCorrupt(Parse(block), "no room for the validation header");
}

TEST(MetadataBlock, RejectsCrcMismatch) {
  Bytes block = BuildBlock(PasswordProtector());
  block[150] ^= 0x01;
  ExpectCorrupt(Parse(block), "CRC-32 mismatch");
}

TEST(MetadataBlock, RejectsCopyNotListingItsOwnOffset) {
  ExpectCorrupt(ParseMetadataBlock(BuildBlock({}), 0x400000), "does not list that offset");
}

TEST(MetadataBlock, RejectsMetadataSizeBelowItsHeader) {
  Bytes block = BuildBlock({});
  StoreLe32(&block[64], 47);
  StoreLe32(&block[76], 47);
  test::FixCrc(block);
  ExpectCorrupt(Parse(block), "metadata size 47 does not fit");
}

TEST(MetadataBlock, RejectsMetadataSizeBeyondTheBlock) {
  Bytes block = BuildBlock({});
  StoreLe32(&block[64], 0xFFFFFFF0);  // would wrap 64 + size in 32 bits
  StoreLe32(&block[76], 0xFFFFFFF0);
  test::FixCrc(block);
  ExpectCorrupt(Parse(block), "does not fit");
}

TEST(MetadataBlock, RejectsMetadataSizeCopyMismatch) {
  Bytes block = BuildBlock({});
  StoreLe32(&block[76], 49);
  test::FixCrc(block);
  ExpectCorrupt(Parse(block), "disagrees with its copy");
}

TEST(MetadataBlock, RejectsMetadataHeaderSize) {
  Bytes block = BuildBlock({});
  StoreLe32(&block[72], 64);
  test::FixCrc(block);
  ExpectCorrupt(Parse(block), "metadata header size 64");
}

TEST(MetadataBlock, RejectsEntrySizeZero) {
  ExpectCorrupt(Parse(BuildBlock(Entry(7, 2, Filled(8, 0), 0))), "has size 0");
}

TEST(MetadataBlock, RejectsEntrySizeBelowHeader) {
  ExpectCorrupt(Parse(BuildBlock(Entry(7, 2, Filled(8, 0), 7))), "has size 7");
}

TEST(MetadataBlock, RejectsEntryRunningPastTheMetadata) {
  ExpectCorrupt(Parse(BuildBlock(Entry(7, 2, Filled(8, 0), 0xFFFF))), "runs past the end");
}

TEST(MetadataBlock, RejectsTrailingBytesTooShortForAnEntry) {
  ExpectCorrupt(Parse(BuildBlock(Cat({PasswordProtector(), Filled(5, 0)}))), "is cut off");
}

TEST(MetadataBlock, RejectsNestedEntryRunningPastItsProtector) {
  const Bytes vmk = VmkEntry(0x2000, Cat({CcmEntry(0, 32), Entry(0, 0x15, Filled(4, 0), 200)}));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "runs past the end of its parent");
}

TEST(MetadataBlock, RejectsShortVmkEntry) {
  ExpectCorrupt(Parse(BuildBlock(Entry(2, 8, Filled(27, 0)))),
                "VMK entry at offset 112 is too short");
}

TEST(MetadataBlock, RejectsShortStretchKey) {
  const Bytes vmk = VmkEntry(0x2000, Entry(0, 3, Filled(19, 0)));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "too short");
}

TEST(MetadataBlock, RejectsCcmShorterThanNonceAndTag) {
  const Bytes vmk = VmkEntry(0x0800, Entry(0, 5, Filled(27, 0)));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "holds 27 bytes of AES-CCM data");
}

TEST(MetadataBlock, RejectsOversizedVmkBlob) {
  const Bytes vmk = VmkEntry(0x0800, CcmEntry(0, 64));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "a 32-byte key needs 72");
}

TEST(MetadataBlock, RejectsFvekNotFittingTheMethod) {
  BlockOptions options;
  options.method = 0x8005;  // XTS-AES-256 wants 64 bytes
  ExpectCorrupt(Parse(BuildBlock(CcmEntry(3, 32), options)), "a 64-byte key needs 104");
}

TEST(MetadataBlock, RejectsDuplicateFvek) {
  ExpectCorrupt(Parse(BuildBlock(Cat({CcmEntry(3, 32), CcmEntry(3, 32)}))), "a second FVEK");
}

TEST(MetadataBlock, RejectsTwoVmkBlobsInOneProtector) {
  const Bytes vmk = VmkEntry(0x0800, Cat({CcmEntry(0, 32), CcmEntry(0, 32)}));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "two wrapped VMKs");
}

TEST(MetadataBlock, RejectsClearKeyOfWrongSize) {
  const Bytes vmk =
      VmkEntry(0x0000, Cat({Entry(0, 1, Cat({Le32(0x2000), Filled(16, 9)})), CcmEntry(0, 32)}));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "16-byte key instead of 32");
}

TEST(MetadataBlock, RejectsClearKeyWithWrongMethod) {
  const Bytes vmk = VmkEntry(0x0000, Entry(0, 1, Cat({Le32(0x2003), Filled(32, 9)})));
  ExpectCorrupt(Parse(BuildBlock(vmk)), "key method 0x2003 instead of 0x2000");
}

TEST(MetadataBlock, RejectsOddLengthDescription) {
  ExpectCorrupt(Parse(BuildBlock(Entry(7, 2, {'A', 0, 'B'}))), "odd length");
}

TEST(MetadataBlock, RejectsUnpairedSurrogateInDescription) {
  ExpectCorrupt(Parse(BuildBlock(Entry(7, 2, {0x00, 0xD8, 'A', 0}))), "unpaired surrogate");
}

TEST(MetadataBlock, RejectsKnownEntryWithWrongValueType) {
  ExpectCorrupt(Parse(BuildBlock(Entry(3, 1, Filled(36, 0)))), "FVEK entry at offset 112");
}

TEST(MetadataBlock, RejectsMalformedValidationEntry) {
  Bytes block = BuildBlock({});
  const size_t block_bytes = size_t{LoadLe16(&block[8])} * 16;
  StoreLe16(&block[block_bytes + 8], 3);
  ExpectCorrupt(Parse(block), "has size 3");
  StoreLe16(&block[block_bytes + 8], 40);
  ExpectCorrupt(Parse(block), "validation hash entry");
}

// --- Names ------------------------------------------------------------------------------------

TEST(DescribeMethod, KnowsEveryCipher) {
  EXPECT_STREQ(DescribeMethod(0x8000)->name, "aes-cbc-elephant");
  EXPECT_EQ(DescribeMethod(0x8000)->fvek_size_bytes, 64u);
  EXPECT_TRUE(DescribeMethod(0x8001)->diffuser);
  EXPECT_EQ(DescribeMethod(0x8001)->key_bits, 256u);
  EXPECT_STREQ(DescribeMethod(0x8002)->name, "aes-cbc");
  EXPECT_EQ(DescribeMethod(0x8002)->fvek_size_bytes, 16u);
  EXPECT_FALSE(DescribeMethod(0x8003)->diffuser);
  EXPECT_EQ(DescribeMethod(0x8003)->fvek_size_bytes, 32u);
  EXPECT_STREQ(DescribeMethod(0x8004)->name, "aes-xts");
  EXPECT_EQ(DescribeMethod(0x8004)->key_bits, 128u);
  EXPECT_EQ(DescribeMethod(0x8005)->fvek_size_bytes, 64u);
  EXPECT_FALSE(DescribeMethod(0x8006).has_value());
  EXPECT_FALSE(DescribeMethod(0).has_value());
}

TEST(ProtectionTypeName, NamesKnownAndUnknownTypes) {
  EXPECT_EQ(ProtectionTypeName(0x0000), "clear-key");
  EXPECT_EQ(ProtectionTypeName(0x0100), "tpm");
  EXPECT_EQ(ProtectionTypeName(0x0200), "startup-key");
  EXPECT_EQ(ProtectionTypeName(0x0500), "tpm-and-pin");
  EXPECT_EQ(ProtectionTypeName(0x0800), "recovery-password");
  EXPECT_EQ(ProtectionTypeName(0x1000), "smart-card");
  EXPECT_EQ(ProtectionTypeName(0x2000), "password");
  EXPECT_EQ(ProtectionTypeName(0x1234), "unknown-0x1234");
}

TEST(VolumeStateName, NamesEveryState) {
  EXPECT_EQ(VolumeStateName(1), "decrypted");
  EXPECT_EQ(VolumeStateName(2), "switching");
  EXPECT_EQ(VolumeStateName(3), "eow-activated");
  EXPECT_EQ(VolumeStateName(4), "encrypted");
  EXPECT_EQ(VolumeStateName(5), "switch-paused");
  EXPECT_EQ(VolumeStateName(9), "unknown-9");
}

}  // namespace
}  // namespace lockbox::bde
