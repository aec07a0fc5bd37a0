#include "agent/report.h"

#include <gtest/gtest.h>

namespace lockbox::agent {
namespace {

constexpr std::string_view kPassword = "235818-357951-253979-013365-241120-245575-342914-591910";

TEST(ReportTest, CarriesTheQueuedKeysAndTheMetadataOfTheirVolumesOnly) {
  const ComputerInfo computer{.name = "PC-07",
                              .domain = "contoso.example",
                              .os = "Windows 11 Pro",
                              .hardware_ids = {"serial:1"},
                              .users = {"contoso\\alice"}};
  std::vector<VolumeInfo> volumes(2);
  volumes[0].id = *Guid::Parse("8f595209-f5b9-49a0-85d4-cb8f80258c27");
  volumes[0].metadata = MetadataCopy{.offset = 2101248, .bytes = {1, 2, 3}};
  volumes[1].id = *Guid::Parse("aaaaaaaa-0000-4000-8000-000000000002");
  volumes[1].metadata = MetadataCopy{.offset = 4096, .bytes = {4}};
  std::vector<QueuedKey> keys;
  keys.push_back({.key_id = *Guid::Parse("4381f759-c4f8-4de0-bb61-fc33a831bda5"),
                  .volume_id = volumes[0].id,
                  .password = crypto::SecretBytes(std::span<const uint8_t>(
                      reinterpret_cast<const uint8_t*>(kPassword.data()), kPassword.size())),
                  .created_at = "",
                  .attempts = 0});
  const nlohmann::json report = EncodeReport({.computer_id = volumes[1].id,
                                              .computer = &computer,
                                              .volumes = &volumes,
                                              .keys = &keys,
                                              .tpm = nullptr});
  EXPECT_EQ(report["computer"]["name"], "PC-07");
  EXPECT_EQ(report["volumes"][0]["metadata"],
            nlohmann::json({{"offset", 2101248}, {"data", "AQID"}}));
  EXPECT_FALSE(report["volumes"][1].contains("metadata"));
  ASSERT_EQ(report["recovery_passwords"].size(), 1u);
  EXPECT_EQ(report["recovery_passwords"][0]["password"], kPassword);
  EXPECT_FALSE(report["recovery_passwords"][0].contains("created_at"));
  EXPECT_FALSE(report.contains("tpm_owner_auth"));
}

TEST(ReportTest, DecodesTheAnswerAcknowledgingOnlyStoredRecoveryPasswords) {
  const auto answer = DecodeReportAnswer(nlohmann::json::parse(R"({
    "secrets": [{"key_id": "4381f759-c4f8-4de0-bb61-fc33a831bda5", "kind": "recovery_password",
                 "outcome": "created"},
                {"key_id": "aaaaaaaa-0000-4000-8000-000000000001", "kind": "recovery_password",
                 "outcome": "conflict"},
                {"key_id": "aaaaaaaa-0000-4000-8000-000000000002", "kind": "key_package",
                 "outcome": "created"},
                {"key_id": 5, "kind": 7, "outcome": null}],
    "conflicts": ["aaaaaaaa-0000-4000-8000-000000000001"],
    "rotate": ["aaaaaaaa-0000-4000-8000-000000000003"],
    "next_report_in_seconds": 5400, "tpm_owner_auth": "unchanged"})"));
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  ASSERT_EQ(answer->acknowledged.size(), 1u);
  EXPECT_EQ(answer->acknowledged[0].ToString(), "4381f759-c4f8-4de0-bb61-fc33a831bda5");
  EXPECT_EQ(answer->conflicts.size(), 1u);
  EXPECT_EQ(answer->rotate[0].ToString(), "aaaaaaaa-0000-4000-8000-000000000003");
  EXPECT_EQ(answer->next_report_seconds, 5400u);
  EXPECT_TRUE(answer->tpm_owner_auth_acknowledged);
}

TEST(ReportTest, AMalformedAnswerIsAnErrorNotACrash) {
  EXPECT_FALSE(DecodeReportAnswer(nlohmann::json::array()).ok());
  EXPECT_FALSE(DecodeReportAnswer(nlohmann::json::parse(R"({"rotate": "x"})")).ok());
  EXPECT_FALSE(DecodeReportAnswer(nlohmann::json::parse(R"({"rotate": [1]})")).ok());
  EXPECT_FALSE(DecodeReportAnswer(nlohmann::json::parse(R"({"next_report_in_seconds": -1})")).ok());
  EXPECT_FALSE(
      DecodeReportAnswer(nlohmann::json::parse(R"({"next_report_in_seconds": 99999999})")).ok());
  EXPECT_TRUE(DecodeReportAnswer(nlohmann::json::parse(R"({"secrets": [{"kind": 1}]})")).ok());
}

}  // namespace
}  // namespace lockbox::agent
