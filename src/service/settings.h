// Settings: what an admin may change while the server runs: the reason lists, the self-service
// notice, the company name and helpdesk contact the portals show, how often agents report (so
// how soon a disclosed recovery password is replaced) and the TPM auto-reset window. The config
// file gives each one's default (ServiceOptions); a change is kept in the store and overrides
// the default from then on, for every server sharing that store.
//
//   service::Settings settings(store, audit, options);
//   LOCKBOX_ASSIGN_OR_RETURN(service::RuntimeSettings now, settings.Current());
//   LOCKBOX_ASSIGN_OR_RETURN(now, settings.Change(admin, {.company_name = "Contoso"}));
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "service/options.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::service {

// The settings in force.
struct RuntimeSettings {
  std::vector<std::string> drive_unlock_reasons;  // "Other" always among them
  std::vector<std::string> tpm_reasons;
  std::string self_service_notice;
  std::string company_name;      // empty: not set
  std::string helpdesk_contact;  // empty: not set
  std::chrono::minutes report_interval{90};
  std::chrono::minutes agent_tpm_unlock_window{0};  // zero: agents never fetch it
  friend bool operator==(const RuntimeSettings&, const RuntimeSettings&) = default;
};

// What to change: a field left unset stays as it is.
struct SettingsChange {
  std::optional<std::vector<std::string>> drive_unlock_reasons{};
  std::optional<std::vector<std::string>> tpm_reasons{};
  std::optional<std::string> self_service_notice{};
  std::optional<std::string> company_name{};
  std::optional<std::string> helpdesk_contact{};
  std::optional<std::chrono::minutes> report_interval{};
  std::optional<std::chrono::minutes> agent_tpm_unlock_window{};
};

class Settings {
 public:
  // Another server's change is seen within this long.
  static constexpr std::chrono::seconds kRefresh{10};

  // `defaults` holds the config's values (and the clock). All must outlive the settings.
  Settings(store::Store& store, audit::AuditLog& audit, const ServiceOptions& defaults)
      : store_(store), audit_(audit), defaults_(defaults) {}

  // The store's settings over the defaults, read from the store at most every kRefresh.
  // kCorrupt names a stored setting that cannot be read. Shared and never changed (a change
  // makes new ones): every request reads them, and copying the reason lists would cost more.
  Result<std::shared_ptr<const RuntimeSettings>> Current();

  // Checks every field given (nothing changes when one is wrong: kInvalidArgument names it),
  // stores those that differ from the settings in force, audits each ("setting changed",
  // "report_interval_minutes: 90 -> 30") and returns the new settings. A reason list lacking
  // "Other" gets it. Admins only (kPermissionDenied).
  Result<RuntimeSettings> Change(const Actor& admin, const SettingsChange& change);

 private:
  Result<RuntimeSettings> Load();

  store::Store& store_;
  audit::AuditLog& audit_;
  const ServiceOptions& defaults_;
  std::mutex mu_;
  std::shared_ptr<const RuntimeSettings> cached_;  // guarded by mu_, as is read_at_
  store::Time read_at_{};
};

}  // namespace lockbox::service
