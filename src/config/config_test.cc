#include "config/config.h"

#include <gtest/gtest.h>

#include <string>

namespace lockbox::config {
namespace {

Result<ServerConfig> Parse(std::string_view text) {
  return ParseConfig(text, "/srv/lb/lockbox.toml", "/srv/lb");
}

std::string ErrorOf(std::string_view text) {
  auto config = Parse(text);
  EXPECT_FALSE(config.ok()) << text;
  return config.ok() ? "" : config.status().message();
}

TEST(ConfigTest, EmptyFileGivesDefaultsInTheConfigFolder) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->listen, (ListenAddress{"127.0.0.1", 8443}));
  EXPECT_EQ(config->data_dir, "/srv/lb");
  EXPECT_EQ(config->ResolvePath(config->store), "/srv/lb/lockbox.db");
  EXPECT_EQ(config->ResolvePath(config->master_key_file), "/srv/lb/master.key");
  EXPECT_EQ(config->ResolvePath(config->tls_cert_file), "/srv/lb/tls/cert.pem");
  EXPECT_EQ(config->limits, Limits{});
  EXPECT_EQ(config->log_level, LogLevel::kInfo);
  EXPECT_EQ(config->recovery, RecoveryConfig{});
  EXPECT_EQ(config->recovery.drive_unlock_reasons, std::nullopt);
  EXPECT_EQ(config->self_service, SelfServiceConfig{});
  EXPECT_EQ(config->auth, AuthConfig{});
}

TEST(ConfigTest, ReadsEveryKey) {
  auto config = Parse(R"(
listen = "[::1]:9443"
data_dir = "/var/lib/lockbox"
store = "postgresql://lockbox@db/lockbox"
master_key_file = "/secrets/master.key"
log_level = "debug"
[tls]
cert_file = "/etc/lockbox/cert.pem"
key_file = "key.pem"
[limits]
header_bytes = 4096
body_bytes = 65536
handshake_timeout_ms = 1
header_timeout_ms = 2
body_timeout_ms = 3
idle_timeout_ms = 4
shutdown_timeout_ms = 0
max_connections = 7
[recovery]
drive_unlock_reasons = ["Lost PIN", "Other"]
tpm_reasons = ["Clear TPM"]
report_interval_minutes = 15
agent_tpm_unlock_window_minutes = 120
[self_service]
notice = "Your recovery is recorded."
attempts = 3
window_minutes = 30
company_name = "Contoso"
helpdesk_contact = "+1 555 0100"
idle_timeout_seconds = 120
[auth]
min_password_length = 16
max_failed_logins = 10
lockout_minutes = 5
session_idle_timeout_minutes = 20
session_lifetime_hours = 8
argon2_time_cost = 4
argon2_memory_kib = 65536
)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->listen, (ListenAddress{"::1", 9443}));
  EXPECT_EQ(config->ResolvePath(config->store), "postgresql://lockbox@db/lockbox");
  EXPECT_EQ(config->ResolvePath(config->master_key_file), "/secrets/master.key");
  EXPECT_EQ(config->ResolvePath(config->tls_key_file), "/var/lib/lockbox/key.pem");
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  const Limits expected{4096, 65536, 1, 2, 3, 4, 0, 7};
  EXPECT_EQ(config->limits, expected);
  EXPECT_EQ(config->recovery, (RecoveryConfig{std::vector<std::string>{"Lost PIN", "Other"},
                                              std::vector<std::string>{"Clear TPM"}, 15, 120}));
  EXPECT_EQ(config->self_service, (SelfServiceConfig{"Your recovery is recorded.", 3, 30, "Contoso",
                                                     "+1 555 0100", 120}));
  EXPECT_EQ(config->auth, (AuthConfig{16, 10, 5, 20, 8, 4, 65536}));
}

TEST(ConfigTest, FormatParsesBackToTheSameConfig) {
  ServerConfig config;
  config.listen = {"::", 0};
  config.data_dir = "/data/with \"quotes\" and \\ backslash";
  config.store = "postgres://u@h/db?sslmode=verify-full";
  config.limits.body_bytes = 12345;
  config.log_level = LogLevel::kOff;
  auto back = ParseConfig(FormatConfig(config), "x.toml", "/elsewhere");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, config);  // the reason lists and the notice not set

  config.recovery.drive_unlock_reasons = {"Lost \"PIN\"", "Other"};
  config.recovery.tpm_reasons = {"Clear TPM"};
  config.recovery.agent_tpm_unlock_window_minutes = 30;
  config.self_service.notice = "Line one.\nLine two: \\ and \"quotes\".";
  config.self_service.attempts = 2;
  config.self_service.company_name = "Contoso \"Ltd\"";
  config.self_service.helpdesk_contact = "+1 555 0100";
  config.self_service.idle_timeout_seconds = 30;
  config.auth.argon2_memory_kib = 1024;
  config.auth.session_lifetime_hours = 1;
  config.compliance.encryption_methods = {"XTS-AES 256"};
  config.compliance.os_protectors = {"tpm_pin", "recovery_password"};
  config.compliance.removable_protectors = {"password|recovery_password"};
  config.reports.repeated_recovery_count = 3;
  config.reports.repeated_recovery_days = 7;
  config.active_directory = ActiveDirectoryConfig{
      .url = "ldap://dc1.corp.example",
      .ca_file = "ad-ca.pem",
      .domain = "corp.example",
      .timeout_seconds = 5,
      .self_service = false,
      .admin_groups = std::nullopt,
      .advanced_helpdesk_groups = std::vector<std::string>{"CN=Tier 3,DC=corp,DC=example"},
      .helpdesk_groups =
          std::vector<std::string>{"CN=Tier 1,DC=corp,DC=example", "CN=Tier 2,DC=corp,DC=example"},
      .report_reader_groups = std::nullopt};
  back = ParseConfig(FormatConfig(config), "x.toml", "/elsewhere");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, config);
}

TEST(ConfigTest, ActiveDirectorySignInNeedsADomainControllerAndADomain) {
  auto config = Parse(R"(
[active_directory]
url = "ldaps://dc1.corp.example"
domain = "corp.example"
helpdesk_groups = ["CN=Lockbox Helpdesk,OU=Groups,DC=corp,DC=example"]
)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_TRUE(config->active_directory);
  EXPECT_EQ(config->active_directory->timeout_seconds, 10u);
  EXPECT_TRUE(config->active_directory->self_service);
  EXPECT_EQ(config->active_directory->admin_groups, std::nullopt);
  EXPECT_FALSE(Parse("")->active_directory);

  EXPECT_NE(ErrorOf("[active_directory]\ndomain = \"corp.example\"\n")
                .find("key 'active_directory.url': must be set to ldaps://HOST"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[active_directory]\nurl = \"https://dc1\"\ndomain = \"corp.example\"\n")
                .find("(got \"https://dc1\")"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[active_directory]\nurl = \"ldaps://dc1\"\n")
                .find("key 'active_directory.domain': must be set to the DNS name"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[active_directory]\nurl = \"ldaps://dc1\"\ndomain = \"corp.example\"\n"
                    "helpdesk_group = [\"CN=X\"]\n")
                .find("helpdesk_group"),
            std::string::npos);
}

TEST(ConfigTest, UnknownKeyIsRejectedWithFileLineAndKnownKeys) {
  EXPECT_EQ(ErrorOf("listen = \"127.0.0.1:1\"\nlisten_adress = \"x\"\n"),
            "/srv/lb/lockbox.toml:2: unknown key 'listen_adress'; check its spelling (known keys "
            "here: listen, data_dir, store, master_key_file, log_level, tls, limits, recovery, "
            "self_service, compliance, reports, auth, active_directory)");
  EXPECT_NE(ErrorOf("[limits]\nbody_byte = 1\n").find("unknown key 'limits.body_byte'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[tls]\ncert = \"a\"\n").find("unknown key 'tls.cert'"), std::string::npos);
  EXPECT_NE(ErrorOf("[compliance]\nmethods = []\n").find("unknown key 'compliance.methods'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[reports]\nrepeated_recovery_count = 1\n").find("from 2 to 1000"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[recovery]\nreasons = []\n").find("unknown key 'recovery.reasons'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[self_service]\nattempt = 1\n").find("unknown key 'self_service.attempt'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[auth]\nlockout = 1\n").find("unknown key 'auth.lockout'"), std::string::npos);
}

TEST(ConfigTest, WrongTypeNamesKeyAndExpectation) {
  EXPECT_EQ(ErrorOf("[limits]\nbody_bytes = \"1MB\"\n"),
            "/srv/lb/lockbox.toml:2: key 'limits.body_bytes' must be an integer from 1 to "
            "1073741824 (got a string)");
  EXPECT_EQ(ErrorOf("store = 5\n"),
            "/srv/lb/lockbox.toml:1: key 'store' must be a string (got an integer)");
  EXPECT_EQ(ErrorOf("limits = 3\n"),
            "/srv/lb/lockbox.toml:1: key 'limits' must be a table ([limits]) (got an integer)");
}

TEST(ConfigTest, ReasonListsAreArraysOfDistinctStrings) {
  EXPECT_EQ(ErrorOf("[recovery]\ntpm_reasons = \"Clear TPM\"\n"),
            "/srv/lb/lockbox.toml:2: key 'recovery.tpm_reasons' must be an array of 1 to 32 "
            "strings (got a string)");
  EXPECT_NE(ErrorOf("[recovery]\ntpm_reasons = []\n").find("(got 0 items)"), std::string::npos);
  EXPECT_EQ(ErrorOf("[recovery]\ndrive_unlock_reasons = [\"Lost PIN\", 3]\n"),
            "/srv/lb/lockbox.toml:2: item 2 of key 'recovery.drive_unlock_reasons' must be a "
            "non-empty string of at most 256 bytes without control characters");
  EXPECT_NE(ErrorOf("[recovery]\ndrive_unlock_reasons = [\"\"]\n").find("non-empty string"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[recovery]\ntpm_reasons = [\"a\\tb\"]\n").find("without control"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("[recovery]\ndrive_unlock_reasons = [\"Lost PIN\", \"Lost PIN\"]\n"),
            "/srv/lb/lockbox.toml:2: item 2 of key 'recovery.drive_unlock_reasons' repeats "
            "\"Lost PIN\"");
}

TEST(ConfigTest, ServiceAndAuthValuesAreChecked) {
  EXPECT_EQ(ErrorOf("[auth]\nmin_password_length = 4\n"),
            "/srv/lb/lockbox.toml:2: key 'auth.min_password_length' must be an integer from 8 to "
            "256 (got 4)");
  EXPECT_NE(ErrorOf("[auth]\nargon2_memory_kib = 64\n").find("from 1024 to 4194304"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[recovery]\nreport_interval_minutes = 0\n").find("from 1 to 1440"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[self_service]\nattempts = \"5\"\n").find("(got a string)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[self_service]\nnotice = \"\"\n").find("must be a non-empty string"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[self_service]\nnotice = \"" + std::string(8193, 'x') + "\"\n")
                .find("at most 8192 bytes (got 8193)"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("[auth]\nsession_idle_timeout_minutes = 90\nsession_lifetime_hours = 1\n"),
            "/srv/lb/lockbox.toml:2: key 'auth.session_idle_timeout_minutes': must not be longer "
            "than session_lifetime_hours (1 h)");
  EXPECT_NE(ErrorOf("[self_service]\nidle_timeout_seconds = 5\n").find("from 10 to 86400"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("[self_service]\nidle_timeout_seconds = 700\n"
                    "[auth]\nsession_idle_timeout_minutes = 10\n"),
            "/srv/lb/lockbox.toml:2: key 'self_service.idle_timeout_seconds': must not be longer "
            "than [auth] session_idle_timeout_minutes (10 min)");
  // Not set, the page's timeout follows a server timeout shorter than its default.
  auto short_idle = Parse("[auth]\nsession_idle_timeout_minutes = 5\n");
  ASSERT_TRUE(short_idle.ok()) << short_idle.status().message();
  EXPECT_EQ(short_idle->self_service.idle_timeout_seconds, 300u);
  EXPECT_NE(ErrorOf("auth = 1\n").find("must be a table ([auth])"), std::string::npos);
}

TEST(ConfigTest, OutOfRangeValuesAreRejected) {
  EXPECT_EQ(ErrorOf("[limits]\nheader_bytes = 10\n"),
            "/srv/lb/lockbox.toml:2: key 'limits.header_bytes' must be an integer from 1024 to "
            "1048576 (got 10)");
  EXPECT_NE(ErrorOf("[limits]\nmax_connections = -1\n").find("(got -1)"), std::string::npos);
  EXPECT_NE(ErrorOf("[limits]\nidle_timeout_ms = 0\n").find("from 1 to 3600000"),
            std::string::npos);
}

TEST(ConfigTest, BadValuesAreExplained) {
  EXPECT_EQ(ErrorOf("log_level = \"verbose\"\n"),
            "/srv/lb/lockbox.toml:1: key 'log_level': must be one of trace, debug, info, warn, "
            "error, off (got \"verbose\")");
  EXPECT_EQ(ErrorOf("data_dir = \"relative\"\n"),
            "/srv/lb/lockbox.toml:1: key 'data_dir': must be an absolute path (got \"relative\")");
  EXPECT_NE(ErrorOf("listen = \"localhost:80\"\n").find("does not start with an IP address"),
            std::string::npos);
  EXPECT_NE(ErrorOf("store = \"\"\n").find("must be a non-empty string"), std::string::npos);
}

TEST(ConfigTest, InvalidTomlGivesLineAndColumn) {
  const std::string error = ErrorOf("listen = \n");
  EXPECT_TRUE(error.starts_with("/srv/lb/lockbox.toml:1:")) << error;
  EXPECT_NE(error.find("not valid TOML"), std::string::npos) << error;
}

TEST(ConfigTest, LoadConfigOfMissingFileSaysHowToCreateOne) {
  auto config = LoadConfig("/nonexistent/lockbox.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(config.status().message().find("lockbox init --data-dir"), std::string::npos);
}

TEST(ListenAddressTest, ParsesIpv4AndBracketedIpv6) {
  auto v4 = ParseListenAddress("0.0.0.0:443");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(*v4, (ListenAddress{"0.0.0.0", 443}));
  auto v6 = ParseListenAddress("[::]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(*v6, (ListenAddress{"::", 0}));
  EXPECT_EQ(v6->ToString(), "[::]:0");
}

TEST(ListenAddressTest, RejectsMissingOrBadPortAndHostNames) {
  EXPECT_FALSE(ParseListenAddress("127.0.0.1").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:65536").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:+1").ok());
  EXPECT_FALSE(ParseListenAddress("::1:80").ok());
  EXPECT_FALSE(ParseListenAddress("example.com:80").ok());
}

}  // namespace
}  // namespace lockbox::config
