#include "api/codec.h"

#include <gtest/gtest.h>

namespace lockbox::api {
namespace {

Guid Id(std::string_view text) { return Guid::Parse(text).value(); }

TEST(CodecTest, AReportsAnswerIsTheJsonObjectTheApiDescribes) {
  service::EscrowResponse response;
  response.changed = true;
  response.secrets = {{Id("00000001-0000-4000-8000-000000000001"), "recovery_password",
                       store::WriteOutcome::kCreated},
                      // Not a kind the service makes: the text is escaped whatever it holds.
                      {Id("00000002-0000-4000-8000-000000000002"), "a\"b\\c\n\xff",
                       store::WriteOutcome::kUnchanged}};
  response.conflicts = {Id("00000003-0000-4000-8000-000000000003")};
  response.verification_queued = {Id("00000001-0000-4000-8000-000000000001")};
  response.retired = {Id("00000004-0000-4000-8000-000000000004"),
                      Id("00000005-0000-4000-8000-000000000005")};
  response.rotate = {};
  response.tpm_owner_auth = store::WriteOutcome::kUpdated;
  response.next_report_in = std::chrono::minutes(30);

  const nlohmann::json expected = {
      {"changed", true},
      {"secrets",
       {{{"key_id", "00000001-0000-4000-8000-000000000001"},
         {"kind", "recovery_password"},
         {"outcome", "created"}},
        {{"key_id", "00000002-0000-4000-8000-000000000002"},
         {"kind", "a\"b\\c\n\xef\xbf\xbd"},  // invalid UTF-8 replaced by U+FFFD
         {"outcome", "unchanged"}}}},
      {"conflicts", {"00000003-0000-4000-8000-000000000003"}},
      {"verification_queued", {"00000001-0000-4000-8000-000000000001"}},
      {"retired", {"00000004-0000-4000-8000-000000000004", "00000005-0000-4000-8000-000000000005"}},
      {"rotate", nlohmann::json::array()},
      {"next_report_in_seconds", 1800},
      {"tpm_owner_auth", "updated"}};
  EXPECT_EQ(nlohmann::json::parse(EncodeEscrowResponse(response)), expected);

  const service::EscrowResponse nothing;  // a check-in of a computer without secrets
  EXPECT_EQ(nlohmann::json::parse(EncodeEscrowResponse(nothing)),
            (nlohmann::json{{"changed", false},
                            {"secrets", nlohmann::json::array()},
                            {"conflicts", nlohmann::json::array()},
                            {"verification_queued", nlohmann::json::array()},
                            {"retired", nlohmann::json::array()},
                            {"rotate", nlohmann::json::array()},
                            {"next_report_in_seconds", 5400},
                            {"tpm_owner_auth", nullptr}}));
}

}  // namespace
}  // namespace lockbox::api
