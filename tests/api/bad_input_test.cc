// Hostile and broken requests get a 4xx with a message that says what to fix, never a crash,
// never a secret echoed, and nothing written.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace lockbox::api::testing {
namespace {

using service::Role;

constexpr char kVolume[] = "8f595209-f5b9-49a0-85d4-cb8f80258c27";
constexpr char kKey[] = "4381f759-c4f8-4de0-bb61-fc33a831bda5";

class BadInputTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::tie(computer_id_, credential_) = Enroll("PC-07", "serial:PC-07");
  }
  nlohmann::json GoodReport() const {
    return Report(computer_id_, "PC-07", kVolume, {{kKey, std::string(kPassword1)}});
  }
  // Sends `report` and expects a 400 whose message contains `expected`.
  void ExpectRefused(const nlohmann::json& report, const std::string& expected) {
    Reply reply = Call("POST", "/api/v1/agent/report", report, credential_);
    EXPECT_EQ(reply.status, 400) << reply.raw;
    const std::string message =
        reply.body.is_object() ? reply.body["error"].value("message", "") : "";
    EXPECT_NE(message.find(expected), std::string::npos) << "message: " << message;
  }
  // The status of a report announcing a 2 MiB body (over the 1 MiB default limit): the server
  // answers from the headers, without reading the body.
  int OversizedBodyStatus() {
    auto client = lockbox::testing::HttpsClient::Connect(port(), cert());
    if (!client.ok()) return 0;
    const Status sent = (*client)->WriteRaw(
        "POST /api/v1/agent/report HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
        credential_ + "\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(2 << 20) + "\r\n\r\n{");
    if (!sent.ok()) return 0;
    auto reply = (*client)->ReadReply();
    return reply.ok() ? reply->status : 0;
  }
  std::string computer_id_;
  std::string credential_;
};

TEST_P(BadInputTest, MalformedBodiesAreRefusedWithTheReason) {
  Reply not_json =
      Call("POST", "/api/v1/agent/report", nlohmann::json("{\"computer\":"), credential_);
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.body["error"]["code"], "malformed_json");
  Reply wrong_type =
      Call("POST", "/api/v1/agent/report", "x", credential_, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.status, 415);
  Reply array = Call("POST", "/api/v1/agent/report", nlohmann::json::array(), credential_);
  EXPECT_EQ(array.status, 400);
  // Deep nesting within the body limit: parsed and refused without exhausting the stack.
  Reply deep =
      Call("POST", "/api/v1/agent/report",
           nlohmann::json(std::string(200000, '[') + std::string(200000, ']')), credential_);
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(OversizedBodyStatus(), 413);
  EXPECT_TRUE(AuditEntries().size() >= 1);  // the enrollment, and nothing else written
  EXPECT_EQ(store_->FindRecoveryKeys(recovery::KeyIdPrefix::Parse("4381F759").value())->size(), 0u);
}

TEST_P(BadInputTest, FieldsAreCheckedByNameAndType) {
  nlohmann::json report = GoodReport();
  report["volumes"][0]["type"] = "floppy";
  ExpectRefused(report, "volumes[0].type: expected one of os, fixed, removable");
  report = GoodReport();
  report["volumes"][0]["protectors"][1]["id"] = 42;
  ExpectRefused(report, "volumes[0].protectors[1].id: expected a GUID");
  report = GoodReport();
  report["computer"]["name"] = std::string(300, 'x');
  ExpectRefused(report, "computer.name: is longer than 256 bytes");
  report = GoodReport();
  report["computer"]["name"] = "PC\n07";
  ExpectRefused(report, "computer.name: contains control characters");
  report = GoodReport();
  report["recovery_passwords"][0]["created_at"] = "yesterday";
  ExpectRefused(report, "recovery_passwords[0].created_at: expected a UTC date and time");
  report = GoodReport();
  report["volumes"][0]["protector"] = nlohmann::json::array();
  ExpectRefused(report, "volumes[0].protector: unknown field");
  report = GoodReport();
  report.erase("volumes");
  ExpectRefused(report, "volumes: is required");
  report = GoodReport();
  report["volumes"] = nlohmann::json::array();
  for (int i = 0; i < 65; ++i) report["volumes"].push_back(GoodReport()["volumes"][0]);
  ExpectRefused(report, "volumes: has more than 64 elements");
}

TEST_P(BadInputTest, AMistypedRecoveryPasswordNamesTheBlockButNotTheDigits) {
  nlohmann::json report = GoodReport();
  const std::string mistyped = "235818-357951-253979-013366-241120-245575-342914-591910";
  report["recovery_passwords"][0]["password"] = mistyped;
  Reply reply = Call("POST", "/api/v1/agent/report", report, credential_);
  ASSERT_EQ(reply.status, 400) << reply.raw;
  const std::string message = reply.body["error"]["message"];
  EXPECT_NE(message.find("block 4"), std::string::npos) << message;
  EXPECT_EQ(reply.raw.find("013366"), std::string::npos);
  EXPECT_EQ(store_->FindRecoveryKeys(recovery::KeyIdPrefix::Parse("4381F759").value())->size(), 0u);
}

TEST_P(BadInputTest, HostileStringsAreStoredAsTextOrRefused) {
  nlohmann::json report = GoodReport();
  report["computer"]["name"] = "PC-07'; DROP TABLE computers; --";
  report["volumes"][0]["description"] = "<script>alert(1)</script> \xE2\x80\xAE gnp.exe";
  report["users"] = {"contoso\\\xC3\xA9lodie", "%00%n%s"};
  Reply stored = Call("POST", "/api/v1/agent/report", report, credential_);
  ASSERT_EQ(stored.status, 200) << stored.raw;
  const std::string reader = TokenFor("auditor", Role::kReportReader);
  Reply keys = Call("GET", "/api/v1/computers/" + computer_id_ + "/keys", nullptr, reader);
  EXPECT_EQ(keys.status, 200);
  auto computer = store_->GetComputer(Guid::Parse(computer_id_).value());
  ASSERT_TRUE(computer.ok());
  EXPECT_EQ(computer->name, "PC-07'; DROP TABLE computers; --");

  Reply bad_id = Call("GET", "/api/v1/computers/not-a-guid/keys", nullptr, reader);
  EXPECT_EQ(bad_id.status, 400);
  Reply bad_escape = Call("GET", "/api/v1/audit?from=%zz", nullptr, reader);
  EXPECT_EQ(bad_escape.status, 400);
  Reply bad_limit = Call("GET", "/api/v1/audit?limit=99999999999999999999", nullptr, reader);
  EXPECT_EQ(bad_limit.status, 400);
  Reply bad_bearer = Call("GET", "/api/v1/audit", nullptr, "", {{"Authorization", "Basic eDp5"}});
  EXPECT_EQ(bad_bearer.status, 401);
  Reply forged = Call("GET", "/api/v1/audit", nullptr,
                      "lbx_api_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(forged.status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, BadInputTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::api::testing
