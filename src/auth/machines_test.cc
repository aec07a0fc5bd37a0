#include "auth/machines.h"

#include <gtest/gtest.h>

#include "auth/auth_test_util.h"
#include "auth/token.h"
#include "service/escrow.h"
#include "service/service_test_util.h"

namespace lockbox::auth {
namespace {

using service::Role;
using testing::AdminActor;
using testing::Plain;

constexpr std::chrono::seconds kDay = std::chrono::hours(24);

MachineInfo Machine(std::string name = "PC-07",
                    std::vector<std::string> ids = {"smbios-uuid:4c4c4544-0051"}) {
  return {.name = std::move(name),
          .domain = "contoso.example",
          .os = "Windows 11 Pro",
          .hardware_ids = std::move(ids)};
}

class MachinesTest : public testing::AuthFixture {
 protected:
  Machines& machines() { return auth_->machines(); }

  std::string Issue(int64_t uses = 5, std::chrono::seconds lifetime = 7 * kDay) {
    auto token = machines().IssueEnrollmentToken(AdminActor(), "rollout", uses, lifetime);
    EXPECT_TRUE(token.ok()) << token.status().message();
    return token.ok() ? Plain(token->token) : "";
  }

  Enrollment Enroll(const std::string& token, const MachineInfo& machine = Machine()) {
    auto enrolled = machines().Enroll(token, machine, "10.0.0.7");
    EXPECT_TRUE(enrolled.ok()) << enrolled.status().message();
    return enrolled.ok() ? std::move(enrolled).value() : Enrollment{};
  }
};

TEST_P(MachinesTest, EnrollmentCreatesTheComputerAndItsCredential) {
  const Enrollment enrolled = Enroll(Issue());
  EXPECT_FALSE(enrolled.existing_computer);
  EXPECT_TRUE(Plain(enrolled.credential).starts_with("lbx_agt_" + enrolled.credential_id + "_"));
  const store::Computer computer = store_->GetComputer(enrolled.computer_id).value();
  EXPECT_EQ(computer.name, "PC-07");
  EXPECT_EQ(computer.hardware_ids, std::vector<std::string>{"smbios-uuid:4c4c4544-0051"});
  // A version 4 GUID.
  EXPECT_EQ(enrolled.computer_id.ToString()[14], '4');
  const auto actor = auth_->AuthenticateBearer(Plain(enrolled.credential), "10.0.0.7");
  ASSERT_TRUE(actor.ok()) << actor.status().message();
  EXPECT_EQ(actor->role, Role::kAgent);
  EXPECT_EQ(actor->source, service::Source::kAgent);
  EXPECT_EQ(actor->computer, enrolled.computer_id);
  EXPECT_EQ(actor->name, "PC-07");
}

// The service accepts reports from the credential's computer only.
TEST_P(MachinesTest, CredentialReportsOnlyItsOwnComputer) {
  const std::string token = Issue();
  const Enrollment mine = Enroll(token);
  const Enrollment other = Enroll(token, Machine("PC-08", {"serial:OTHER"}));
  const service::Actor agent =
      auth_->AuthenticateBearer(Plain(mine.credential), "10.0.0.7").value();
  service::ServiceOptions options;
  options.now = [this] { return now_; };
  service::Settings settings(*store_, *audit_, options);
  service::EscrowService escrow(*store_, *audit_, nullptr, settings, options);
  using service::testing::MakeReport;
  const auto own =
      escrow.Escrow(agent, MakeReport(service::testing::kKey, service::testing::kPassword1,
                                      service::testing::kVolume, mine.computer_id));
  EXPECT_TRUE(own.ok()) << own.status().message();
  const auto foreign =
      escrow.Escrow(agent, MakeReport(service::testing::kNewKey, service::testing::kPassword2,
                                      service::testing::G("9f595209-f5b9-49a0-85d4-cb8f80258c27"),
                                      other.computer_id));
  EXPECT_EQ(foreign.status().code(), ErrorCode::kPermissionDenied);
}

TEST_P(MachinesTest, ReEnrollingTheSameHardwareKeepsTheComputerAndRevokesTheOldCredential) {
  const std::string token = Issue();
  const Enrollment first = Enroll(token);
  ASSERT_TRUE(auth_->AuthenticateBearer(Plain(first.credential), "x").ok());
  now_ += kDay;
  const Enrollment second =
      Enroll(token, Machine("PC-07-NEW", {"serial:NEW", "smbios-uuid:4c4c4544-0051"}));
  EXPECT_TRUE(second.existing_computer);
  EXPECT_EQ(second.computer_id, first.computer_id);
  EXPECT_EQ(store_->GetComputer(first.computer_id)->name, "PC-07-NEW");
  EXPECT_EQ(auth_->AuthenticateBearer(Plain(first.credential), "x").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth_->AuthenticateBearer(Plain(second.credential), "x")->computer, first.computer_id);
  EXPECT_EQ(Audit().back().reason, "machine re-enrolled");
  EXPECT_EQ(store_->ListMachineCredentials(first.computer_id)->size(), 2u);
}

TEST_P(MachinesTest, HardwareIdsMatchingSeveralComputersAreRefused) {
  const std::string token = Issue();
  Enroll(token, Machine("PC-A", {"serial:A"}));
  Enroll(token, Machine("PC-B", {"serial:B"}));
  const auto ambiguous = machines().Enroll(token, Machine("PC-C", {"serial:A", "serial:B"}), "x");
  EXPECT_EQ(ambiguous.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(ambiguous.status().message().find("PC-A"), std::string::npos);
}

TEST_P(MachinesTest, EnrollmentTokenAllowsItsNumberOfUses) {
  const std::string token = Issue(2);
  Enroll(token, Machine("PC-1", {"serial:1"}));
  Enroll(token, Machine("PC-2", {"serial:2"}));
  const auto third = machines().Enroll(token, Machine("PC-3", {"serial:3"}), "x");
  EXPECT_EQ(third.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(store_->FindComputersByHardwareId("serial:3")->size(), 0u);
  const auto id = TokenId(TokenKind::kEnrollment, token).value();
  EXPECT_EQ(store_->GetEnrollmentToken(id)->uses, 2);
}

TEST_P(MachinesTest, MalformedEnrollmentSpendsNoUse) {
  const std::string token = Issue(1);
  EXPECT_EQ(machines().Enroll(token, Machine("PC-1", {}), "x").status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(machines().Enroll(token, Machine("", {"serial:1"}), "x").status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(machines().Enroll(token, Machine("PC\n1", {"serial:1"}), "x").status().code(),
            ErrorCode::kInvalidArgument);
  Enroll(token);
}

TEST_P(MachinesTest, ExpiredOrRevokedEnrollmentTokensAreRefused) {
  const std::string expiring = Issue(5, kDay);
  now_ += kDay;
  const auto expired = machines().Enroll(expiring, Machine(), "x");
  EXPECT_EQ(expired.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);

  const std::string token = Issue();
  const std::string id = TokenId(TokenKind::kEnrollment, token).value();
  ASSERT_TRUE(machines().RevokeEnrollmentToken(AdminActor(), id).ok());
  const auto revoked = machines().Enroll(token, Machine(), "x");
  EXPECT_EQ(revoked.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  EXPECT_EQ(store_->FindComputersByHardwareId("smbios-uuid:4c4c4544-0051")->size(), 0u);
}

TEST_P(MachinesTest, ForgedEnrollmentTokenIsRefused) {
  std::string token = Issue();
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(machines().Enroll(token, Machine(), "x").status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(machines().Enroll("lbx_api_xx", Machine(), "x").status().code(),
            ErrorCode::kUnauthenticated);
}

TEST_P(MachinesTest, RevokingAComputerStopsItsCredential) {
  const Enrollment enrolled = Enroll(Issue());
  // Used first: a credential just used is refused as soon as it is revoked.
  ASSERT_TRUE(auth_->AuthenticateBearer(Plain(enrolled.credential), "x").ok());
  ASSERT_TRUE(machines().RevokeComputer(AdminActor(), enrolled.computer_id).ok());
  EXPECT_EQ(auth_->AuthenticateBearer(Plain(enrolled.credential), "x").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(Audit().back().reason, "machine credential revoked");
  EXPECT_EQ(Audit().back().computer, "PC-07 (" + enrolled.computer_id.ToString() + ")");
}

TEST_P(MachinesTest, IssuingAndRevokingAreAdminOnlyAndAudited) {
  const service::Actor helpdesk{.name = "helen",
                                .role = Role::kHelpdesk,
                                .source = service::Source::kHelpdesk,
                                .address = "",
                                .computer = std::nullopt,
                                .credential_id = "",
                                .credential_last_used = std::nullopt};
  EXPECT_EQ(machines().IssueEnrollmentToken(helpdesk, "x", 1, kDay).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(machines().IssueEnrollmentToken(AdminActor(), "x", 0, kDay).status().code(),
            ErrorCode::kInvalidArgument);
  const auto issued = machines().IssueEnrollmentToken(AdminActor(), "Berlin", 10, 7 * kDay);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(Audit().back().reason, "enrollment token issued");
  EXPECT_EQ(Audit().back().result,
            "token " + issued->record.id + ", 10 uses, expires 2023-11-21T22:13:20Z, \"Berlin\"");
  ASSERT_TRUE(machines().RevokeEnrollmentToken(AdminActor(), issued->record.id).ok());
  EXPECT_EQ(Audit().back().reason, "enrollment token revoked");
  EXPECT_EQ(machines().ListEnrollmentTokens(AdminActor())->at(0).revoked_at, now_);
}

LOCKBOX_AUTH_BACKENDS(MachinesTest);

}  // namespace
}  // namespace lockbox::auth
