// Migration from MBAM / Active Directory exports, and the computer directory, over HTTPS.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace lockbox::api::testing {
namespace {

using service::Role;

constexpr char kVolume[] = "8f595209-f5b9-49a0-85d4-cb8f80258c27";
constexpr char kKey[] = "4381f759-c4f8-4de0-bb61-fc33a831bda5";

class MigrationDirectoryTest : public ApiFixture {
 protected:
  nlohmann::json RecoveryItem(const std::string& key_id, const std::string& password) {
    return {{"computer", {{"name", "PC-LEGACY"}, {"domain", "contoso.example"}}},
            {"volume_id", kVolume},
            {"key_id", key_id},
            {"recovery_password", password},
            {"created_at", "2021-03-04T05:06:07Z"},
            {"volume_type", "os"}};
  }
};

TEST_P(MigrationDirectoryTest, ImportedKeysAreIdempotentAndRecoverable) {
  const std::string migrator = TokenFor("mbam-import", Role::kDataMigration);
  const nlohmann::json batch = {
      {"items",
       {RecoveryItem(kKey, std::string(kPassword1)),
        RecoveryItem("5381f759-c4f8-4de0-bb61-fc33a831bda5",
                     "235818-357951-253979-013366-241120-245575-342914-591910")}}};
  Reply first = Call("POST", "/api/v1/migration/recovery-information", batch, migrator);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["items"][0]["outcome"], "created");
  EXPECT_EQ(first.body["items"][1]["outcome"], "invalid");
  EXPECT_NE(first.body["items"][1]["message"].get<std::string>().find("block 4"),
            std::string::npos);
  EXPECT_EQ(first.raw.find("013366"), std::string::npos);
  EXPECT_EQ(first.body["counts"]["created"], 1);

  Reply again = Call("POST", "/api/v1/migration/recovery-information", batch, migrator);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["items"][0]["outcome"], "unchanged");
  const std::string computer_id = first.body["items"][0]["computer_id"];
  EXPECT_EQ(again.body["items"][0]["computer_id"], computer_id);

  Reply users = Call("POST", "/api/v1/migration/computer-users",
                     {{"items",
                       {{{"computer", {{"name", "PC-LEGACY"}, {"domain", "contoso.example"}}},
                         {"users", {"CONTOSO\\Alice"}}}}}},
                     migrator);
  ASSERT_EQ(users.status, 200) << users.raw;
  EXPECT_EQ(users.body["items"][0]["outcome"], "created");
  Reply tpm = Call("POST", "/api/v1/migration/tpm-information",
                   {{"items",
                     {{{"computer", {{"name", "PC-LEGACY"}, {"domain", "contoso.example"}}},
                       {"owner_auth", "c2VjcmV0IG93bmVyIGF1dGg="},
                       {"changed_at", "2021-03-04T05:06:07Z"}}}}},
                   migrator);
  ASSERT_EQ(tpm.status, 200) << tpm.raw;
  EXPECT_EQ(tpm.body["items"][0]["outcome"], "created");

  // The imported key is disclosed like an escrowed one, to its imported user's helpdesk call.
  const std::string helpdesk = TokenFor("hd-bob", Role::kHelpdesk);
  Reply disclosed = Call(
      "POST", "/api/v1/recovery/password",
      {{"key_id", "4381F759"}, {"reason", "Lost PIN"}, {"end_user", "contoso\\alice"}}, helpdesk);
  ASSERT_EQ(disclosed.status, 200) << disclosed.raw;
  EXPECT_EQ(disclosed.body["recovery_password"], kPassword1);
  const std::string advanced = TokenFor("adv-carol", Role::kAdvancedHelpdesk);
  Reply owner_auth = Call("POST", "/api/v1/computers/" + computer_id + "/tpm-owner-auth",
                          {{"reason", "Reset TPM lockout"}}, advanced);
  ASSERT_EQ(owner_auth.status, 200) << owner_auth.raw;
  EXPECT_EQ(owner_auth.body["owner_auth"], "c2VjcmV0IG93bmVyIGF1dGg=");
}

TEST_P(MigrationDirectoryTest, AdvancedHelpdeskFindsComputersByNameOrDriveLabel) {
  const auto [computer_id, credential] = Enroll("PC-ACCOUNTING-07", "serial:7");
  nlohmann::json report =
      Report(computer_id, "PC-ACCOUNTING-07", kVolume, {{kKey, std::string(kPassword1)}});
  report["volumes"][0]["description"] = "PC-ACCOUNTING-07 BACKUP 6/7/2023";
  ASSERT_EQ(Call("POST", "/api/v1/agent/report", report, credential).status, 200);
  const std::string advanced = TokenFor("adv-carol", Role::kAdvancedHelpdesk);

  for (const char* query : {"pc-acc", "BACKUP"}) {
    Reply found = Call("GET", std::string("/api/v1/computers?search=") + query, nullptr, advanced);
    ASSERT_EQ(found.status, 200) << found.raw;
    ASSERT_EQ(found.body["computers"].size(), 1u) << query;
    EXPECT_EQ(found.body["computers"][0]["id"], computer_id);
  }
  EXPECT_EQ(Call("GET", "/api/v1/computers", nullptr, advanced).status, 400);

  Reply details = Call("GET", "/api/v1/computers/" + computer_id, nullptr, advanced);
  ASSERT_EQ(details.status, 200) << details.raw;
  EXPECT_EQ(details.body["computer"]["name"], "PC-ACCOUNTING-07");
  EXPECT_EQ(details.body["volumes"][0]["keys"][0]["key_id"], kKey);
  EXPECT_EQ(details.body["users"][0]["user"], "contoso\\alice");
  EXPECT_EQ(details.raw.find(kPassword1), std::string::npos);
}

TEST_P(MigrationDirectoryTest, SelfServiceUsersSeeOnlyTheirOwnComputersAndTheNotice) {
  const auto [mine, my_credential] = Enroll("PC-ALICE", "serial:a");
  const auto [theirs, their_credential] = Enroll("PC-EVE", "serial:e");
  ASSERT_EQ(
      Call("POST", "/api/v1/agent/report",
           Report(mine, "PC-ALICE", kVolume, {{kKey, std::string(kPassword1)}}, {"contoso\\alice"}),
           my_credential)
          .status,
      200);
  ASSERT_EQ(Call("POST", "/api/v1/agent/report",
                 Report(theirs, "PC-EVE", "8f595209-f5b9-49a0-85d4-cb8f80258c28",
                        {{"5381f759-c4f8-4de0-bb61-fc33a831bda5", std::string(kPassword2)}},
                        {"contoso\\eve"}),
                 their_credential)
                .status,
            200);
  CreatePerson("contoso\\alice", Role::kSelfServiceUser);
  const BrowserSession alice = SignIn("contoso\\alice", std::string(kPersonPassword));
  Reply own = CallAs(alice, "GET", "/api/v1/self-service/computers");
  ASSERT_EQ(own.status, 200) << own.raw;
  ASSERT_EQ(own.body["computers"].size(), 1u);
  EXPECT_EQ(own.body["computers"][0]["name"], "PC-ALICE");
  EXPECT_EQ(own.raw.find("PC-EVE"), std::string::npos);
  EXPECT_EQ(own.raw.find(kPassword1), std::string::npos);
  Reply notice = CallAs(alice, "GET", "/api/v1/self-service/notice");
  ASSERT_EQ(notice.status, 200);
  EXPECT_FALSE(notice.body["notice"].get<std::string>().empty());
  EXPECT_EQ(CallAs(alice, "GET", "/api/v1/computers?search=pc").status, 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationDirectoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::api::testing
