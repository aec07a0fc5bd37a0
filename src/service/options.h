// ServiceOptions: the settings of the escrow and recovery rules (docs/service.md). The server
// makes them from its config file with OptionsFromConfig().
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "service/compliance.h"
#include "store/records.h"

namespace lockbox::service {

// The MBAM / Configuration Manager reasons for unlocking a drive, plus "Other".
std::vector<std::string> DefaultDriveUnlockReasons();
// The MBAM reasons for reading the TPM owner authorisation, plus "Other".
std::vector<std::string> DefaultTpmReasons();
// The reason that needs free text beside it.
inline constexpr std::string_view kOtherReason = "Other";
// `reasons` with "Other" at the end when it lacks it: a person whose reason is not listed can
// always describe it.
std::vector<std::string> WithOtherReason(std::vector<std::string> reasons);
// What a self-service user acknowledges before a recovery password is shown.
std::string DefaultSelfServiceNotice();

// The fields marked "runtime" are the config's values; an admin may change them while the
// server runs, and Settings (settings.h) gives the values in force.
struct ServiceOptions {
  // How long an agent waits before its next report (runtime).
  std::chrono::minutes report_interval{90};
  // The reasons a person may give; anything else is refused. "Other" needs reason text
  // (runtime).
  std::vector<std::string> drive_unlock_reasons = DefaultDriveUnlockReasons();
  std::vector<std::string> tpm_reasons = DefaultTpmReasons();
  // Self-service: at most this many recovery attempts per user within the window.
  int self_service_attempts = 5;
  std::chrono::seconds self_service_window{std::chrono::hours(1)};
  // The notice a self-service user must acknowledge (the portal shows it) (runtime).
  std::string self_service_notice = DefaultSelfServiceNotice();
  // What the portal pages show (GET /api/v1/portal): empty when not configured (runtime).
  std::string company_name;
  std::string helpdesk_contact;
  std::chrono::seconds self_service_idle_timeout{std::chrono::minutes(10)};
  // An agent may fetch its TPM owner authorisation (to reset a TPM lockout) only when a
  // recovery password of one of its OS volumes was disclosed within this window. Zero: never
  // (runtime).
  std::chrono::seconds agent_tpm_unlock_window{0};
  // Metadata verifications waiting beyond this are skipped (the key stays "unknown" until the
  // agent's next report with metadata).
  size_t verification_queue_entries = 64;
  // What a compliant volume is ([compliance]).
  CompliancePolicy compliance;
  // A computer whose recovery passwords were disclosed at least this many times within the
  // window is listed as recovered repeatedly ([reports]).
  int64_t repeated_recovery_count = 2;
  std::chrono::seconds repeated_recovery_window{std::chrono::days(30)};
  // How often the contact times of check-ins are written (ContactRecorder).
  std::chrono::milliseconds contact_flush_interval{1000};
  // The current time; tests set a fixed clock.
  std::function<store::Time()> now = [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  };
};

// The [recovery], [self_service], [compliance] and [reports] sections of `config` over the
// defaults above. A configured reason list that lacks "Other" gets it (WithOtherReason).
// kInvalidArgument for a protector type
// the policy names that does not exist.
Result<ServiceOptions> OptionsFromConfig(const config::ServerConfig& config);

}  // namespace lockbox::service
