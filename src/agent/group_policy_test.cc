#include "agent/group_policy.h"

#include <gtest/gtest.h>

namespace lockbox::agent {
namespace {

// The agent's config file as the MSI installs it (C:\ProgramData\Lockbox\agent.toml).
AgentConfig FileConfig() {
  auto config = ParseAgentConfig(R"(server_url = "https://lockbox.example:8443"
ca_file = "ca.pem"
enrollment_token_file = "enrollment-token"
state_dir = "state"
)",
                                 "agent.toml", "C:/ProgramData/Lockbox");
  EXPECT_TRUE(config.ok()) << config.status().message();
  return config.ok() ? *config : AgentConfig{};
}

// What a GPO setting every value writes under HKLM\SOFTWARE\Policies\Lockbox\Agent, in the
// form registry_windows.cc reads it (REG_EXPAND_SZ arrives expanded, as text).
PolicyValues AllValues() {
  return {
      {"ServerUrl", {std::string("https://lockbox.contoso.example")}},
      {"CaFile", {std::string(R"(C:\ProgramData\Lockbox\contoso-ca.pem)")}},
      {"EnrollmentTokenFile", {std::string(R"(\\fs01\netlogon\lockbox\token)")}},
      {"StateDir", {std::string(R"(D:\Lockbox\state)")}},
      {"ReportIntervalMinutes", {uint32_t{30}}},
      {"StartupDelay", {uint32_t{0}}},
      {"StartupDelayMinMinutes", {uint32_t{2}}},
      {"StartupDelayMaxMinutes", {uint32_t{10}}},
      {"ComputerName", {std::string("PC-07")}},
      {"Domain", {std::string("contoso.example")}},
  };
}

std::string ErrorOf(const PolicyValues& values) {
  AgentConfig config = FileConfig();
  const AgentConfig before = config;
  const Status status = ApplyGroupPolicy(values, config);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(config, before) << "a refused policy must change nothing";
  return status.message();
}

TEST(GroupPolicyTest, EveryValueOverridesTheFilesKey) {
  AgentConfig config = FileConfig();
  ASSERT_TRUE(ApplyGroupPolicy(AllValues(), config).ok());
  EXPECT_EQ(config.server_url, "https://lockbox.contoso.example");
  EXPECT_EQ(config.ca_file, R"(C:\ProgramData\Lockbox\contoso-ca.pem)");
  EXPECT_EQ(config.enrollment_token_file, R"(\\fs01\netlogon\lockbox\token)");
  EXPECT_EQ(config.state_dir, R"(D:\Lockbox\state)");
  EXPECT_EQ(config.report_interval_minutes, 30u);
  EXPECT_FALSE(config.startup_delay);
  EXPECT_EQ(config.startup_delay_min_minutes, 2u);
  EXPECT_EQ(config.startup_delay_max_minutes, 10u);
  EXPECT_EQ(config.computer_name, "PC-07");
  EXPECT_EQ(config.domain, "contoso.example");
}

TEST(GroupPolicyTest, NoPolicyKeepsTheFileAndValueNamesIgnoreCase) {
  AgentConfig config = FileConfig();
  const AgentConfig file = config;
  ASSERT_TRUE(ApplyGroupPolicy({}, config).ok());
  EXPECT_EQ(config, file);
  ASSERT_TRUE(ApplyGroupPolicy({{"reportintervalminutes", {uint32_t{1440}}}}, config).ok());
  EXPECT_EQ(config.report_interval_minutes, 1440u);
  EXPECT_EQ(config.server_url, file.server_url);
}

TEST(GroupPolicyTest, WrongTypesAndRangesAreClearErrors) {
  EXPECT_EQ(ErrorOf({{"ReportIntervalMinutes", {std::string("30")}}}),
            R"(Group Policy value HKLM\SOFTWARE\Policies\Lockbox\Agent\ReportIntervalMinutes: )"
            "must be a REG_DWORD from 1 to 1440, not a REG_SZ; correct the GPO (docs/agent.md "
            "lists the values)");
  EXPECT_NE(ErrorOf({{"ReportIntervalMinutes", {uint32_t{0}}}}).find("from 1 to 1440, not 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"ReportIntervalMinutes", {uint32_t{1441}}}}).find("not 1441"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"StartupDelay", {uint32_t{2}}}}).find("from 0 to 1, not 2"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"ServerUrl", {uint32_t{1}}}}).find("must be a REG_SZ, not a REG_DWORD"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"CaFile", {RegistryValue::OtherType{"REG_BINARY"}}}})
                .find("must be a REG_SZ, not a REG_BINARY"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf({{"ServerUrl", {std::string("http://lockbox.contoso.example")}}}).find("https://"),
      std::string::npos);
  EXPECT_NE(ErrorOf({{"CaFile", {std::string("ca.pem")}}}).find("must be an absolute path"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"Domain", {std::string()}}}).find("Domain: is empty"), std::string::npos);
  EXPECT_NE(ErrorOf({{"ComputerName", {std::string(257, 'x')}}}).find("longer than 256 bytes"),
            std::string::npos);
}

TEST(GroupPolicyTest, AnUnknownValueOrAMinimumAboveTheMaximumIsRefused) {
  EXPECT_NE(ErrorOf({{"ReportIntervalMinute", {uint32_t{30}}}})
                .find("ReportIntervalMinute: is not a Lockbox agent policy value; check its "
                      "spelling"),
            std::string::npos);
  // Against the file's maximum (18) as well as the policy's own.
  EXPECT_NE(ErrorOf({{"StartupDelayMinMinutes", {uint32_t{20}}}})
                .find("minimum (20 minutes) exceeds its maximum (18"),
            std::string::npos);
  PolicyValues values = AllValues();
  values["StartupDelayMaxMinutes"] = {uint32_t{1}};
  EXPECT_NE(ErrorOf(values).find("minimum (2 minutes) exceeds its maximum (1"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::agent
