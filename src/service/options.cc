#include "service/options.h"

#include <algorithm>

namespace lockbox::service {

std::vector<std::string> DefaultDriveUnlockReasons() {
  return {"Operating System Boot Order changed",
          "BIOS changed",
          "Operating System files changed",
          "Lost Startup key",
          "Lost PIN",
          "TPM Reset",
          "Lost Passphrase",
          "Lost Smartcard",
          "Reset PIN lockout",
          std::string(kOtherReason)};
}

std::vector<std::string> DefaultTpmReasons() {
  return {"Turn on TPM", "Turn off TPM",      "Change TPM password",
          "Clear TPM",   "Reset TPM lockout", std::string(kOtherReason)};
}

std::string DefaultSelfServiceNotice() {
  return "You are about to see the BitLocker recovery password of your computer. Use it only "
         "to unlock your own computer, and do not share it: it is recorded who asked for it and "
         "when, and it will be replaced after use. If the recovery screen appeared when you did "
         "not expect it (no BIOS, disk or hardware change you know of), call the helpdesk "
         "before entering the password.";
}

std::vector<std::string> WithOtherReason(std::vector<std::string> reasons) {
  if (std::find(reasons.begin(), reasons.end(), kOtherReason) == reasons.end()) {
    reasons.emplace_back(kOtherReason);
  }
  return reasons;
}

namespace {

// The configured requirements `texts` ("tpm|tpm_pin") into *out; nothing when not configured.
Status Requirements(const std::optional<std::vector<std::string>>& texts, std::string_view key,
                    std::vector<ProtectorRequirement>* out) {
  if (!texts) return Status::Ok();
  out->clear();
  for (const std::string& text : *texts) {
    auto requirement = ParseProtectorRequirement(text);
    if (!requirement.ok()) {
      return requirement.status().WithContext("[compliance] " + std::string(key));
    }
    out->push_back(std::move(*requirement));
  }
  return Status::Ok();
}

}  // namespace

Result<ServiceOptions> OptionsFromConfig(const config::ServerConfig& config) {
  const config::RecoveryConfig& recovery = config.recovery;
  const config::SelfServiceConfig& self_service = config.self_service;
  ServiceOptions options;
  options.report_interval = std::chrono::minutes(recovery.report_interval_minutes);
  if (recovery.drive_unlock_reasons) {
    options.drive_unlock_reasons = WithOtherReason(*recovery.drive_unlock_reasons);
  }
  if (recovery.tpm_reasons) options.tpm_reasons = WithOtherReason(*recovery.tpm_reasons);
  options.agent_tpm_unlock_window = std::chrono::minutes(recovery.agent_tpm_unlock_window_minutes);
  options.self_service_attempts = static_cast<int>(self_service.attempts);
  options.self_service_window = std::chrono::minutes(self_service.window_minutes);
  if (self_service.notice) options.self_service_notice = *self_service.notice;
  options.company_name = self_service.company_name.value_or("");
  options.helpdesk_contact = self_service.helpdesk_contact.value_or("");
  options.self_service_idle_timeout = std::chrono::seconds(self_service.idle_timeout_seconds);
  const config::ComplianceConfig& compliance = config.compliance;
  if (compliance.encryption_methods) {
    options.compliance.encryption_methods = *compliance.encryption_methods;
  }
  LOCKBOX_RETURN_IF_ERROR(
      Requirements(compliance.os_protectors, "os_protectors", &options.compliance.os_protectors));
  LOCKBOX_RETURN_IF_ERROR(Requirements(compliance.fixed_protectors, "fixed_protectors",
                                       &options.compliance.fixed_protectors));
  LOCKBOX_RETURN_IF_ERROR(Requirements(compliance.removable_protectors, "removable_protectors",
                                       &options.compliance.removable_protectors));
  options.repeated_recovery_count = config.reports.repeated_recovery_count;
  options.repeated_recovery_window = std::chrono::days(config.reports.repeated_recovery_days);
  return options;
}

}  // namespace lockbox::service
