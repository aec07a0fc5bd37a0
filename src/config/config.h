// ServerConfig: what `lockbox serve` reads from its TOML file (DATA_DIR/lockbox.toml).
//
//   LOCKBOX_ASSIGN_OR_RETURN(config::ServerConfig cfg,
//   config::LoadConfig("/srv/lockbox/lockbox.toml")); std::string db = cfg.ResolvePath(cfg.store);
//   // relative paths live in the data dir
//
// Every key is optional and has a default (docs/server.md lists them). Unknown keys, wrong
// types and out-of-range values are errors naming the file, the key and what is expected, so
// a typo never passes silently. FormatConfig() writes a config that parses back to the same
// values (`lockbox init` uses it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace lockbox::config {

// Where the server listens: an IPv4 or IPv6 address (no host names: the server must not
// depend on DNS to start) and a port (0 picks a free one, for tests).
struct ListenAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 8443;

  std::string ToString() const;  // "127.0.0.1:8443", "[::1]:8443"
  bool operator==(const ListenAddress&) const = default;
};

// Parses "ADDR:PORT" ("0.0.0.0:8443", "[::]:443").
Result<ListenAddress> ParseListenAddress(std::string_view text);

// What one connection may cost the server. Every timeout is per phase of a request, so a slow
// client is cut off at the phase where it stalls.
struct Limits {
  uint32_t header_bytes = 16 * 1024;       // request line + headers; beyond: 431
  uint64_t body_bytes = 1024 * 1024;       // request body; beyond: 413
  uint32_t handshake_timeout_ms = 10'000;  // TCP accept to finished TLS handshake
  uint32_t header_timeout_ms = 10'000;     // first byte of a request to the end of its headers
  uint32_t body_timeout_ms = 30'000;       // reading the body, and writing the response
  uint32_t idle_timeout_ms = 60'000;       // a kept-alive connection waiting for a request
  uint32_t shutdown_timeout_ms = 10'000;   // in-flight requests may finish within this
  uint32_t max_connections = 1000;         // more are closed at once
  bool operator==(const Limits&) const = default;
};

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };
const char* LogLevelName(LogLevel level);  // "info"

// Limits of the keys below; the runtime settings an admin changes (service/settings.h) keep to
// the same.
inline constexpr size_t kMaxReasons = 32;
inline constexpr size_t kMaxReasonBytes = 256;
inline constexpr size_t kMaxNoticeBytes = 8192;
inline constexpr size_t kMaxLabelBytes = 256;  // a company name, a helpdesk contact
inline constexpr uint32_t kMaxReportIntervalMinutes = 24 * 60;
inline constexpr uint32_t kMaxAgentTpmUnlockWindowMinutes = 7 * 24 * 60;

// [recovery]: the escrow and recovery rules (service::OptionsFromConfig, docs/service.md).
struct RecoveryConfig {
  // The reasons a person may give for a recovery; not set: MBAM's lists. "Other" is always
  // offered, added when a list lacks it.
  std::optional<std::vector<std::string>> drive_unlock_reasons;
  std::optional<std::vector<std::string>> tpm_reasons;
  uint32_t report_interval_minutes = 90;  // an agent's next report
  // An agent may fetch its TPM owner authorisation this long after a recovery password of
  // its OS volume was disclosed; 0: never.
  uint32_t agent_tpm_unlock_window_minutes = 0;
  bool operator==(const RecoveryConfig&) const = default;
};

// [self_service]: end users recovering their own computers' keys, and what the portals show.
struct SelfServiceConfig {
  std::optional<std::string> notice;  // what a user must acknowledge; not set: the built-in one
  uint32_t attempts = 5;              // recovery attempts per user per window
  uint32_t window_minutes = 60;
  // Shown on the portal pages; not set: the pages say "your organisation" / "your helpdesk".
  std::optional<std::string> company_name;      // "Contoso"
  std::optional<std::string> helpdesk_contact;  // "+1 555 0100 (Mon-Fri 8-18)"
  // The self-service page signs its user out after this long without a key press or click,
  // warning first. At most [auth] session_idle_timeout_minutes, which ends the session on the
  // server whatever the page does (when not set, a shorter server timeout lowers it).
  uint32_t idle_timeout_seconds = 600;
  bool operator==(const SelfServiceConfig&) const = default;
};

// [compliance]: what a compliant BitLocker volume is (service::CompliancePolicy). Not set:
// any encryption method; an OS volume needs a TPM protector (any kind) and a recovery
// password, other volumes a recovery password. A protector requirement is one type
// ("recovery_password") or several joined by | when any one will do ("tpm|tpm_pin").
struct ComplianceConfig {
  std::optional<std::vector<std::string>> encryption_methods;  // ["XTS-AES 256"]
  std::optional<std::vector<std::string>> os_protectors;
  std::optional<std::vector<std::string>> fixed_protectors;
  std::optional<std::vector<std::string>> removable_protectors;
  bool operator==(const ComplianceConfig&) const = default;
};

// [reports]: a computer whose recovery passwords were disclosed repeated_recovery_count times
// within repeated_recovery_days is listed as recovered repeatedly.
struct ReportsConfig {
  uint32_t repeated_recovery_count = 2;
  uint32_t repeated_recovery_days = 30;
  bool operator==(const ReportsConfig&) const = default;
};

// [auth]: local accounts and sessions (auth::OptionsFromConfig, docs/auth.md).
struct AuthConfig {
  uint32_t min_password_length = 12;  // characters
  uint32_t max_failed_logins = 5;     // then the account is locked for lockout_minutes
  uint32_t lockout_minutes = 15;
  uint32_t session_idle_timeout_minutes = 30;
  uint32_t session_lifetime_hours = 12;
  uint32_t argon2_time_cost = 3;  // argon2id passes
  uint32_t argon2_memory_kib = 19456;
  bool operator==(const AuthConfig&) const = default;
};

// [active_directory]: sign-in with Active Directory accounts (auth::OptionsFromConfig,
// docs/ad-sign-in.md). A person signs in by binding to the domain controller as themself over
// TLS; their role is the highest one whose groups they belong to, directly or through nested
// groups; any other domain user is a self-service user when self_service is on.
struct ActiveDirectoryConfig {
  std::string url;      // "ldaps://dc1.corp.example" or "ldap://..." (then StartTLS); required
  std::string ca_file;  // PEM CA(s) of the DC's certificate; empty: the system's CAs
  std::string domain;   // the DNS domain, "corp.example"; required
  uint32_t timeout_seconds = 10;  // connecting, and each request
  bool self_service = true;       // any domain user may sign in to the self-service portal
  // Group DNs ("CN=Lockbox Helpdesk,OU=Groups,DC=corp,DC=example") per role.
  std::optional<std::vector<std::string>> admin_groups;
  std::optional<std::vector<std::string>> advanced_helpdesk_groups;
  std::optional<std::vector<std::string>> helpdesk_groups;
  std::optional<std::vector<std::string>> report_reader_groups;
  bool operator==(const ActiveDirectoryConfig&) const = default;
};

struct ServerConfig {
  ListenAddress listen;
  // Relative paths below are relative to data_dir. Empty: the folder holding the config file.
  std::string data_dir;
  // A SQLite file path, or a "postgresql://" / "postgres://" URL (store::OpenStore).
  std::string store = "lockbox.db";
  std::string master_key_file = "master.key";
  std::string tls_cert_file = "tls/cert.pem";
  std::string tls_key_file = "tls/key.pem";
  Limits limits;
  LogLevel log_level = LogLevel::kInfo;
  RecoveryConfig recovery;
  SelfServiceConfig self_service;
  ComplianceConfig compliance;
  ReportsConfig reports;
  AuthConfig auth;
  std::optional<ActiveDirectoryConfig> active_directory;  // not set: local accounts only

  // `path` made absolute against data_dir; URLs and absolute paths are returned unchanged.
  std::string ResolvePath(const std::string& path) const;
  bool operator==(const ServerConfig&) const = default;
};

// The config file inside a data dir: DATA_DIR/lockbox.toml.
std::string ConfigPathFor(const std::string& data_dir);

// Parses TOML text. `file_name` appears in error messages; `default_data_dir` is used when the
// text sets no data_dir.
Result<ServerConfig> ParseConfig(std::string_view text, const std::string& file_name,
                                 const std::string& default_data_dir);

// Reads and parses `path`; data_dir defaults to the folder holding it.
Result<ServerConfig> LoadConfig(const std::string& path);

// TOML text for `config`, with every key and a comment on each; ParseConfig reads it back to
// an equal ServerConfig.
std::string FormatConfig(const ServerConfig& config);

}  // namespace lockbox::config
