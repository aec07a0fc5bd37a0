// The product's main path over HTTPS: an agent enrolls and escrows, helpdesk and users
// recover with reasons and audit, the disclosed key is rotated and retired.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace lockbox::api::testing {
namespace {

using service::Role;

constexpr char kVolume[] = "8f595209-f5b9-49a0-85d4-cb8f80258c27";
constexpr char kKey[] = "4381f759-c4f8-4de0-bb61-fc33a831bda5";
constexpr char kNewKey[] = "9c1e0a55-1f2e-4b7a-8c3d-2e4f6a8b0c1d";

class EscrowRecoveryTest : public ApiFixture {};

TEST_P(EscrowRecoveryTest, HelpdeskRecoversAnEscrowedKeyWhichIsThenRotatedAndRetired) {
  const auto [computer_id, credential] = Enroll("PC-07", "serial:PC-07");
  ASSERT_FALSE(credential.empty());
  const nlohmann::json report =
      Report(computer_id, "PC-07", kVolume, {{kKey, std::string(kPassword1)}});

  Reply first = Call("POST", "/api/v1/agent/report", report, credential);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_TRUE(first.body["changed"].get<bool>());
  EXPECT_EQ(first.body["secrets"][0]["outcome"], "created");
  EXPECT_EQ(first.body["next_report_in_seconds"], 5400);
  EXPECT_TRUE(first.body["rotate"].empty());

  // The same report again is a check-in that changes nothing.
  Reply again = Call("POST", "/api/v1/agent/report", report, credential);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_FALSE(again.body["changed"].get<bool>());
  EXPECT_EQ(again.body["secrets"][0]["outcome"], "unchanged");

  // Helpdesk types the 8 characters the recovery screen shows, upper case.
  const std::string helpdesk = TokenFor("hd-bob", Role::kHelpdesk);
  Reply disclosed = Call(
      "POST", "/api/v1/recovery/password",
      {{"key_id", "4381F759"}, {"reason", "Lost PIN"}, {"end_user", "CONTOSO\\alice"}}, helpdesk);
  ASSERT_EQ(disclosed.status, 200) << disclosed.raw;
  EXPECT_EQ(disclosed.body["result"], "disclosed");
  EXPECT_EQ(disclosed.body["recovery_password"], kPassword1);
  EXPECT_EQ(disclosed.body["computer"]["name"], "PC-07");
  EXPECT_EQ(disclosed.body["volume"]["drive_letter"], "C:");
  EXPECT_EQ(disclosed.body["key"]["state"], "disclosed");
  EXPECT_NE(disclosed.body["rotation"].get<std::string>().find("single-use"), std::string::npos);
  EXPECT_EQ(disclosed.headers["cache-control"], "no-store");

  const auto entries = AuditEntries();
  ASSERT_FALSE(entries.empty());
  const store::AuditEntry& entry = entries.back();
  EXPECT_EQ(entry.actor, "hd-bob");
  EXPECT_EQ(entry.role, "helpdesk");
  EXPECT_EQ(entry.key_type, "recovery_password");
  EXPECT_EQ(entry.reason, "Lost PIN");
  EXPECT_EQ(entry.result, "disclosed");
  EXPECT_NE(entry.computer.find("PC-07"), std::string::npos);

  // The agent is told to rotate it; the new key replaces it and the old one is retired.
  Reply told = Call("POST", "/api/v1/agent/report", report, credential);
  ASSERT_EQ(told.status, 200);
  EXPECT_EQ(told.body["rotate"], nlohmann::json::array({kKey}));
  Reply rotated =
      Call("POST", "/api/v1/agent/report",
           Report(computer_id, "PC-07", kVolume, {{kNewKey, std::string(kPassword2)}}), credential);
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  EXPECT_EQ(rotated.body["retired"], nlohmann::json::array({kKey}));
  EXPECT_TRUE(rotated.body["rotate"].empty());

  // History: the retired key is listed, and only advanced helpdesk may read it.
  const std::string reader = TokenFor("auditor", Role::kReportReader);
  Reply keys = Call("GET", "/api/v1/computers/" + computer_id + "/keys", nullptr, reader);
  ASSERT_EQ(keys.status, 200) << keys.raw;
  ASSERT_EQ(keys.body["keys"].size(), 2u);
  EXPECT_EQ(keys.raw.find(kPassword1), std::string::npos);
  Reply refused =
      Call("POST", "/api/v1/recovery/password",
           {{"key_id", kKey}, {"reason", "Lost PIN"}, {"end_user", "contoso\\alice"}}, helpdesk);
  EXPECT_EQ(refused.status, 403) << refused.raw;
  const std::string advanced = TokenFor("adv-carol", Role::kAdvancedHelpdesk);
  Reply history =
      Call("POST", "/api/v1/recovery/password",
           {{"key_id", kKey}, {"reason", "Other"}, {"reason_text", "old backup"}}, advanced);
  ASSERT_EQ(history.status, 200) << history.raw;
  EXPECT_EQ(history.body["recovery_password"], kPassword1);
  EXPECT_EQ(history.body["key"]["state"], "retired");
}

TEST_P(EscrowRecoveryTest, StandardHelpdeskMustNameAUserOfTheComputer) {
  const auto [computer_id, credential] = Enroll("PC-08", "serial:PC-08");
  ASSERT_EQ(
      Call("POST", "/api/v1/agent/report",
           Report(computer_id, "PC-08", kVolume, {{kKey, std::string(kPassword1)}}), credential)
          .status,
      200);
  const std::string helpdesk = TokenFor("hd-bob", Role::kHelpdesk);
  Reply stranger = Call(
      "POST", "/api/v1/recovery/password",
      {{"key_id", "4381F759"}, {"reason", "Lost PIN"}, {"end_user", "contoso\\mallory"}}, helpdesk);
  EXPECT_EQ(stranger.status, 403) << stranger.raw;
  EXPECT_EQ(stranger.raw.find(kPassword1), std::string::npos);
  Reply no_reason = Call(
      "POST", "/api/v1/recovery/password",
      {{"key_id", "4381F759"}, {"reason", "Because"}, {"end_user", "contoso\\alice"}}, helpdesk);
  EXPECT_EQ(no_reason.status, 400) << no_reason.raw;
  // Both refusals are audited.
  int refusals = 0;
  for (const auto& e : AuditEntries()) {
    if (e.actor == "hd-bob" && e.result != "disclosed") ++refusals;
  }
  EXPECT_EQ(refusals, 2);
}

TEST_P(EscrowRecoveryTest, AmbiguousKeyIdListsCandidatesWithoutSecrets) {
  const auto [a_id, a_credential] = Enroll("PC-A", "serial:PC-A");
  const auto [b_id, b_credential] = Enroll("PC-B", "serial:PC-B");
  ASSERT_EQ(Call("POST", "/api/v1/agent/report",
                 Report(a_id, "PC-A", kVolume,
                        {{"4381f759-0000-4000-8000-00000000000a", std::string(kPassword1)}}),
                 a_credential)
                .status,
            200);
  ASSERT_EQ(Call("POST", "/api/v1/agent/report",
                 Report(b_id, "PC-B", "8f595209-f5b9-49a0-85d4-cb8f80258c28",
                        {{"4381f759-0000-4000-8000-00000000000b", std::string(kPassword2)}}),
                 b_credential)
                .status,
            200);
  const std::string advanced = TokenFor("adv-carol", Role::kAdvancedHelpdesk);
  Reply ambiguous = Call("POST", "/api/v1/recovery/password",
                         {{"key_id", " 4381f759 "}, {"reason", "BIOS changed"}}, advanced);
  ASSERT_EQ(ambiguous.status, 200) << ambiguous.raw;
  EXPECT_EQ(ambiguous.body["result"], "ambiguous");
  ASSERT_EQ(ambiguous.body["candidates"].size(), 2u);
  EXPECT_EQ(ambiguous.raw.find(kPassword1), std::string::npos);
  EXPECT_EQ(ambiguous.raw.find(kPassword2), std::string::npos);
  std::set<std::string> names;
  for (const auto& c : ambiguous.body["candidates"]) names.insert(c["computer_name"]);
  EXPECT_EQ(names, (std::set<std::string>{"PC-A", "PC-B"}));
  Reply exact = Call(
      "POST", "/api/v1/recovery/password",
      {{"key_id", "{4381F759-0000-4000-8000-00000000000B}"}, {"reason", "BIOS changed"}}, advanced);
  ASSERT_EQ(exact.status, 200) << exact.raw;
  EXPECT_EQ(exact.body["recovery_password"], kPassword2);
}

TEST_P(EscrowRecoveryTest, SelfServiceUsersRecoverOnlyTheirOwnComputersAfterTheNotice) {
  const auto [computer_id, credential] = Enroll("PC-07", "serial:PC-07");
  ASSERT_EQ(Call("POST", "/api/v1/agent/report",
                 Report(computer_id, "PC-07", kVolume, {{kKey, std::string(kPassword1)}},
                        {"contoso\\alice"}),
                 credential)
                .status,
            200);
  CreatePerson("contoso\\alice", Role::kSelfServiceUser);
  CreatePerson("contoso\\eve", Role::kSelfServiceUser);
  const BrowserSession alice = SignIn("contoso\\alice", std::string(kPersonPassword));
  const BrowserSession eve = SignIn("contoso\\eve", std::string(kPersonPassword));
  const nlohmann::json ask = {{"key_id", "4381F759"}, {"reason", "Lost PIN"}};

  Reply unacknowledged = CallAs(alice, "POST", "/api/v1/recovery/password", ask);
  EXPECT_EQ(unacknowledged.status, 400) << unacknowledged.raw;
  nlohmann::json acknowledged = ask;
  acknowledged["notice_acknowledged"] = true;
  Reply not_hers = CallAs(eve, "POST", "/api/v1/recovery/password", acknowledged);
  EXPECT_EQ(not_hers.status, 404) << not_hers.raw;
  EXPECT_EQ(not_hers.raw.find(kPassword1), std::string::npos);
  Reply hers = CallAs(alice, "POST", "/api/v1/recovery/password", acknowledged);
  ASSERT_EQ(hers.status, 200) << hers.raw;
  EXPECT_EQ(hers.body["recovery_password"], kPassword1);
  EXPECT_EQ(AuditEntries().back().source.rfind("self-service", 0), 0u);
}

TEST_P(EscrowRecoveryTest, AdminsForceRotationAndAuditorsVerifyTheChain) {
  const auto [computer_id, credential] = Enroll("PC-07", "serial:PC-07");
  const nlohmann::json report =
      Report(computer_id, "PC-07", kVolume, {{kKey, std::string(kPassword1)}});
  ASSERT_EQ(Call("POST", "/api/v1/agent/report", report, credential).status, 200);
  const std::string admin = TokenFor("root-token", Role::kAdmin);
  Reply forced = Call("POST", std::string("/api/v1/keys/") + kKey + "/rotate", nullptr, admin);
  ASSERT_EQ(forced.status, 200) << forced.raw;
  EXPECT_EQ(Call("POST", "/api/v1/agent/report", report, credential).body["rotate"],
            nlohmann::json::array({kKey}));

  const std::string reader = TokenFor("auditor", Role::kReportReader);
  Reply verified = Call("GET", "/api/v1/audit/verify", nullptr, reader);
  ASSERT_EQ(verified.status, 200) << verified.raw;
  EXPECT_TRUE(verified.body["ok"].get<bool>());
  EXPECT_GT(verified.body["entries_checked"].get<int64_t>(), 2);
  Reply page = Call("GET", "/api/v1/audit?from=1&limit=2", nullptr, reader);
  ASSERT_EQ(page.status, 200) << page.raw;
  EXPECT_EQ(page.body["entries"].size(), 2u);
  EXPECT_EQ(page.body["next"], 3);
  bool rotation_audited = false;
  for (const auto& e : AuditEntries()) rotation_audited |= e.result == "rotation forced";
  EXPECT_TRUE(rotation_audited);
}

TEST_P(EscrowRecoveryTest, AnAgentReportsOnlyItselfAndNeverReadsPasswords) {
  const auto [a_id, a_credential] = Enroll("PC-A", "serial:PC-A");
  const auto [b_id, b_credential] = Enroll("PC-B", "serial:PC-B");
  ASSERT_EQ(Call("POST", "/api/v1/agent/report",
                 Report(a_id, "PC-A", kVolume, {{kKey, std::string(kPassword1)}}), a_credential)
                .status,
            200);
  Reply impostor =
      Call("POST", "/api/v1/agent/report",
           Report(a_id, "PC-A", kVolume, {{kKey, std::string(kPassword1)}}), b_credential);
  EXPECT_EQ(impostor.status, 403) << impostor.raw;
  Reply read = Call("POST", "/api/v1/recovery/password",
                    {{"key_id", "4381F759"}, {"reason", "Lost PIN"}}, a_credential);
  EXPECT_EQ(read.status, 403) << read.raw;
  EXPECT_EQ(read.raw.find(kPassword1), std::string::npos);
}

TEST_P(EscrowRecoveryTest, NoSecretEverReachesTheLog) {
  const auto [computer_id, credential] = Enroll("PC-07", "serial:PC-07");
  ASSERT_EQ(
      Call("POST", "/api/v1/agent/report",
           Report(computer_id, "PC-07", kVolume, {{kKey, std::string(kPassword1)}}), credential)
          .status,
      200);
  const std::string helpdesk = TokenFor("hd-bob", Role::kHelpdesk);
  ASSERT_EQ(Call("POST", "/api/v1/recovery/password",
                 {{"key_id", "4381F759"}, {"reason", "Lost PIN"}, {"end_user", "contoso\\alice"}},
                 helpdesk)
                .status,
            200);
  CreatePerson("contoso\\alice", Role::kSelfServiceUser);
  const BrowserSession session = SignIn("contoso\\alice", std::string(kPersonPassword));
  // A mistyped password, and one in a query string, must not be logged either.
  const std::string mistyped = "042647-302313-590458-071500-554323-116567-412181-516979";
  Reply bad = Call("POST", "/api/v1/agent/report",
                   Report(computer_id, "PC-07", kVolume, {{kNewKey, mistyped}}), credential);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.raw.find("516979"), std::string::npos);
  Call("GET", std::string("/api/v1/session?password=") + std::string(kPassword2), nullptr,
       helpdesk);
  StopServer();
  const std::string log = LogText();
  ASSERT_NE(log.find("\"msg\":\"request\""), std::string::npos) << "nothing was logged";
  for (const std::string& secret :
       {std::string(kPassword1), std::string(kPassword2), mistyped, credential, helpdesk,
        session.cookie.substr(session.cookie.find('=') + 1), session.csrf_token,
        std::string(kPersonPassword)}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds a secret: " << secret.size();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EscrowRecoveryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::api::testing
