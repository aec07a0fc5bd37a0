// The reports over HTTPS: the audit report's filters and CSV, compliance with its trend and
// non-compliant drives, keys awaiting rotation, repeated recoveries, a computer's compliance.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace lockbox::api::testing {
namespace {

using service::Role;

constexpr char kVolume[] = "8f595209-f5b9-49a0-85d4-cb8f80258c27";
constexpr char kKey[] = "4381f759-c4f8-4de0-bb61-fc33a831bda5";
constexpr char kOtherVolume[] = "8f595209-f5b9-49a0-85d4-cb8f80258c28";
constexpr char kOtherKey[] = "5381f759-c4f8-4de0-bb61-fc33a831bda5";

class ReportsTest : public ApiFixture {
 protected:
  // PC-GOOD is compliant; PC-BAD's drive is still encrypting. Helpdesk discloses PC-BAD's key
  // twice (with a reason that looks like a formula) and asks once for a key nobody has.
  void Seed() {
    std::tie(good_, std::ignore) = Seeded("PC-GOOD", kVolume, kKey, kPassword1, "encrypted");
    std::tie(bad_, std::ignore) =
        Seeded("PC-BAD", kOtherVolume, kOtherKey, kPassword2, "encrypting");
    helpdesk_ = TokenFor("hd-bob", Role::kHelpdesk);
    for (int i = 0; i < 2; ++i) {
      Reply r = Call("POST", "/api/v1/recovery/password",
                     {{"key_id", "5381F759"},
                      {"reason", "Other"},
                      {"reason_text", "=HYPERLINK(1)"},
                      {"end_user", "contoso\\alice"}},
                     helpdesk_);
      ASSERT_EQ(r.status, 200) << r.raw;
    }
    Reply missing =
        Call("POST", "/api/v1/recovery/password",
             {{"key_id", "99999999"}, {"reason", "Lost PIN"}, {"end_user", "x"}}, helpdesk_);
    ASSERT_EQ(missing.status, 404) << missing.raw;
    reader_ = TokenFor("rr-dana", Role::kReportReader);
  }

  std::pair<std::string, std::string> Seeded(const std::string& name, const char* volume,
                                             const char* key, std::string_view password,
                                             const char* conversion) {
    auto enrolled = Enroll(name, "serial:" + name);
    nlohmann::json report = Report(enrolled.first, name, volume, {{key, std::string(password)}});
    report["volumes"][0]["conversion"] = conversion;
    EXPECT_EQ(Call("POST", "/api/v1/agent/report", report, enrolled.second).status, 200);
    return enrolled;
  }

  std::string good_, bad_, helpdesk_, reader_;
};

TEST_P(ReportsTest, AuditReportFiltersPagesAndExportsSafeCsv) {
  Seed();
  Reply disclosed =
      Call("GET", "/api/v1/audit?result=disclosed&computer=pc-bad&user=contoso%5Calice", nullptr,
           reader_);
  ASSERT_EQ(disclosed.status, 200) << disclosed.raw;
  ASSERT_EQ(disclosed.body["entries"].size(), 2u);
  EXPECT_EQ(disclosed.body["entries"][0]["actor"], "hd-bob");
  Reply page = Call("GET", "/api/v1/audit?result=disclosed&limit=1", nullptr, reader_);
  ASSERT_EQ(page.body["entries"].size(), 1u);
  EXPECT_TRUE(page.body["next"].is_number());
  Reply not_found =
      Call("GET", "/api/v1/audit?result=not_found&key_type=recovery_password&since=2000-01-01",
           nullptr, reader_);
  ASSERT_EQ(not_found.status, 200);
  EXPECT_EQ(not_found.body["entries"].size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/audit?until=1999-12-31", nullptr, reader_).body["entries"].size(),
            0u);
  EXPECT_EQ(Call("GET", "/api/v1/audit?since=yesterday", nullptr, reader_).status, 400);

  Reply csv = Call("GET", "/api/v1/audit?result=disclosed&format=csv", nullptr, reader_);
  ASSERT_EQ(csv.status, 200) << csv.raw;
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  EXPECT_NE(csv.headers["content-disposition"].find("lockbox-audit.csv"), std::string::npos);
  EXPECT_EQ(csv.raw.substr(0, csv.raw.find("\r\n")),
            "\"sequence\",\"time\",\"actor\",\"role\",\"source\",\"computer\",\"key_id\","
            "\"key_type\",\"reason\",\"end_user\",\"result\"");
  EXPECT_NE(csv.raw.find("\"Other: =HYPERLINK(1)\""), std::string::npos);  // not at a cell start
  EXPECT_EQ(std::count(csv.raw.begin(), csv.raw.end(), '\n'), 3);
  EXPECT_EQ(csv.raw.find(kPassword2), std::string::npos);
}

TEST_P(ReportsTest, ComplianceCountsTrendNoncompliantDrivesAndOneComputer) {
  Seed();
  Reply report = Call("GET", "/api/v1/reports/compliance", nullptr, reader_);
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["counts"]["compliant"], 1);
  EXPECT_EQ(report.body["counts"]["noncompliant"], 1);
  ASSERT_EQ(report.body["trend"].size(), 1u);
  EXPECT_EQ(report.body["trend"][0]["noncompliant"], 1);
  ASSERT_EQ(report.body["rows"].size(), 1u);
  EXPECT_EQ(report.body["rows"][0]["computer"], "PC-BAD");
  EXPECT_EQ(report.body["rows"][0]["reasons"], "not fully encrypted (encrypting)");
  Reply csv = Call("GET", "/api/v1/reports/compliance?format=csv", nullptr, reader_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.raw.find("\"PC-BAD\",\"" + bad_ + "\",\"C:\",\"os\""), std::string::npos)
      << csv.raw;
  EXPECT_EQ(Call("GET", "/api/v1/reports/compliance?format=xml", nullptr, reader_).status, 400);

  const std::string advanced = TokenFor("adv-carol", Role::kAdvancedHelpdesk);
  Reply good = Call("GET", "/api/v1/computers/" + good_ + "/compliance", nullptr, advanced);
  ASSERT_EQ(good.status, 200) << good.raw;
  EXPECT_EQ(good.body["compliance"], "compliant");
  Reply bad = Call("GET", "/api/v1/computers/" + bad_ + "/compliance", nullptr, advanced);
  EXPECT_EQ(bad.body["compliance"], "noncompliant");
  EXPECT_EQ(bad.body["volumes"][0]["reasons"][0], "not fully encrypted (encrypting)");
}

TEST_P(ReportsTest, DisclosedKeysAwaitRotationAndRepeatedRecoveriesAreListed) {
  Seed();
  Reply waiting = Call("GET", "/api/v1/reports/keys-awaiting-rotation", nullptr, reader_);
  ASSERT_EQ(waiting.status, 200) << waiting.raw;
  ASSERT_EQ(waiting.body["rows"].size(), 1u);
  EXPECT_EQ(waiting.body["rows"][0]["key_id"], kOtherKey);
  EXPECT_EQ(waiting.body["rows"][0]["computer"], "PC-BAD");
  EXPECT_EQ(waiting.body["rows"][0]["age_days"], "0");
  Reply repeated = Call("GET", "/api/v1/reports/repeated-recoveries", nullptr, reader_);
  ASSERT_EQ(repeated.status, 200) << repeated.raw;
  EXPECT_EQ(repeated.body["window_days"], 30);
  ASSERT_EQ(repeated.body["rows"].size(), 1u);
  EXPECT_EQ(repeated.body["rows"][0]["computer_id"], bad_);
  EXPECT_EQ(repeated.body["rows"][0]["disclosures"], "2");
  Reply csv = Call("GET", "/api/v1/reports/repeated-recoveries?format=csv", nullptr, reader_);
  EXPECT_NE(csv.raw.find("\"PC-BAD (" + bad_ + ")\",\"" + bad_ + "\",\"2\""), std::string::npos)
      << csv.raw;
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::api::testing
