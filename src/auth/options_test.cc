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

}  // namespace
}  // namespace lockbox::auth
