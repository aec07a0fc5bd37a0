#include "auth/options.h"

#include <gtest/gtest.h>

namespace lockbox::auth {
namespace {

// The config's defaults (config.h) are the auth part's: a config file that sets nothing
// changes nothing.
TEST(OptionsFromConfigTest, AnEmptyConfigGivesTheDefaults) {
  const AuthOptions defaults;
  const AuthOptions options = OptionsFromConfig(config::ServerConfig{});
  EXPECT_EQ(options.password_hash.time_cost, defaults.password_hash.time_cost);
  EXPECT_EQ(options.password_hash.memory_kib, defaults.password_hash.memory_kib);
  EXPECT_EQ(options.min_password_length, defaults.min_password_length);
  EXPECT_EQ(options.max_failed_logins, defaults.max_failed_logins);
  EXPECT_EQ(options.lockout, defaults.lockout);
  EXPECT_EQ(options.session_idle_timeout, defaults.session_idle_timeout);
  EXPECT_EQ(options.session_lifetime, defaults.session_lifetime);
}

TEST(OptionsFromConfigTest, ConfiguredValuesAreTaken) {
  config::ServerConfig config;
  config.auth = {.min_password_length = 16,
                 .max_failed_logins = 10,
                 .lockout_minutes = 5,
                 .session_idle_timeout_minutes = 20,
                 .session_lifetime_hours = 8,
                 .argon2_time_cost = 4,
                 .argon2_memory_kib = 65536};
  const AuthOptions options = OptionsFromConfig(config);
  EXPECT_EQ(options.min_password_length, 16u);
  EXPECT_EQ(options.max_failed_logins, 10);
  EXPECT_EQ(options.lockout, std::chrono::minutes(5));
  EXPECT_EQ(options.session_idle_timeout, std::chrono::minutes(20));
  EXPECT_EQ(options.session_lifetime, std::chrono::hours(8));
  EXPECT_EQ(options.password_hash.time_cost, 4u);
  EXPECT_EQ(options.password_hash.memory_kib, 65536u);
  EXPECT_EQ(options.password_hash.parallelism, 1u);
}

TEST(OptionsFromConfigTest, ActiveDirectoryGroupsAreMappedMostPrivilegedFirst) {
  EXPECT_FALSE(OptionsFromConfig(config::ServerConfig{}).directory);
  config::ServerConfig config;
  config.data_dir = "/srv/lb";
  config.active_directory = config::ActiveDirectoryConfig{
      .url = "ldaps://dc1.corp.example",
      .ca_file = "ad-ca.pem",
      .domain = "Corp.Example",
      .timeout_seconds = 3,
      .self_service = false,
      .admin_groups = std::nullopt,
      .advanced_helpdesk_groups = std::nullopt,
      .helpdesk_groups = std::vector<std::string>{"CN=Tier 1,DC=corp,DC=example"},
      .report_reader_groups = std::vector<std::string>{"CN=Auditors,DC=corp,DC=example"}};
  config.active_directory->admin_groups = {"CN=Lockbox Admins,DC=corp,DC=example"};
  const AuthOptions options = OptionsFromConfig(config);
  ASSERT_TRUE(options.directory);
  EXPECT_EQ(options.directory->url, "ldaps://dc1.corp.example");
  EXPECT_EQ(options.directory->ca_file, "/srv/lb/ad-ca.pem");
  EXPECT_EQ(options.directory->domain, "corp.example");
  EXPECT_EQ(options.directory->timeout_ms, 3000);
  EXPECT_FALSE(options.directory->self_service);
  ASSERT_EQ(options.directory->group_roles.size(), 3u);
  EXPECT_EQ(options.directory->group_roles[0].role, service::Role::kAdmin);
  EXPECT_EQ(options.directory->group_roles[1].group_dn, "CN=Tier 1,DC=corp,DC=example");
  EXPECT_EQ(options.directory->group_roles[1].role, service::Role::kHelpdesk);
  EXPECT_EQ(options.directory->group_roles[2].role, service::Role::kReportReader);
}

}  // namespace
}  // namespace lockbox::auth
