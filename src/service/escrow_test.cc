#include "service/escrow.h"

#include <gtest/gtest.h>

#include "service/service_test_util.h"

namespace lockbox::service {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

TEST_P(ServiceTest, FirstReportStoresComputerVolumeKeyAndUsers) {
  const EscrowResponse response = Escrow(MakeReport());
  EXPECT_TRUE(response.changed);
  ASSERT_EQ(response.secrets.size(), 1u);
  EXPECT_EQ(response.secrets[0].outcome, store::WriteOutcome::kCreated);
  EXPECT_EQ(response.next_report_in, std::chrono::minutes(90));
  EXPECT_TRUE(response.rotate.empty());

  const store::Computer computer = store_->GetComputer(kComputer).value();
  EXPECT_EQ(computer.name, "PC-07");
  EXPECT_EQ(computer.last_contact, now_);
  EXPECT_EQ(store_->GetVolume(kVolume)->computer_id, kComputer);
  const store::RecoveryKey key = store_->GetRecoveryKey(kKey).value();
  EXPECT_EQ(key.state, store::KeyState::kActive);
  EXPECT_EQ(key.source, "agent:PC-07");
  EXPECT_EQ(key.created_at, At(1690000000));
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
  const auto users = store_->ListComputerUsers(kComputer).value();
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].user, "contoso\\alice");
}

TEST_P(ServiceTest, SameReportTwiceChangesNothingAndSaysSo) {
  Escrow(MakeReport());
  const store::Time first = now_;
  const store::RecoveryKey before = store_->GetRecoveryKey(kKey).value();
  now_ += std::chrono::minutes(90);
  EscrowReport again = MakeReport();
  std::swap(again.computer.hardware_ids[0], again.computer.hardware_ids[1]);  // order is no news
  const EscrowResponse response = Escrow(again);
  EXPECT_FALSE(response.changed);
  ASSERT_EQ(response.secrets.size(), 1u);
  EXPECT_EQ(response.secrets[0].outcome, store::WriteOutcome::kUnchanged);
  EXPECT_EQ(store_->GetRecoveryKey(kKey).value(), before);  // not even escrowed_at moved
  // Contact times of check-ins are written in batches; a user's last_seen once a day.
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, now_);
  EXPECT_EQ(store_->ListComputerUsers(kComputer).value()[0].last_seen, first);
  now_ = first + store::Store::kUseRefreshInterval - std::chrono::seconds(1);
  Escrow(again);
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, now_);
  EXPECT_EQ(store_->ListComputerUsers(kComputer).value()[0].last_seen, first);
  now_ = first + store::Store::kUseRefreshInterval;
  Escrow(again);
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->ListComputerUsers(kComputer).value()[0].last_seen, now_);
}

TEST_P(ServiceTest, TheAgentCredentialsLastUseIsWrittenWithTheContactTimesOnceADay) {
  Escrow(MakeReport());
  ASSERT_TRUE(store_
                  ->CreateMachineCredential({.id = "cred-1",
                                             .token_hash = std::vector<uint8_t>(32, 7),
                                             .computer_id = kComputer,
                                             .enrollment_token_id = "enroll-1",
                                             .created_at = now_,
                                             .revoked_at = std::nullopt,
                                             .last_used = std::nullopt,
                                             .computer_name = ""})
                  .ok());
  Actor agent = Agent();
  agent.credential_id = "cred-1";
  now_ += std::chrono::minutes(1);
  Escrow(MakeReport(kNewKey, kPassword2), agent);                              // processed in full
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->last_used, std::nullopt);  // batched
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->last_used, now_);
  const store::Time first_use = now_;

  // Refreshed once a day: the computer's contact time is the exact one.
  now_ += std::chrono::minutes(90);
  Escrow(MakeReport(kNewKey, kPassword2), agent);  // a check-in
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->last_used, first_use);
  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, now_);
  now_ = first_use + store::Store::kUseRefreshInterval;
  Escrow(MakeReport(kNewKey, kPassword2), agent);
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->last_used, now_);
  const store::Time second_use = now_;

  // The use time the agent's credential had when it was authenticated decides, so that the
  // contact batch does not look the credential up again: a use less than a day old is not
  // written again, whatever the store has meanwhile.
  now_ = second_use + store::Store::kUseRefreshInterval;
  agent.credential_last_used = now_ - std::chrono::minutes(1);
  Escrow(MakeReport(kNewKey, kPassword2), agent);
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->last_used, second_use);
  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, now_);
  agent.credential_last_used = second_use;
  Escrow(MakeReport(kNewKey, kPassword2), agent);
  ASSERT_TRUE(escrow_->FlushContacts().ok());
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->last_used, now_);
}

TEST_P(ServiceTest, ACheckInStillCarriesRotationAndAChangedReportIsProcessedInFull) {
  Escrow(MakeReport());
  Escrow(MakeReport());  // a check-in
  ASSERT_TRUE(escrow_->ForceRotation(Person("root", Role::kAdmin), kKey).ok());
  EXPECT_EQ(Escrow(MakeReport()).rotate, std::vector<Guid>{kKey});

  // The rotated report differs: processed in full, the old key retired.
  const EscrowResponse rotated = Escrow(MakeReport(kNewKey, kPassword2));
  EXPECT_TRUE(rotated.changed);
  EXPECT_EQ(rotated.retired, std::vector<Guid>{kKey});
  EXPECT_EQ(Escrow(MakeReport(kNewKey, kPassword2)).rotate, std::vector<Guid>{});

  // A volume changed by someone else than this agent (a migration, an administrator): the same
  // report as before is processed in full and puts the agent's values back.
  store::Volume volume = store_->GetVolume(kVolume).value();
  volume.description = "edited elsewhere";
  ASSERT_TRUE(store_->UpsertVolume(volume).ok());
  const EscrowResponse restored = Escrow(MakeReport(kNewKey, kPassword2));
  EXPECT_TRUE(restored.changed);
  EXPECT_EQ(store_->GetVolume(kVolume)->description, "Windows");
}

TEST_P(ServiceTest, PasswordsInOtherSpellingAreTheSameKey) {
  Escrow(MakeReport());
  std::string spaced(kPassword1);
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  const EscrowResponse response = Escrow(MakeReport(kKey, spaced));
  EXPECT_EQ(response.secrets[0].outcome, store::WriteOutcome::kUnchanged);
}

TEST_P(ServiceTest, KeySeenAgainWithOtherPasswordIsAConflictNotAnOverwrite) {
  Escrow(MakeReport());
  const EscrowResponse response = Escrow(MakeReport(kKey, kPassword2));
  ASSERT_EQ(response.conflicts.size(), 1u);
  EXPECT_EQ(response.conflicts[0], kKey);
  EXPECT_EQ(response.secrets[0].outcome, store::WriteOutcome::kConflict);
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].key_id, kKey.ToString());
  EXPECT_NE(audit[0].result.find("escrow conflict"), std::string::npos);
  EXPECT_EQ(audit[0].result.find(kPassword2), std::string::npos);
}

TEST_P(ServiceTest, BadChecksumIsRefusedNamingTheBlockNotThePassword) {
  const std::string wrong = "235818-357951-253978-013365-241120-245575-342914-591910";
  auto response = escrow_->Escrow(Agent(), MakeReport(kKey, wrong));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(response.status().message().find("block 3 is not divisible by 11"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(response.status().message().find("253978"), std::string::npos);
  EXPECT_EQ(response.status().message().find("235818"), std::string::npos);
  EXPECT_EQ(store_->GetComputer(kComputer).status().code(), ErrorCode::kNotFound);
}

TEST_P(ServiceTest, GarbledPasswordIsRefusedWithoutEchoingIt) {
  auto response = escrow_->Escrow(Agent(), MakeReport(kKey, "235818-35795x"));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("not 8 blocks of 6 digits"), std::string::npos);
  EXPECT_EQ(response.status().message().find("35795"), std::string::npos);
}

TEST_P(ServiceTest, OversizedOrInconsistentReportsAreRefusedWhole) {
  EscrowReport long_name = MakeReport();
  long_name.computer.name = std::string(kMaxTextBytes + 1, 'x');
  EscrowReport package = MakeReport();
  package.recovery_passwords[0].key_package =
      crypto::SecretBytes(std::vector<uint8_t>(kMaxKeyPackageBytes + 1, 1));
  EscrowReport metadata = MakeReport();
  metadata.volumes[0].metadata = MetadataCopy{0, std::vector<uint8_t>(kMaxMetadataBytes + 1)};
  EscrowReport orphan = MakeReport();
  orphan.recovery_passwords[0].volume_id = G("9f595209-f5b9-49a0-85d4-cb8f80258c27");
  EscrowReport unlisted = MakeReport();
  unlisted.volumes[0].volume.protectors.erase(unlisted.volumes[0].volume.protectors.begin());
  EscrowReport letter = MakeReport();
  letter.volumes[0].volume.drive_letter = "C:\\";
  EscrowReport users = MakeReport();
  users.users.assign(kMaxUsers + 1, "contoso\\bob");
  for (const EscrowReport* report :
       {&long_name, &package, &metadata, &orphan, &unlisted, &letter, &users}) {
    auto response = escrow_->Escrow(Agent(), *report);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.status().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(store_->GetComputer(kComputer).status().code(), ErrorCode::kNotFound);
}

TEST_P(ServiceTest, AgentMayReportOnlyItsOwnComputer) {
  auto other = escrow_->Escrow(Agent(kOtherComputer), MakeReport());
  EXPECT_EQ(other.status().code(), ErrorCode::kPermissionDenied);
  for (Role role : {Role::kAdmin, Role::kHelpdesk, Role::kDataMigration}) {
    Actor person = Person("bob", role);
    person.computer = kComputer;
    EXPECT_EQ(escrow_->Escrow(person, MakeReport()).status().code(), ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(store_->GetComputer(kComputer).status().code(), ErrorCode::kNotFound);
}

TEST_P(ServiceTest, KeyPackageAndTpmOwnerAuthAreStored) {
  EscrowReport report = MakeReport();
  report.recovery_passwords[0].key_package = Secret("KEY-PACKAGE");
  report.tpm_owner_auth = ReportedTpmOwnerAuth{Secret("TPM-AUTH"), At(1600000000)};
  const EscrowResponse response = Escrow(report);
  ASSERT_EQ(response.secrets.size(), 2u);
  EXPECT_EQ(response.secrets[1].kind, "key_package");
  EXPECT_EQ(response.tpm_owner_auth, store::WriteOutcome::kCreated);
  EXPECT_EQ(Plain(store_->OpenKeyPackage(kKey).value()), "KEY-PACKAGE");
  EXPECT_EQ(Plain(store_->OpenTpmOwnerAuth(kComputer).value()), "TPM-AUTH");
  EXPECT_FALSE(Escrow(report).changed);
}

TEST_P(ServiceTest, ReportIntervalIsConfigurable) {
  options_.report_interval = std::chrono::minutes(15);
  EXPECT_EQ(Escrow(MakeReport()).next_report_in, std::chrono::minutes(15));
}

// --- Single-use keys

TEST_P(ServiceTest, DisclosedKeyIsRotatedThenRetiredWhenReplaced) {
  Escrow(MakeReport());
  ASSERT_TRUE(store_->SetKeyState(kKey, store::KeyState::kDisclosed, now_).ok());

  // The next report is told to rotate it; until the agent has, the key stays disclosed.
  const EscrowResponse told = Escrow(MakeReport());
  ASSERT_EQ(told.rotate.size(), 1u);
  EXPECT_EQ(told.rotate[0], kKey);
  EXPECT_TRUE(told.retired.empty());
  // Until then each report is processed in full (the store keeps no digest beside a disclosed
  // key), changes nothing, and is told again.
  const EscrowResponse again = Escrow(MakeReport());
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.rotate, std::vector<Guid>{kKey});
  EXPECT_TRUE(store_->GetCheckIn(kComputer)->report_digest.empty());

  // The agent replaced it: the new key is escrowed, the old one retired and kept.
  const EscrowResponse rotated = Escrow(MakeReport(kNewKey, kPassword2));
  EXPECT_TRUE(rotated.changed);
  ASSERT_EQ(rotated.retired.size(), 1u);
  EXPECT_EQ(rotated.retired[0], kKey);
  EXPECT_TRUE(rotated.rotate.empty());
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kRetired);
  EXPECT_EQ(store_->GetRecoveryKey(kNewKey)->state, store::KeyState::kActive);
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
}

TEST_P(ServiceTest, AdminForcesRotationAndItIsAudited) {
  Escrow(MakeReport());
  ASSERT_TRUE(escrow_->ForceRotation(Person("root", Role::kAdmin), kKey).ok());
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kDisclosed);
  EXPECT_EQ(Escrow(MakeReport()).rotate, std::vector<Guid>{kKey});
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].result, "rotation forced");
  EXPECT_EQ(audit[0].role, "admin");
}

TEST_P(ServiceTest, OnlyAdminsForceRotation) {
  Escrow(MakeReport());
  for (Role role : {Role::kHelpdesk, Role::kAdvancedHelpdesk, Role::kReportReader, Role::kAgent}) {
    EXPECT_EQ(escrow_->ForceRotation(Person("bob", role), kKey).code(),
              ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::service
