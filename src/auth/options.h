// AuthOptions: the settings of sign-in, lockout, sessions and tokens (docs/auth.md). The
// server makes them from its config file with OptionsFromConfig().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "service/roles.h"
#include "store/records.h"

namespace lockbox::auth {

// argon2id cost. The defaults take about 65 ms per hash on a 2-core 2023 server (measured
// with libargon2 20171227) and exceed OWASP's minimum (19 MiB, 2 passes). Each login holds
// memory_kib of memory while it runs. Tests use cheap values. A stored hash carries its own
// parameters, so changing these affects new hashes only; old ones are re-hashed at the next
// successful sign-in.
struct PasswordHashParams {
  uint32_t time_cost = 3;       // passes over memory
  uint32_t memory_kib = 19456;  // 19 MiB
  uint32_t parallelism = 1;     // lanes (threads)
};

// Sign-in with Active Directory accounts (docs/ad-sign-in.md): a person binds to `url` as
// themself; their role is the highest of `group_roles` whose group they are in (directly or
// through nested groups), else self-service when `self_service`, else they are refused.
struct DirectoryOptions {
  std::string url;      // ldaps://HOST or ldap://HOST (StartTLS); never without TLS
  std::string ca_file;  // empty: the system's CAs
  std::string domain;   // DNS domain, lower case: "corp.example"
  int timeout_ms = 10'000;
  bool self_service = true;
  struct GroupRole {
    std::string group_dn;
    service::Role role;
  };
  std::vector<GroupRole> group_roles;  // the most privileged first: the first match wins
};

struct AuthOptions {
  PasswordHashParams password_hash;
  // Passwords people choose: at least this many characters (UTF-8 code points), at most
  // max_password_bytes bytes (argon2 has no limit; this only keeps requests small).
  size_t min_password_length = 12;
  size_t max_password_bytes = 1024;

  // After this many consecutive failed sign-ins the account is locked for `lockout`; it
  // unlocks by itself afterwards (or an administrator unlocks it).
  int max_failed_logins = 5;
  std::chrono::seconds lockout{std::chrono::minutes(15)};
  // Sign-in attempts (password change included) allowed per user name and per client address
  // within the window, whatever their outcome; in memory, per server process. The address
  // limit is higher: many people may share one NAT address.
  int login_attempts_per_user = 10;
  int login_attempts_per_address = 50;
  std::chrono::seconds login_window{std::chrono::minutes(5)};

  // A browser session ends after this long without a request, and at the latest this long
  // after sign-in.
  std::chrono::seconds session_idle_timeout{std::chrono::minutes(30)};
  std::chrono::seconds session_lifetime{std::chrono::hours(12)};

  // The longest an API token or an enrollment token may live.
  std::chrono::seconds max_api_token_lifetime{std::chrono::days(366)};
  std::chrono::seconds max_enrollment_token_lifetime{std::chrono::days(90)};

  // Not set: local accounts only.
  std::optional<DirectoryOptions> directory;

  // The current time; tests set a fixed clock.
  std::function<store::Time()> now = [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  };
};

// The [auth] section of `config` over the defaults above.
AuthOptions OptionsFromConfig(const config::ServerConfig& config);

}  // namespace lockbox::auth
