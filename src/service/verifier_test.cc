// Verification against real Windows-made volumes (tests/support/test_images.h): each image's
// metadata copy is read at the offset its volume header names, as an agent would send it.
#include "service/verifier.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>

#include "bde/crc32.h"
#include "bde/volume.h"
#include "service/service_test_util.h"
#include "test_images.h"
#include "util/bytes.h"

namespace lockbox::service {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers
using lockbox::testing::TestImage;

// The first metadata copy of the image at `path`, located through its volume header.
MetadataCopy ReadMetadataCopy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in.tellg());
  std::vector<uint8_t> sector0(512);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(sector0.data()), static_cast<std::streamsize>(sector0.size()));
  auto header = bde::ParseVolumeHeader(sector0, size);
  EXPECT_TRUE(header.ok()) << header.status().message();
  if (!header.ok()) return {};
  MetadataCopy copy;
  copy.offset = header->metadata_offsets[0];
  copy.bytes.resize(static_cast<size_t>(std::min<uint64_t>(64 * 1024, size - copy.offset)));
  in.seekg(static_cast<std::streamoff>(copy.offset));
  in.read(reinterpret_cast<char*>(copy.bytes.data()),
          static_cast<std::streamsize>(copy.bytes.size()));
  return copy;
}

std::vector<const TestImage*> ImagesWithRecoveryPasswords() {
  std::vector<const TestImage*> out;
  for (const TestImage& image : lockbox::testing::TestImages()->images) {
    if (!image.Get("RP").empty() && !image.Get("RP_VMK_GUID").empty()) out.push_back(&image);
  }
  return out;
}

recovery::RecoveryPassword Password(std::string_view text) {
  return recovery::RecoveryPassword::Parse(text).value();
}

TEST(VerifyRecoveryPasswordTest, EachImagesPasswordIsVerifiedAndAnotherIsAMismatch) {
  if (!lockbox::testing::TestImages()) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  const auto images = ImagesWithRecoveryPasswords();
  ASSERT_FALSE(images.empty());
  for (const TestImage* image : images) {
    SCOPED_TRACE(image->name);
    const MetadataCopy copy = ReadMetadataCopy(image->path);
    const Guid key_id = G(image->Get("RP_VMK_GUID"));
    const VerificationOutcome right =
        VerifyRecoveryPassword(key_id, Password(image->Get("RP")), copy);
    EXPECT_EQ(right.result, store::Verification::kVerified) << right.reason;
    const VerificationOutcome wrong = VerifyRecoveryPassword(
        key_id, Password(kPassword2 == image->Get("RP") ? kPassword1 : kPassword2), copy);
    EXPECT_EQ(wrong.result, store::Verification::kMismatch) << wrong.reason;
  }
}

TEST(VerifyRecoveryPasswordTest, PasswordOpeningAnotherProtectorIsAMismatch) {
  if (!lockbox::testing::TestImages()) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  const TestImage* image = ImagesWithRecoveryPasswords().front();
  const VerificationOutcome outcome =
      VerifyRecoveryPassword(kKey, Password(image->Get("RP")), ReadMetadataCopy(image->path));
  EXPECT_EQ(outcome.result, store::Verification::kMismatch);
  EXPECT_NE(outcome.reason.find("not the one it was escrowed for"), std::string::npos);
}

TEST(VerifyRecoveryPasswordTest, GarbageMetadataIsUnknownWithAReason) {
  MetadataCopy garbage{65536, std::vector<uint8_t>(4096, 0x5a)};
  const VerificationOutcome outcome = VerifyRecoveryPassword(kKey, Password(kPassword1), garbage);
  EXPECT_EQ(outcome.result, store::Verification::kUnknown);
  EXPECT_NE(outcome.reason.find("could not be read"), std::string::npos) << outcome.reason;
}

TEST(VerifyRecoveryPasswordTest, AlteredMetadataIsUnknownNotAMismatch) {
  if (!lockbox::testing::TestImages()) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  const TestImage* image = ImagesWithRecoveryPasswords().front();
  MetadataCopy copy = ReadMetadataCopy(image->path);
  // Change one letter of the UTF-16 description entry: still well-formed, so the VMK opens,
  // but the metadata's SHA-256 validation fails.
  size_t letter = 0;
  for (size_t i = 0x70; i + 8 < copy.bytes.size() && letter == 0; i += 2) {
    const auto is_letter = [&](size_t at) {
      return std::isalpha(copy.bytes[at]) && copy.bytes[at + 1] == 0;
    };
    if (is_letter(i) && is_letter(i + 2) && is_letter(i + 4) && is_letter(i + 6)) letter = i;
  }
  ASSERT_NE(letter, 0u) << "no description text found";
  copy.bytes[letter] ^= 0x20;  // upper <-> lower case
  // Fix the CRC-32 (over the first 16 x u16@8 bytes, stored 4 bytes after them), as someone
  // forging metadata would: only the SHA-256 sealed under the VMK can tell.
  const size_t crc_bytes = size_t{LoadLe16(&copy.bytes[8])} * 16;
  StoreLe32(&copy.bytes[crc_bytes + 4], bde::Crc32(std::span(copy.bytes).first(crc_bytes)));
  const VerificationOutcome outcome =
      VerifyRecoveryPassword(G(image->Get("RP_VMK_GUID")), Password(image->Get("RP")), copy);
  EXPECT_EQ(outcome.result, store::Verification::kUnknown) << outcome.reason;
  EXPECT_NE(outcome.reason.find("SHA-256"), std::string::npos) << outcome.reason;
}

// The whole path: an escrow report with metadata, checked in the background, recorded in the
// store and the audit log.
TEST_P(ServiceTest, EscrowWithMetadataIsVerifiedInTheBackground) {
  if (!lockbox::testing::TestImages()) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  const TestImage* image = ImagesWithRecoveryPasswords().front();
  KeyVerifier verifier(*store_, *audit_, 4, options_.now);
  EscrowService escrow(*store_, *audit_, &verifier, *settings_, options_);
  const Guid key_id = G(image->Get("RP_VMK_GUID"));
  const Guid volume_id = G(image->Get("GUID"));

  EscrowReport good = MakeReport(key_id, image->Get("RP"), volume_id);
  good.volumes[0].metadata = ReadMetadataCopy(image->path);
  auto response = escrow.Escrow(Agent(), good);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->verification_queued, std::vector<Guid>{key_id});

  // A second volume whose escrowed password is valid but not this volume's.
  const Guid other_volume = G("2f595209-f5b9-49a0-85d4-cb8f80258c27");
  EscrowReport wrong = MakeReport(kKey, kPassword2, other_volume);
  wrong.volumes[0].metadata = ReadMetadataCopy(image->path);
  ASSERT_TRUE(escrow.Escrow(Agent(), wrong).ok());

  // Garbage metadata: unknown, with the reason in the audit log.
  EscrowReport garbage = MakeReport(kNewKey, kPassword1, G("3f595209-f5b9-49a0-85d4-cb8f80258c27"));
  garbage.volumes[0].metadata = MetadataCopy{65536, std::vector<uint8_t>(512, 0)};
  ASSERT_TRUE(escrow.Escrow(Agent(), garbage).ok());

  verifier.WaitIdle();
  EXPECT_EQ(store_->GetRecoveryKey(key_id)->verification, store::Verification::kVerified);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->verification, store::Verification::kMismatch);
  EXPECT_EQ(store_->GetRecoveryKey(kNewKey)->verification, store::Verification::kUnknown);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].key_id, kNewKey.ToString());
  EXPECT_EQ(audit[2].source, "metadata verification");
  EXPECT_EQ(audit[2].result.rfind("unknown: the metadata could not be read", 0), 0u)
      << audit[2].result;

  // A verified key is not checked again.
  auto again = escrow.Escrow(Agent(), good);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->verification_queued.empty());
}

// Each real check takes a full key stretch, so a burst of reports finds the one-entry queue
// full: the surplus is skipped at once (the keys stay unknown) instead of blocking the agent.
TEST_F(ServiceFixture, FullVerificationQueueSkipsInsteadOfBlocking) {
  if (!lockbox::testing::TestImages()) GTEST_SKIP() << lockbox::testing::TestImagesSkipReason();
  Open(Backend::kSqlite);
  const TestImage* image = ImagesWithRecoveryPasswords().front();
  const MetadataCopy copy = ReadMetadataCopy(image->path);
  KeyVerifier verifier(*store_, *audit_, 1, options_.now);
  int accepted = 0;
  for (int i = 0; i < 10; ++i) {
    accepted += verifier.Enqueue(kKey, Password(image->Get("RP")), copy) ? 1 : 0;
  }
  EXPECT_GE(accepted, 1);
  EXPECT_LE(accepted, 3);  // one running, one queued, and one if the worker just picked up
  verifier.WaitIdle();
}

}  // namespace
}  // namespace lockbox::service
