#include "auth/options.h"

namespace lockbox::auth {

AuthOptions OptionsFromConfig(const config::ServerConfig& config) {
  const config::AuthConfig& auth = config.auth;
  AuthOptions options;
  options.password_hash.time_cost = auth.argon2_time_cost;
  options.password_hash.memory_kib = auth.argon2_memory_kib;
  options.min_password_length = auth.min_password_length;
  options.max_failed_logins = static_cast<int>(auth.max_failed_logins);
  options.lockout = std::chrono::minutes(auth.lockout_minutes);
  options.session_idle_timeout = std::chrono::minutes(auth.session_idle_timeout_minutes);
  options.session_lifetime = std::chrono::hours(auth.session_lifetime_hours);
  return options;
}

}  // namespace lockbox::auth
