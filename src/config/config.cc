#include "config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <vector>

#include "config/table_reader.h"

namespace lockbox::config {
namespace {

constexpr std::array<const char*, 6> kLogLevelNames = {"trace", "debug", "info",
                                                       "warn",  "error", "off"};

bool IsUrl(std::string_view s) {
  return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

constexpr uint32_t kMaxTimeoutMs = 3'600'000;

Status ReadLimits(const std::string& file, const toml::table& table, Limits* limits) {
  TableReader r(file, table, "limits.");
  LOCKBOX_RETURN_IF_ERROR(r.RejectUnknownKeys(
      {"header_bytes", "body_bytes", "handshake_timeout_ms", "header_timeout_ms", "body_timeout_ms",
       "idle_timeout_ms", "shutdown_timeout_ms", "max_connections"}));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("header_bytes", 1024, 1024 * 1024, &limits->header_bytes));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint64_t>("body_bytes", 1, uint64_t{1} << 30, &limits->body_bytes));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("handshake_timeout_ms", 1, kMaxTimeoutMs, &limits->handshake_timeout_ms));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("header_timeout_ms", 1, kMaxTimeoutMs, &limits->header_timeout_ms));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("body_timeout_ms", 1, kMaxTimeoutMs, &limits->body_timeout_ms));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("idle_timeout_ms", 1, kMaxTimeoutMs, &limits->idle_timeout_ms));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("shutdown_timeout_ms", 0, kMaxTimeoutMs, &limits->shutdown_timeout_ms));
  return r.Integer<uint32_t>("max_connections", 1, 1'000'000, &limits->max_connections);
}

constexpr uint32_t kMinutesPerWeek = 7 * 24 * 60;

Status ReadRecovery(const std::string& file, const toml::table& table, RecoveryConfig* recovery) {
  TableReader r(file, table, "recovery.");
  LOCKBOX_RETURN_IF_ERROR(
      r.RejectUnknownKeys({"drive_unlock_reasons", "tpm_reasons", "report_interval_minutes",
                           "agent_tpm_unlock_window_minutes"}));
  LOCKBOX_RETURN_IF_ERROR(r.StringList("drive_unlock_reasons", kMaxReasons, kMaxReasonBytes,
                                       &recovery->drive_unlock_reasons));
  LOCKBOX_RETURN_IF_ERROR(
      r.StringList("tpm_reasons", kMaxReasons, kMaxReasonBytes, &recovery->tpm_reasons));
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>(
      "report_interval_minutes", 1, kMaxReportIntervalMinutes, &recovery->report_interval_minutes));
  return r.Integer<uint32_t>("agent_tpm_unlock_window_minutes", 0, kMaxAgentTpmUnlockWindowMinutes,
                             &recovery->agent_tpm_unlock_window_minutes);
}

Status ReadCompliance(const std::string& file, const toml::table& table,
                      ComplianceConfig* compliance) {
  TableReader r(file, table, "compliance.");
  LOCKBOX_RETURN_IF_ERROR(r.RejectUnknownKeys(
      {"encryption_methods", "os_protectors", "fixed_protectors", "removable_protectors"}));
  // The protector type names are checked by service::OptionsFromConfig, which knows them.
  constexpr size_t kMaxItems = 16;
  LOCKBOX_RETURN_IF_ERROR(r.StringList("encryption_methods", kMaxItems, kMaxLabelBytes,
                                       &compliance->encryption_methods));
  LOCKBOX_RETURN_IF_ERROR(
      r.StringList("os_protectors", kMaxItems, kMaxLabelBytes, &compliance->os_protectors));
  LOCKBOX_RETURN_IF_ERROR(
      r.StringList("fixed_protectors", kMaxItems, kMaxLabelBytes, &compliance->fixed_protectors));
  return r.StringList("removable_protectors", kMaxItems, kMaxLabelBytes,
                      &compliance->removable_protectors);
}

Status ReadReports(const std::string& file, const toml::table& table, ReportsConfig* reports) {
  TableReader r(file, table, "reports.");
  LOCKBOX_RETURN_IF_ERROR(
      r.RejectUnknownKeys({"repeated_recovery_count", "repeated_recovery_days"}));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("repeated_recovery_count", 2, 1000, &reports->repeated_recovery_count));
  return r.Integer<uint32_t>("repeated_recovery_days", 1, 3660, &reports->repeated_recovery_days);
}

Status ReadSelfService(const std::string& file, const toml::table& table,
                       SelfServiceConfig* self_service) {
  TableReader r(file, table, "self_service.");
  LOCKBOX_RETURN_IF_ERROR(
      r.RejectUnknownKeys({"notice", "attempts", "window_minutes", "company_name",
                           "helpdesk_contact", "idle_timeout_seconds"}));
  LOCKBOX_RETURN_IF_ERROR(r.Text("notice", kMaxNoticeBytes, &self_service->notice));
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("attempts", 1, 1000, &self_service->attempts));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("window_minutes", 1, kMinutesPerWeek, &self_service->window_minutes));
  LOCKBOX_RETURN_IF_ERROR(r.Text("company_name", kMaxLabelBytes, &self_service->company_name));
  LOCKBOX_RETURN_IF_ERROR(
      r.Text("helpdesk_contact", kMaxLabelBytes, &self_service->helpdesk_contact));
  // Below 10 s the warning could not be read before the sign-out.
  return r.Integer<uint32_t>("idle_timeout_seconds", 10, 24 * 60 * 60,
                             &self_service->idle_timeout_seconds);
}

Status ReadAuth(const std::string& file, const toml::table& table, AuthConfig* auth) {
  TableReader r(file, table, "auth.");
  LOCKBOX_RETURN_IF_ERROR(
      r.RejectUnknownKeys({"min_password_length", "max_failed_logins", "lockout_minutes",
                           "session_idle_timeout_minutes", "session_lifetime_hours",
                           "argon2_time_cost", "argon2_memory_kib"}));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("min_password_length", 8, 256, &auth->min_password_length));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("max_failed_logins", 1, 1000, &auth->max_failed_logins));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("lockout_minutes", 1, kMinutesPerWeek, &auth->lockout_minutes));
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("session_idle_timeout_minutes", 1, 24 * 60,
                                              &auth->session_idle_timeout_minutes));
  LOCKBOX_RETURN_IF_ERROR(
      r.Integer<uint32_t>("session_lifetime_hours", 1, 30 * 24, &auth->session_lifetime_hours));
  if (auth->session_idle_timeout_minutes > auth->session_lifetime_hours * 60) {
    return r.Error("session_idle_timeout_minutes",
                   "must not be longer than session_lifetime_hours (" +
                       std::to_string(auth->session_lifetime_hours) + " h)");
  }
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("argon2_time_cost", 1, 64, &auth->argon2_time_cost));
  // libargon2 needs at least 8 KiB per lane; below 1 MiB a hash is cheap to guess at.
  return r.Integer<uint32_t>("argon2_memory_kib", 1024, 4 * 1024 * 1024, &auth->argon2_memory_kib);
}

Status ReadActiveDirectory(const std::string& file, const toml::table& table,
                           ActiveDirectoryConfig* ad) {
  TableReader r(file, table, "active_directory.");
  LOCKBOX_RETURN_IF_ERROR(r.RejectUnknownKeys(
      {"url", "ca_file", "domain", "timeout_seconds", "self_service", "admin_groups",
       "advanced_helpdesk_groups", "helpdesk_groups", "report_reader_groups"}));
  LOCKBOX_RETURN_IF_ERROR(r.String("url", &ad->url));
  if (!ad->url.starts_with("ldaps://") && !ad->url.starts_with("ldap://")) {
    return r.Error("url",
                   "must be set to ldaps://HOST or ldap://HOST (StartTLS) of a domain "
                   "controller (got \"" +
                       ad->url + "\")");
  }
  LOCKBOX_RETURN_IF_ERROR(r.String("ca_file", &ad->ca_file));
  LOCKBOX_RETURN_IF_ERROR(r.String("domain", &ad->domain));
  if (ad->domain.empty() || ad->domain.find('.') == std::string::npos) {
    return r.Error("domain", "must be set to the DNS name of the domain, such as corp.example");
  }
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("timeout_seconds", 1, 300, &ad->timeout_seconds));
  LOCKBOX_RETURN_IF_ERROR(r.Bool("self_service", &ad->self_service));
  constexpr size_t kMaxGroups = 64;
  constexpr size_t kMaxDnBytes = 1024;
  LOCKBOX_RETURN_IF_ERROR(r.StringList("admin_groups", kMaxGroups, kMaxDnBytes, &ad->admin_groups));
  LOCKBOX_RETURN_IF_ERROR(r.StringList("advanced_helpdesk_groups", kMaxGroups, kMaxDnBytes,
                                       &ad->advanced_helpdesk_groups));
  LOCKBOX_RETURN_IF_ERROR(
      r.StringList("helpdesk_groups", kMaxGroups, kMaxDnBytes, &ad->helpdesk_groups));
  return r.StringList("report_reader_groups", kMaxGroups, kMaxDnBytes, &ad->report_reader_groups);
}

Status ReadConfig(const std::string& file, const toml::table& root, ServerConfig* config) {
  TableReader r(file, root, "");
  LOCKBOX_RETURN_IF_ERROR(r.RejectUnknownKeys(
      {"listen", "data_dir", "store", "master_key_file", "log_level", "tls", "limits", "recovery",
       "self_service", "compliance", "reports", "auth", "active_directory"}));

  std::string listen;
  LOCKBOX_RETURN_IF_ERROR(r.String("listen", &listen));
  if (!listen.empty()) {
    auto address = ParseListenAddress(listen);
    if (!address.ok()) return r.Error("listen", address.status().message());
    config->listen = *address;
  }

  std::string data_dir;
  LOCKBOX_RETURN_IF_ERROR(r.String("data_dir", &data_dir));
  if (!data_dir.empty()) {
    if (data_dir.front() != '/') {
      return r.Error("data_dir", "must be an absolute path (got \"" + data_dir + "\")");
    }
    config->data_dir = data_dir;
  }
  LOCKBOX_RETURN_IF_ERROR(r.String("store", &config->store));
  LOCKBOX_RETURN_IF_ERROR(r.String("master_key_file", &config->master_key_file));

  std::string level;
  LOCKBOX_RETURN_IF_ERROR(r.String("log_level", &level));
  if (!level.empty()) {
    size_t i = 0;
    while (i < kLogLevelNames.size() && level != kLogLevelNames[i]) ++i;
    if (i == kLogLevelNames.size()) {
      return r.Error("log_level",
                     "must be one of trace, debug, info, warn, error, off (got \"" + level + "\")");
    }
    config->log_level = static_cast<LogLevel>(i);
  }

  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* tls, r.Table("tls"));
  if (tls != nullptr) {
    TableReader t(file, *tls, "tls.");
    LOCKBOX_RETURN_IF_ERROR(t.RejectUnknownKeys({"cert_file", "key_file"}));
    LOCKBOX_RETURN_IF_ERROR(t.String("cert_file", &config->tls_cert_file));
    LOCKBOX_RETURN_IF_ERROR(t.String("key_file", &config->tls_key_file));
  }
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* limits, r.Table("limits"));
  if (limits != nullptr) LOCKBOX_RETURN_IF_ERROR(ReadLimits(file, *limits, &config->limits));
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* recovery, r.Table("recovery"));
  if (recovery != nullptr)
    LOCKBOX_RETURN_IF_ERROR(ReadRecovery(file, *recovery, &config->recovery));
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* self_service, r.Table("self_service"));
  if (self_service != nullptr) {
    LOCKBOX_RETURN_IF_ERROR(ReadSelfService(file, *self_service, &config->self_service));
  }
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* compliance, r.Table("compliance"));
  if (compliance != nullptr) {
    LOCKBOX_RETURN_IF_ERROR(ReadCompliance(file, *compliance, &config->compliance));
  }
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* reports, r.Table("reports"));
  if (reports != nullptr) LOCKBOX_RETURN_IF_ERROR(ReadReports(file, *reports, &config->reports));
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* auth, r.Table("auth"));
  if (auth != nullptr) LOCKBOX_RETURN_IF_ERROR(ReadAuth(file, *auth, &config->auth));
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table* ad, r.Table("active_directory"));
  if (ad != nullptr) {
    LOCKBOX_RETURN_IF_ERROR(ReadActiveDirectory(file, *ad, &config->active_directory.emplace()));
  }
  // A page timeout longer than the server's would never come: the server ends the session
  // first. Set so, it is a mistake to report; not set, the default follows the server's.
  const uint32_t server_idle_seconds = config->auth.session_idle_timeout_minutes * 60;
  if (config->self_service.idle_timeout_seconds > server_idle_seconds) {
    if (self_service == nullptr || !self_service->contains("idle_timeout_seconds")) {
      config->self_service.idle_timeout_seconds = server_idle_seconds;
    } else {
      return TableReader(file, *self_service, "self_service.")
          .Error("idle_timeout_seconds",
                 "must not be longer than [auth] session_idle_timeout_minutes (" +
                     std::to_string(config->auth.session_idle_timeout_minutes) + " min)");
    }
  }
  return Status::Ok();
}

// A TOML basic string: quoted, with backslash, quote and control characters escaped.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// `key = ["a", "b"]`, or, when not set, the line commented out saying what applies instead.
std::string ListLine(std::string_view key, const std::optional<std::vector<std::string>>& list,
                     std::string_view unset) {
  if (!list)
    return "# " + std::string(key) + " = [\"...\"]  # not set: " + std::string(unset) + "\n";
  std::string out = std::string(key) + " = [";
  for (size_t i = 0; i < list->size(); ++i) out += (i ? ", " : "") + Quote((*list)[i]);
  return out + "]\n";
}

}  // namespace

std::string ListenAddress::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("listen address \"" + std::string(text) + "\" " + why +
                                   "; expected ADDRESS:PORT such as 127.0.0.1:8443 or [::1]:8443");
  };
  if (colon == std::string_view::npos) return bad("has no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("has no valid port (0 to 65535)");
  }
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  std::array<unsigned char, 16> buffer{};
  const std::string host_string(host);
  const bool v4 = !bracketed && inet_pton(AF_INET, host_string.c_str(), buffer.data()) == 1;
  const bool v6 = bracketed && inet_pton(AF_INET6, host_string.c_str(), buffer.data()) == 1;
  if (!v4 && !v6) return bad("does not start with an IP address (IPv6 goes in brackets)");
  return ListenAddress{host_string, static_cast<uint16_t>(port)};
}

const char* LogLevelName(LogLevel level) { return kLogLevelNames[static_cast<size_t>(level)]; }

std::string ServerConfig::ResolvePath(const std::string& path) const {
  if (path.empty() || path.front() == '/' || IsUrl(path)) return path;
  return (std::filesystem::path(data_dir) / path).string();
}

std::string ConfigPathFor(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "lockbox.toml").string();
}

Result<ServerConfig> ParseConfig(std::string_view text, const std::string& file_name,
                                 const std::string& default_data_dir) {
  ServerConfig config;
  config.data_dir = default_data_dir;
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table root, ParseToml(text, file_name));
  LOCKBOX_RETURN_IF_ERROR(ReadConfig(file_name, root, &config));
  return config;
}

Result<ServerConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read config file " + path +
                            ": run `lockbox init --data-dir DIR` to create one");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("reading config file " + path + " failed");
  std::error_code ec;
  const std::filesystem::path folder = std::filesystem::absolute(path, ec).parent_path();
  return ParseConfig(text, path, folder.string());
}

std::string FormatConfig(const ServerConfig& c) {
  const Limits& l = c.limits;
  std::ostringstream out;
  out << "# Lockbox server configuration (docs/server.md). Relative paths are inside data_dir.\n"
      << "listen = " << Quote(c.listen.ToString()) << "  # ADDRESS:PORT\n"
      << "data_dir = " << Quote(c.data_dir) << "\n"
      << "store = " << Quote(c.store) << "  # a SQLite file, or a postgresql:// URL\n"
      << "master_key_file = " << Quote(c.master_key_file) << "  # 32 bytes, mode 0600\n"
      << "log_level = " << Quote(LogLevelName(c.log_level))
      << "  # trace, debug, info, warn, error, off\n"
      << "\n[tls]\n"
      << "cert_file = " << Quote(c.tls_cert_file) << "  # PEM certificate chain\n"
      << "key_file = " << Quote(c.tls_key_file) << "  # PEM private key, mode 0600\n"
      << "\n[limits]\n"
      << "header_bytes = " << l.header_bytes << "  # request line and headers (431 beyond)\n"
      << "body_bytes = " << l.body_bytes << "  # request body (413 beyond)\n"
      << "handshake_timeout_ms = " << l.handshake_timeout_ms << "\n"
      << "header_timeout_ms = " << l.header_timeout_ms << "\n"
      << "body_timeout_ms = " << l.body_timeout_ms << "  # reading a body, writing a response\n"
      << "idle_timeout_ms = " << l.idle_timeout_ms << "  # keep-alive wait for the next request\n"
      << "shutdown_timeout_ms = " << l.shutdown_timeout_ms
      << "  # grace for in-flight requests on SIGTERM\n"
      << "max_connections = " << l.max_connections << "\n";
  const RecoveryConfig& r = c.recovery;
  out << "\n[recovery]  # the recovery rules (docs/service.md)\n"
      << ListLine("drive_unlock_reasons", r.drive_unlock_reasons, "MBAM's reasons")
      << ListLine("tpm_reasons", r.tpm_reasons, "MBAM's TPM reasons")
      << "report_interval_minutes = " << r.report_interval_minutes << "  # an agent's next report\n"
      << "agent_tpm_unlock_window_minutes = " << r.agent_tpm_unlock_window_minutes
      << "  # agents may reset a TPM lockout this long after a disclosure; 0: never\n";
  const SelfServiceConfig& s = c.self_service;
  out << "\n[self_service]\n"
      << (s.notice ? "notice = " + Quote(*s.notice)
                   : "# notice = \"...\"  # not set: the built-in notice")
      << "\n"
      << "attempts = " << s.attempts << "  # recovery attempts per user per window\n"
      << "window_minutes = " << s.window_minutes << "\n"
      << (s.company_name ? "company_name = " + Quote(*s.company_name)
                         : "# company_name = \"...\"  # shown on the portal pages")
      << "\n"
      << (s.helpdesk_contact ? "helpdesk_contact = " + Quote(*s.helpdesk_contact)
                             : "# helpdesk_contact = \"...\"  # \"call the helpdesk at ...\"")
      << "\n"
      << "idle_timeout_seconds = " << s.idle_timeout_seconds
      << "  # the self-service page signs out after this long without activity\n";
  const ComplianceConfig& p = c.compliance;
  out << "\n[compliance]  # what a compliant volume is (docs/portals.md)\n"
      << ListLine("encryption_methods", p.encryption_methods, "any method")
      << ListLine("os_protectors", p.os_protectors, "tpm (any kind) and recovery_password")
      << ListLine("fixed_protectors", p.fixed_protectors, "recovery_password")
      << ListLine("removable_protectors", p.removable_protectors, "recovery_password");
  const ReportsConfig& rep = c.reports;
  out << "\n[reports]\n"
      << "repeated_recovery_count = " << rep.repeated_recovery_count
      << "  # disclosures within the window that list a computer as recovered repeatedly\n"
      << "repeated_recovery_days = " << rep.repeated_recovery_days << "\n";
  const AuthConfig& a = c.auth;
  out << "\n[auth]  # local accounts and sessions (docs/auth.md)\n"
      << "min_password_length = " << a.min_password_length << "  # characters\n"
      << "max_failed_logins = " << a.max_failed_logins << "  # then locked for lockout_minutes\n"
      << "lockout_minutes = " << a.lockout_minutes << "\n"
      << "session_idle_timeout_minutes = " << a.session_idle_timeout_minutes << "\n"
      << "session_lifetime_hours = " << a.session_lifetime_hours << "\n"
      << "argon2_time_cost = " << a.argon2_time_cost << "  # passes; new hashes only\n"
      << "argon2_memory_kib = " << a.argon2_memory_kib << "  # per sign-in while it runs\n";
  if (!c.active_directory) {
    out << "\n# [active_directory]  # sign-in with AD accounts (docs/ad-sign-in.md)\n"
        << "# url = \"ldaps://dc1.corp.example\"\n"
        << "# domain = \"corp.example\"\n"
        << "# helpdesk_groups = [\"CN=Lockbox Helpdesk,OU=Groups,DC=corp,DC=example\"]\n";
    return out.str();
  }
  const ActiveDirectoryConfig& ad = *c.active_directory;
  out << "\n[active_directory]  # sign-in with AD accounts (docs/ad-sign-in.md)\n"
      << "url = " << Quote(ad.url) << "  # ldaps://HOST, or ldap://HOST for StartTLS\n"
      << (ad.ca_file.empty() ? "# ca_file = \"ad-ca.pem\"  # not set: the system's CAs"
                             : "ca_file = " + Quote(ad.ca_file))
      << "\n"
      << "domain = " << Quote(ad.domain) << "  # the DNS domain users sign in to\n"
      << "timeout_seconds = " << ad.timeout_seconds << "\n"
      << "self_service = " << (ad.self_service ? "true" : "false")
      << "  # any domain user may use the self-service portal\n"
      << ListLine("admin_groups", ad.admin_groups, "no admin from AD")
      << ListLine("advanced_helpdesk_groups", ad.advanced_helpdesk_groups, "none")
      << ListLine("helpdesk_groups", ad.helpdesk_groups, "none")
      << ListLine("report_reader_groups", ad.report_reader_groups, "none");
  return out.str();
}

}  // namespace lockbox::config
