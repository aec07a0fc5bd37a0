#include "bde/startup_key.h"

#include <gtest/gtest.h>

#include "bde/metadata_test_util.h"
#include "test_images.h"

namespace lockbox::bde {
namespace {

using test::Bytes;
using test::Cat;
using test::Entry;
using test::Filled;
using test::Le32;

constexpr uint8_t kGuidByte = 0x77;

// A .BEK file in the shape of the real one: header, then the external key entry holding
// `nested` after its GUID and FILETIME.
Bytes BekFile(const Bytes& nested, const Bytes& after = {}) {
  const Bytes key_entry = Entry(6, 9, Cat({Filled(16, kGuidByte), test::Le64(5), nested}));
  const auto size = static_cast<uint32_t>(48 + key_entry.size() + after.size());
  return Cat({Le32(size), Le32(1), Le32(48), Le32(size), Filled(16, kGuidByte), Le32(1), Le32(0),
              test::Le64(5), key_entry, after});
}

Bytes KeyEntry(uint32_t method = 0x2002, size_t size = 32) {
  return Entry(0, 1, Cat({Le32(method), Filled(size, 0xE4)}));
}

Bytes NameEntry() { return Entry(0, 2, test::Utf16("ExternalKey")); }

void ExpectCorrupt(const Result<StartupKey>& result, const std::string& reason) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt) << result.status().message();
  EXPECT_NE(result.status().message().find(reason), std::string::npos) << result.status().message();
}

TEST(StartupKeyFile, ParsesTheRealFile) {
  const auto* images = testing::TestImages();
  if (!images) GTEST_SKIP() << testing::TestImagesSkipReason();
  const Bytes file =
      test::ReadWholeFile(images->FilePath("4381F759-C4F8-4DE0-BB61-FC33A831BDA5.BEK"));
  ASSERT_EQ(file.size(), 156u);
  auto key = ParseStartupKeyFile(file);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->protector_guid.ToString(), "4381f759-c4f8-4de0-bb61-fc33a831bda5");
  EXPECT_FALSE(key->volume_guid.has_value());
  ASSERT_EQ(key->key.size(), 32u);
  EXPECT_EQ(key->key[0], 0xe0);
  EXPECT_EQ(key->key[31], 0x66);
}

TEST(StartupKeyFile, ParsesAHandMadeFile) {
  auto key = ParseStartupKeyFile(BekFile(Cat({NameEntry(), KeyEntry()})));
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->key.size(), 32u);
  EXPECT_EQ(key->key[0], 0xE4);
}

TEST(StartupKeyFile, Windows11FileNamesItsVolume) {
  const Bytes volume_guid = Entry(0x19, 0x17, Filled(16, 0x42));
  auto key = ParseStartupKeyFile(BekFile(Cat({NameEntry(), KeyEntry(), volume_guid})));
  ASSERT_TRUE(key.ok()) << key.status().message();
  ASSERT_TRUE(key->volume_guid.has_value());
  EXPECT_EQ(key->volume_guid->ToString(), "42424242-4242-4242-4242-424242424242");

  // The same entry after the key entry, at the top level, is read too.
  auto top = ParseStartupKeyFile(BekFile(Cat({NameEntry(), KeyEntry()}), volume_guid));
  ASSERT_TRUE(top.ok()) << top.status().message();
  EXPECT_TRUE(top->volume_guid.has_value());
}

TEST(StartupKeyFile, RejectsTwoDifferentVolumeGuids) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(Cat({KeyEntry(), Entry(0x19, 0x17, Filled(16, 1))}),
                                            Entry(0x19, 0x17, Filled(16, 2)))),
                "two different volumes");
}

TEST(StartupKeyFile, RejectsShortVolumeGuid) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(Cat({KeyEntry(), Entry(0x19, 0x17, Filled(8, 1))}))),
                "instead of a 16-byte GUID");
}

TEST(StartupKeyFile, RejectsShortFile) {
  ExpectCorrupt(ParseStartupKeyFile(Filled(47, 0)), "shorter than its 48-byte header");
}

TEST(StartupKeyFile, RejectsSizeMismatch) {
  Bytes file = BekFile(KeyEntry());
  file.pop_back();
  ExpectCorrupt(ParseStartupKeyFile(file), "truncated or not a .BEK");
  file = BekFile(KeyEntry());
  StoreLe32(&file[12], 1000);
  ExpectCorrupt(ParseStartupKeyFile(file), "truncated or not a .BEK");
}

TEST(StartupKeyFile, RejectsVersion) {
  Bytes file = BekFile(KeyEntry());
  StoreLe32(&file[4], 2);
  ExpectCorrupt(ParseStartupKeyFile(file), "version 2");
}

TEST(StartupKeyFile, RejectsHeaderSize) {
  Bytes file = BekFile(KeyEntry());
  StoreLe32(&file[8], 64);
  ExpectCorrupt(ParseStartupKeyFile(file), "header size 64");
}

TEST(StartupKeyFile, RejectsGuidMismatch) {
  Bytes file = BekFile(KeyEntry());
  file[16] ^= 1;
  ExpectCorrupt(ParseStartupKeyFile(file), "but its key entry names");
}

TEST(StartupKeyFile, RejectsMissingKey) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(NameEntry())), "holds no external key");
  ExpectCorrupt(ParseStartupKeyFile(BekFile({}, Entry(0x42, 1, Filled(4, 0)))),
                "holds no external key");
}

TEST(StartupKeyFile, RejectsWrongKeyMethod) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(KeyEntry(0x2003))), "key method 0x2003");
}

TEST(StartupKeyFile, RejectsWrongKeyLength) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(KeyEntry(0x2002, 31))), "31-byte key");
}

TEST(StartupKeyFile, RejectsTwoKeys) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(Cat({KeyEntry(), KeyEntry()}))), "two keys");
  const Bytes second = Entry(6, 9, Cat({Filled(16, kGuidByte), test::Le64(5), KeyEntry()}));
  ExpectCorrupt(ParseStartupKeyFile(BekFile(KeyEntry(), second)), "two external keys");
}

TEST(StartupKeyFile, RejectsBrokenEntries) {
  ExpectCorrupt(ParseStartupKeyFile(BekFile(Entry(0, 1, Filled(4, 0), 0))), "has size 0");
  ExpectCorrupt(ParseStartupKeyFile(BekFile(Entry(0, 1, Filled(4, 0), 200))), "runs past");
  Bytes short_entry = BekFile({});
  StoreLe16(&short_entry[48], 20);  // the key entry itself, too short for its GUID + FILETIME
  ExpectCorrupt(ParseStartupKeyFile(short_entry), "runs past");
}

}  // namespace
}  // namespace lockbox::bde
