#include "service/compliance.h"

#include <gtest/gtest.h>

namespace lockbox::service {
namespace {

using store::ConversionStatus;
using store::KeyState;
using store::ProtectionStatus;
using store::ProtectorType;
using store::Verification;
using store::VolumeType;

const Guid kTpm = Guid::Parse("aaaaaaaa-0000-4000-8000-000000000001").value();
const Guid kKey = Guid::Parse("4381f759-c4f8-4de0-bb61-fc33a831bda5").value();

// A compliant OS volume under the default policy: encrypted, on, TPM and an escrowed key.
store::Volume OsVolume() {
  return {.id = Guid::Parse("8f595209-f5b9-49a0-85d4-cb8f80258c27").value(),
          .computer_id = {},
          .drive_letter = "C:",
          .type = VolumeType::kOperatingSystem,
          .description = "",
          .encryption_method = "XTS-AES 128",
          .protection = ProtectionStatus::kOn,
          .conversion = ConversionStatus::kEncrypted,
          .protectors = {{kKey, ProtectorType::kRecoveryPassword}, {kTpm, ProtectorType::kTpm}}};
}

std::vector<store::RecoveryKey> EscrowedKey(KeyState state = KeyState::kActive,
                                            Verification verification = Verification::kVerified) {
  store::RecoveryKey key;
  key.key_id = kKey;
  key.state = state;
  key.verification = verification;
  return {key};
}

std::vector<std::string> Reasons(const CompliancePolicy& policy, const store::Volume& volume,
                                 const std::vector<store::RecoveryKey>& keys = EscrowedKey()) {
  const VolumeCompliance c = EvaluateVolume(policy, volume, keys);
  EXPECT_EQ(c.state,
            c.reasons.empty() ? ComplianceState::kCompliant : ComplianceState::kNoncompliant);
  return c.reasons;
}

TEST(ComplianceTest, AnEncryptedProtectedVolumeWithItsProtectorsAndEscrowIsCompliant) {
  EXPECT_EQ(Reasons(CompliancePolicy{}, OsVolume()), std::vector<std::string>{});
  // A disclosed key still opens the volume until it is replaced; an unverified one counts.
  EXPECT_TRUE(Reasons({}, OsVolume(), EscrowedKey(KeyState::kDisclosed)).empty());
  EXPECT_TRUE(
      Reasons({}, OsVolume(), EscrowedKey(KeyState::kActive, Verification::kUnknown)).empty());
}

TEST(ComplianceTest, EachFaultIsAReason) {
  store::Volume v = OsVolume();
  v.conversion = ConversionStatus::kEncrypting;
  v.protection = ProtectionStatus::kOff;
  EXPECT_EQ(Reasons({}, v),
            (std::vector<std::string>{"not fully encrypted (encrypting)", "protection is off"}));
  CompliancePolicy strict;
  strict.encryption_methods = {"XTS-AES 256"};
  EXPECT_EQ(Reasons(strict, OsVolume()),
            std::vector<std::string>{"encryption method XTS-AES 128 is not allowed"});
}

TEST(ComplianceTest, ADecryptedVolumeIsNotAlsoBlamedForItsMethod) {
  store::Volume v = OsVolume();
  v.conversion = ConversionStatus::kDecrypted;
  v.encryption_method = "";
  CompliancePolicy strict;
  strict.encryption_methods = {"XTS-AES 256"};
  EXPECT_EQ(Reasons(strict, v), std::vector<std::string>{"not fully encrypted (decrypted)"});
}

TEST(ComplianceTest, RequiredProtectorsFollowTheDriveType) {
  store::Volume os = OsVolume();
  os.protectors = {{kKey, ProtectorType::kRecoveryPassword}};
  EXPECT_EQ(Reasons({}, os),
            std::vector<std::string>{
                "no tpm or tpm_pin or tpm_startup_key or tpm_pin_startup_key protector"});
  // A TPM+PIN satisfies "any TPM"; a data drive needs no TPM.
  os.protectors.push_back({kTpm, ProtectorType::kTpmPin});
  EXPECT_TRUE(Reasons({}, os).empty());
  store::Volume data = OsVolume();
  data.type = VolumeType::kFixed;
  data.protectors = {{kKey, ProtectorType::kRecoveryPassword}};
  EXPECT_TRUE(Reasons({}, data).empty());
  CompliancePolicy policy;
  policy.removable_protectors = {{ProtectorType::kPassword}, {ProtectorType::kRecoveryPassword}};
  data.type = VolumeType::kRemovable;
  EXPECT_EQ(Reasons(policy, data), std::vector<std::string>{"no password protector"});
}

TEST(ComplianceTest, TheRecoveryPasswordMustBeEscrowedLiveAndMatching) {
  EXPECT_EQ(Reasons({}, OsVolume(), {}), std::vector<std::string>{"no recovery password escrowed"});
  EXPECT_EQ(Reasons({}, OsVolume(), EscrowedKey(KeyState::kRetired)),
            std::vector<std::string>{"no recovery password escrowed"});
  EXPECT_EQ(Reasons({}, OsVolume(), EscrowedKey(KeyState::kActive, Verification::kMismatch)),
            std::vector<std::string>{"the escrowed recovery password does not open the volume"});
  // A key escrowed for a protector the volume no longer has does not count.
  store::Volume v = OsVolume();
  v.protectors = {{Guid::Parse("11111111-0000-4000-8000-000000000001").value(),
                   ProtectorType::kRecoveryPassword},
                  {kTpm, ProtectorType::kTpm}};
  EXPECT_EQ(Reasons({}, v), std::vector<std::string>{"no recovery password escrowed"});
}

TEST(ComplianceTest, AComputerIsAsGoodAsItsWorstVolumeAndUnknownWithoutVolumes) {
  ComputerRecord record;
  EXPECT_EQ(EvaluateComputer({}, record).state, ComplianceState::kUnknown);
  record.volumes.push_back({OsVolume(), EscrowedKey()});
  EXPECT_EQ(EvaluateComputer({}, record).state, ComplianceState::kCompliant);
  record.volumes.push_back({OsVolume(), {}});
  const ComputerCompliance c = EvaluateComputer({}, record);
  EXPECT_EQ(c.state, ComplianceState::kNoncompliant);
  ASSERT_EQ(c.volumes.size(), 2u);
  EXPECT_EQ(c.volumes[0].state, ComplianceState::kCompliant);
  EXPECT_EQ(c.volumes[1].state, ComplianceState::kNoncompliant);
}

TEST(ComplianceTest, ProtectorRequirementsParseAlternativesAndRejectUnknownTypes) {
  EXPECT_EQ(ParseProtectorRequirement("tpm|tpm_pin").value(),
            (ProtectorRequirement{ProtectorType::kTpm, ProtectorType::kTpmPin}));
  EXPECT_FALSE(ParseProtectorRequirement("tpm|").ok());
  EXPECT_FALSE(ParseProtectorRequirement("TPM").ok());
}

}  // namespace
}  // namespace lockbox::service
