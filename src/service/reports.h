// The recovery reports the BitLocker recovery guide's post-recovery analysis asks for: keys
// shown to someone and not yet replaced by their agent, and computers recovered again and
// again (a sign of a hardware fault, a bad update, or someone trying keys). Admins and report
// readers; no secrets.
//
//   service::ReportService reports(store, options);
//   LOCKBOX_ASSIGN_OR_RETURN(auto waiting, reports.KeysAwaitingRotation(actor));
#pragma once

#include <vector>

#include "service/options.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::service {

// A disclosed recovery password its agent has not replaced yet.
struct AwaitingRotation {
  store::RecoveryKey key;  // state_changed_at: when it was disclosed
  store::Volume volume;
  store::Computer computer;
  int64_t age_seconds = 0;  // since it was disclosed
};

// A computer whose recovery passwords were disclosed at least the configured number of times
// within the window.
struct RepeatedRecovery {
  std::string computer;             // as the audit log names it: "PC-07 (0b1d7f1e-...)"
  std::optional<Guid> computer_id;  // read from that name
  int64_t disclosures = 0;
  store::Time first{};
  store::Time last{};
};

class ReportService {
 public:
  // `store` and `options` must outlive the service.
  ReportService(store::Store& store, const ServiceOptions& options)
      : store_(store), options_(options) {}

  // Oldest disclosure first.
  Result<std::vector<AwaitingRotation>> KeysAwaitingRotation(const Actor& actor);
  // Disclosures of recovery passwords within options.repeated_recovery_window before now,
  // counted per computer from the audit log; the computers with at least
  // options.repeated_recovery_count, most first.
  Result<std::vector<RepeatedRecovery>> RepeatedRecoveries(const Actor& actor);

 private:
  store::Store& store_;
  const ServiceOptions& options_;
};

}  // namespace lockbox::service
