#include "agent/agent_config.h"

#include <gtest/gtest.h>

namespace lockbox::agent {
namespace {

constexpr std::string_view kMinimal = R"(server_url = "https://lockbox.contoso.example:8443"
ca_file = "ca.pem"
enrollment_token_file = "/etc/lockbox/token"
state_dir = "state"
)";

std::string ErrorOf(std::string_view text) {
  auto config = ParseAgentConfig(text, "agent.toml", "/etc/lockbox");
  EXPECT_FALSE(config.ok());
  return config.ok() ? "" : config.status().message();
}

TEST(AgentConfigTest, ReadsTheKeysWithDefaultsAndResolvesRelativePaths) {
  auto config = ParseAgentConfig(kMinimal, "agent.toml", "/etc/lockbox");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->server_url, "https://lockbox.contoso.example:8443");
  EXPECT_EQ(config->ca_file, "/etc/lockbox/ca.pem");
  EXPECT_EQ(config->enrollment_token_file, "/etc/lockbox/token");
  EXPECT_EQ(config->state_dir, "/etc/lockbox/state");
  EXPECT_EQ(config->report_interval_minutes, 90u);
  EXPECT_TRUE(config->startup_delay);
  EXPECT_EQ(config->startup_delay_min_minutes, 1u);
  EXPECT_EQ(config->startup_delay_max_minutes, 18u);
  EXPECT_FALSE(config->computer_name.has_value());
}

TEST(AgentConfigTest, OptionalKeys) {
  auto config = ParseAgentConfig(std::string(kMinimal) +
                                     "report_interval_minutes = 5\nstartup_delay = false\n"
                                     "computer_name = \"PC-07\"\n",
                                 "agent.toml", "/");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->report_interval_minutes, 5u);
  EXPECT_FALSE(config->startup_delay);
  EXPECT_EQ(config->computer_name, "PC-07");
}

TEST(AgentConfigTest, ErrorsNameTheFileTheLineAndTheKey) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "report_intervall_minutes = 5\n"),
            "agent.toml:5: unknown key 'report_intervall_minutes'; check its spelling (known keys "
            "here: server_url, ca_file, enrollment_token_file, state_dir, report_interval_minutes, "
            "startup_delay, startup_delay_min_minutes, startup_delay_max_minutes, computer_name, "
            "domain)");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "startup_delay = \"no\"\n"),
            "agent.toml:5: key 'startup_delay' must be true or false (got a string)");
  EXPECT_EQ(
      ErrorOf(std::string(kMinimal) + "report_interval_minutes = 0\n"),
      "agent.toml:5: key 'report_interval_minutes' must be an integer from 1 to 1440 (got 0)");
  EXPECT_EQ(ErrorOf("ca_file = \"ca.pem\"\nstate_dir = \"s\"\n"),
            "agent.toml: key 'server_url' is required (docs/agent.md shows an example)");
  EXPECT_EQ(ErrorOf("server_url = \"http://x\"\nca_file = \"c\"\nstate_dir = \"s\"\n"),
            "agent.toml:1: key 'server_url': the server URL must start with https:// (an agent "
            "talks TLS only)");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) +
                    "startup_delay_min_minutes = 20\nstartup_delay_max_minutes = 10\n"),
            "agent.toml:5: key 'startup_delay_min_minutes': must not exceed "
            "startup_delay_max_minutes (10)");
  EXPECT_EQ(ErrorOf("server_url = "),
            "agent.toml:1:14: not valid TOML: Error while parsing key-value pair: encountered "
            "end-of-file");
}

TEST(AgentConfigTest, AMissingFileSaysWhatToDo) {
  auto config = LoadAgentConfig("/nonexistent/agent.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(config.status().message().find("docs/agent.md"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::agent
