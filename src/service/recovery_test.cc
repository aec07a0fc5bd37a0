#include "service/recovery.h"

#include <gtest/gtest.h>

#include "service/service_test_util.h"

namespace lockbox::service {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

const Guid kSamePrefixKey = G("4381f759-0000-4de0-bb61-fc33a831bda5");
const Guid kOtherVolume = G("1f595209-f5b9-49a0-85d4-cb8f80258c27");

RecoveryRequest Request(Actor actor, std::string key_id = "4381F759") {
  RecoveryRequest r;
  r.actor = std::move(actor);
  r.key_id = std::move(key_id);
  r.reason = "Lost PIN";
  r.end_user = "contoso\\alice";
  return r;
}

RecoveryRequest SelfService(std::string user = "CONTOSO\\Alice") {
  RecoveryRequest r =
      Request(Person(std::move(user), Role::kSelfServiceUser, Source::kSelfService));
  r.end_user.clear();
  r.notice_acknowledged = true;
  return r;
}

Result<RecoveryAnswer> Recover(RecoveryService& service, const RecoveryRequest& r) {
  return service.RecoverPassword(r);
}

TEST_P(ServiceTest, HelpdeskRecoversByShortKeyIdAuditedFirstAndKeyMarkedDisclosed) {
  Escrow(MakeReport());
  auto answer = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk)));
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  ASSERT_TRUE(answer->disclosure.has_value());
  EXPECT_EQ(Plain(answer->disclosure->secret), kPassword1);
  EXPECT_EQ(answer->disclosure->computer.name, "PC-07");
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kDisclosed);

  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "bob");
  EXPECT_EQ(audit[0].role, "helpdesk");
  EXPECT_EQ(audit[0].source, "helpdesk from 10.1.1.1");
  EXPECT_EQ(audit[0].key_id, kKey.ToString());
  EXPECT_EQ(audit[0].key_type, "recovery_password");
  EXPECT_EQ(audit[0].reason, "Lost PIN");
  EXPECT_EQ(audit[0].end_user, "contoso\\alice");
  EXPECT_EQ(audit[0].computer, "PC-07 (" + kComputer.ToString() + ")");
  EXPECT_EQ(audit[0].result, "disclosed");
  EXPECT_TRUE(audit::AuditLog(*store_).Verify()->ok);
}

TEST_P(ServiceTest, FullKeyIdWithBracesAndHyphensFindsTheKey) {
  Escrow(MakeReport());
  auto answer = recovery_->RecoverPassword(
      Request(Person("bob", Role::kHelpdesk), "{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}"));
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_TRUE(answer->disclosure.has_value());
}

TEST_P(ServiceTest, SeveralMatchesListCandidatesWithoutSecretAndAudit) {
  EscrowReport report = MakeReport();
  ReportedVolume second = report.volumes[0];
  second.volume.id = kOtherVolume;
  second.volume.drive_letter = "D:";
  second.volume.type = store::VolumeType::kFixed;
  second.volume.protectors = {{kSamePrefixKey, store::ProtectorType::kRecoveryPassword}};
  report.volumes.push_back(second);
  report.recovery_passwords.push_back(
      {kSamePrefixKey, kOtherVolume, Secret(kPassword2), At(1695000000), std::nullopt});
  Escrow(report);

  auto answer = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk)));
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_FALSE(answer->disclosure.has_value());
  ASSERT_EQ(answer->candidates.size(), 2u);
  EXPECT_EQ(answer->candidates[0].key_id, kSamePrefixKey);  // key-ID order
  EXPECT_EQ(answer->candidates[0].drive_letter, "D:");
  EXPECT_EQ(answer->candidates[0].created_at, At(1695000000));
  EXPECT_EQ(answer->candidates[1].computer_name, "PC-07");
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
  EXPECT_EQ(Audit().at(0).result, "ambiguous: 2 keys match");

  // More characters settle it.
  auto settled = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk), "4381F759-C4"));
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(Plain(settled->disclosure->secret), kPassword1);
}

TEST_P(ServiceTest, UnknownKeyIsNotFoundAndAudited) {
  Escrow(MakeReport());
  auto answer = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk), "DEADBEEF"));
  EXPECT_EQ(answer.status().code(), ErrorCode::kNotFound);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].key_id, "deadbeef");
  EXPECT_EQ(audit[0].result.rfind("not_found: ", 0), 0u) << audit[0].result;
}

TEST_P(ServiceTest, TooShortKeyIdIsRefusedAndAudited) {
  auto answer = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk), "4381F7"));
  EXPECT_EQ(answer.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Audit().size(), 1u);
}

TEST_P(ServiceTest, ReasonMustBeConfiguredAndOtherNeedsText) {
  Escrow(MakeReport());
  RecoveryRequest r = Request(Person("bob", Role::kHelpdesk));
  r.reason = "Because";
  EXPECT_EQ(Recover(*recovery_, r).status().code(), ErrorCode::kInvalidArgument);
  r.reason = "Other";
  EXPECT_EQ(Recover(*recovery_, r).status().code(), ErrorCode::kInvalidArgument);
  r.reason_text = "docking station swap";
  ASSERT_TRUE(Recover(*recovery_, r).ok());
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].reason, "Other: docking station swap");
  EXPECT_EQ(audit[0].result.rfind("invalid_argument: ", 0), 0u);
}

TEST_P(ServiceTest, ReasonListIsChangedByAnAdmin) {
  Escrow(MakeReport());
  ASSERT_TRUE(settings_
                  ->Change(Person("root", Role::kAdmin),
                           {.drive_unlock_reasons = std::vector<std::string>{"Ticket"}})
                  .ok());
  RecoveryRequest r = Request(Person("bob", Role::kHelpdesk));
  EXPECT_EQ(Recover(*recovery_, r).status().code(), ErrorCode::kInvalidArgument);
  r.reason = "Ticket";
  EXPECT_TRUE(Recover(*recovery_, r).ok());
}

TEST_P(ServiceTest, StandardHelpdeskMustNameAKnownEndUser) {
  Escrow(MakeReport());
  RecoveryRequest r = Request(Person("bob", Role::kHelpdesk));
  r.end_user.clear();
  EXPECT_EQ(Recover(*recovery_, r).status().code(), ErrorCode::kInvalidArgument);
  r.end_user = "contoso\\mallory";
  auto refused = Recover(*recovery_, r);
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("not a known user"), std::string::npos);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
  r.end_user = "CONTOSO\\ALICE";  // case does not matter
  EXPECT_TRUE(Recover(*recovery_, r).ok());
  EXPECT_EQ(Audit().size(), 3u);
}

TEST_P(ServiceTest, EndUserIsNotCheckedWhenTheComputerHasNoKnownUsers) {
  EscrowReport report = MakeReport();
  report.users.clear();
  Escrow(report);
  RecoveryRequest r = Request(Person("bob", Role::kHelpdesk));
  r.end_user = "contoso\\carol";
  EXPECT_TRUE(Recover(*recovery_, r).ok());
}

TEST_P(ServiceTest, RolesWithoutRecoveryRightsAreRefusedAndAudited) {
  Escrow(MakeReport());
  for (Role role : {Role::kReportReader, Role::kDataMigration, Role::kAgent}) {
    auto answer = recovery_->RecoverPassword(Request(Person("eve", role)));
    EXPECT_EQ(answer.status().code(), ErrorCode::kPermissionDenied) << NameOf(role);
  }
  EXPECT_EQ(Audit().size(), 3u);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
}

TEST_P(ServiceTest, KeyPackagesOnlyForAdvancedHelpdeskAndAdmin) {
  EscrowReport report = MakeReport();
  report.recovery_passwords[0].key_package = Secret("KEY-PACKAGE");
  Escrow(report);
  EXPECT_EQ(recovery_->RecoverKeyPackage(Request(Person("bob", Role::kHelpdesk))).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(recovery_->RecoverKeyPackage(SelfService()).status().code(),
            ErrorCode::kPermissionDenied);
  auto answer = recovery_->RecoverKeyPackage(Request(Person("carl", Role::kAdvancedHelpdesk)));
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(Plain(answer->disclosure->secret), "KEY-PACKAGE");
  EXPECT_EQ(Audit().back().key_type, "key_package");
  // Reading a package does not use up the recovery password.
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
}

TEST_P(ServiceTest, RetiredKeysAreHistoryForAdvancedHelpdeskOnly) {
  Escrow(MakeReport());
  ASSERT_TRUE(store_->SetKeyState(kKey, store::KeyState::kDisclosed, now_).ok());
  Escrow(MakeReport(kNewKey, kPassword2));
  ASSERT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kRetired);

  auto helpdesk = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk)));
  EXPECT_EQ(helpdesk.status().code(), ErrorCode::kPermissionDenied);
  auto advanced = recovery_->RecoverPassword(Request(Person("carl", Role::kAdvancedHelpdesk)));
  ASSERT_TRUE(advanced.ok()) << advanced.status().message();
  EXPECT_EQ(Plain(advanced->disclosure->secret), kPassword1);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kRetired);

  auto history = recovery_->ListKeys(Person("carl", Role::kAdvancedHelpdesk), kComputer);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  EXPECT_TRUE(recovery_->ListKeys(Person("rita", Role::kReportReader), kComputer).ok());
  EXPECT_EQ(recovery_->ListKeys(Person("bob", Role::kHelpdesk), kComputer).status().code(),
            ErrorCode::kPermissionDenied);
}

// --- Self-service

TEST_P(ServiceTest, SelfServiceUserRecoversOwnComputersKey) {
  Escrow(MakeReport());
  auto answer = recovery_->RecoverPassword(SelfService());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(Plain(answer->disclosure->secret), kPassword1);
  EXPECT_EQ(Audit().at(0).end_user, "CONTOSO\\Alice");
  EXPECT_EQ(Audit().at(0).source, "self-service from 10.1.1.1");
}

TEST_P(ServiceTest, SelfServiceSeesNoOtherUsersKeys) {
  Escrow(MakeReport());
  auto answer = recovery_->RecoverPassword(SelfService("contoso\\mallory"));
  EXPECT_EQ(answer.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
}

TEST_P(ServiceTest, SelfServiceNeedsTheNoticeAcknowledged) {
  Escrow(MakeReport());
  RecoveryRequest r = SelfService();
  r.notice_acknowledged = false;
  EXPECT_EQ(Recover(*recovery_, r).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
}

TEST_P(ServiceTest, SelfServiceIsRateLimitedPerUser) {
  Escrow(MakeReport());
  options_.self_service_attempts = 2;
  options_.self_service_window = std::chrono::minutes(10);
  recovery_ = std::make_unique<RecoveryService>(*store_, *audit_, *settings_, options_);
  RecoveryRequest wrong = SelfService();
  wrong.key_id = "DEADBEEF";
  EXPECT_EQ(Recover(*recovery_, wrong).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Recover(*recovery_, wrong).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Recover(*recovery_, SelfService()).status().code(), ErrorCode::kRateLimited);
  EXPECT_EQ(Audit().back().result.rfind("rate_limited: ", 0), 0u);
  // Another user has their own allowance; the first gets theirs back after the window.
  EXPECT_EQ(Recover(*recovery_, SelfService("contoso\\bob")).status().code(), ErrorCode::kNotFound);
  now_ += std::chrono::minutes(10);
  EXPECT_TRUE(Recover(*recovery_, SelfService()).ok());
}

// --- Audit first

TEST_F(ServiceFixture, NothingIsDisclosedWhenTheAuditAppendFails) {
  Open(Backend::kSqlite);
  EscrowReport report = MakeReport();
  report.recovery_passwords[0].key_package = Secret("KEY-PACKAGE");
  report.tpm_owner_auth = ReportedTpmOwnerAuth{Secret("TPM-AUTH"), At(1600000000)};
  Escrow(report);
  BreakAuditAppends();

  auto password = recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk)));
  ASSERT_FALSE(password.ok());
  EXPECT_NE(password.status().message().find("audit log could not be written"), std::string::npos)
      << password.status().message();
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, store::KeyState::kActive);
  EXPECT_FALSE(recovery_->RecoverKeyPackage(Request(Person("carl", Role::kAdvancedHelpdesk))).ok());
  EXPECT_FALSE(recovery_
                   ->RecoverTpmOwnerAuth(
                       {Person("carl", Role::kAdvancedHelpdesk), kComputer, "Clear TPM", ""})
                   .ok());
  EXPECT_TRUE(Audit().empty());
}

// --- TPM owner authorisation

TEST_P(ServiceTest, TpmOwnerAuthNeedsAdvancedRoleAndTpmReason) {
  EscrowReport report = MakeReport();
  report.tpm_owner_auth = ReportedTpmOwnerAuth{Secret("TPM-AUTH"), At(1600000000)};
  Escrow(report);
  const Actor advanced = Person("carl", Role::kAdvancedHelpdesk);
  EXPECT_EQ(
      recovery_->RecoverTpmOwnerAuth({Person("bob", Role::kHelpdesk), kComputer, "Clear TPM", ""})
          .status()
          .code(),
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(recovery_->RecoverTpmOwnerAuth({advanced, kComputer, "Lost PIN", ""}).status().code(),
            ErrorCode::kInvalidArgument);
  auto auth = recovery_->RecoverTpmOwnerAuth({advanced, kComputer, "Reset TPM lockout", ""});
  ASSERT_TRUE(auth.ok()) << auth.status().message();
  EXPECT_EQ(Plain(*auth), "TPM-AUTH");
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].key_type, "tpm_owner_auth");
  EXPECT_EQ(audit[2].reason, "Reset TPM lockout");
  EXPECT_EQ(audit[2].result, "disclosed");
}

TEST_P(ServiceTest, AgentGetsTpmOwnerAuthOnlyAfterARecentOsKeyDisclosure) {
  EscrowReport report = MakeReport();
  report.tpm_owner_auth = ReportedTpmOwnerAuth{Secret("TPM-AUTH"), At(1600000000)};
  Escrow(report);
  // Off by default.
  EXPECT_EQ(recovery_->AgentTpmOwnerAuth(Agent()).status().code(), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(
      settings_
          ->Change(Person("root", Role::kAdmin), {.agent_tpm_unlock_window = std::chrono::hours(1)})
          .ok());
  // On, but nothing disclosed.
  EXPECT_EQ(recovery_->AgentTpmOwnerAuth(Agent()).status().code(), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(recovery_->RecoverPassword(Request(Person("bob", Role::kHelpdesk))).ok());
  auto auth = recovery_->AgentTpmOwnerAuth(Agent());
  ASSERT_TRUE(auth.ok()) << auth.status().message();
  EXPECT_EQ(Plain(*auth), "TPM-AUTH");
  EXPECT_EQ(Audit().back().source, "agent TPM unlock from 10.0.0.7");
  EXPECT_EQ(Audit().back().result, "disclosed");
  // Another computer's agent, a person, and a late agent are refused.
  EXPECT_EQ(recovery_->AgentTpmOwnerAuth(Agent(kOtherComputer)).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(recovery_->AgentTpmOwnerAuth(Person("bob", Role::kHelpdesk)).status().code(),
            ErrorCode::kPermissionDenied);
  now_ += std::chrono::hours(2);
  EXPECT_EQ(recovery_->AgentTpmOwnerAuth(Agent()).status().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace lockbox::service
