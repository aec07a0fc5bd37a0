#include "auth/options.h"

#include <utility>

#include "util/ascii.h"

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
  if (config.active_directory) {
    const config::ActiveDirectoryConfig& ad = *config.active_directory;
    DirectoryOptions& directory = options.directory.emplace();
    directory.url = ad.url;
    directory.ca_file = ad.ca_file.empty() ? "" : config.ResolvePath(ad.ca_file);
    directory.domain = LowerAscii(ad.domain);
    directory.timeout_ms = static_cast<int>(ad.timeout_seconds) * 1000;
    directory.self_service = ad.self_service;
    const std::pair<const std::optional<std::vector<std::string>>*, service::Role> mapped[] = {
        {&ad.admin_groups, service::Role::kAdmin},
        {&ad.advanced_helpdesk_groups, service::Role::kAdvancedHelpdesk},
        {&ad.helpdesk_groups, service::Role::kHelpdesk},
        {&ad.report_reader_groups, service::Role::kReportReader}};
    for (const auto& [groups, role] : mapped) {
      if (!*groups) continue;
      for (const std::string& dn : **groups) directory.group_roles.push_back({dn, role});
    }
  }
  return options;
}

}  // namespace lockbox::auth
