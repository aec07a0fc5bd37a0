#include "service/reports.h"

#include <algorithm>
#include <map>

namespace lockbox::service {
namespace {

// The GUID in "NAME (GUID)", the audit log's name of a computer.
std::optional<Guid> IdInAuditName(std::string_view name) {
  if (name.size() < 38 || name.back() != ')') return std::nullopt;
  auto id = Guid::Parse(name.substr(name.size() - 37, 36));
  return id.ok() ? std::optional<Guid>(*id) : std::nullopt;
}

}  // namespace

Result<std::vector<AwaitingRotation>> ReportService::KeysAwaitingRotation(const Actor& actor) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kReadReports));
  const store::Time now = options_.now();
  LOCKBOX_ASSIGN_OR_RETURN(auto keys, store_.ListKeysInState(store::KeyState::kDisclosed));
  std::vector<AwaitingRotation> out;
  for (store::RecoveryKey& key : keys) {
    AwaitingRotation a;
    LOCKBOX_ASSIGN_OR_RETURN(a.volume, store_.GetVolume(key.volume_id));
    LOCKBOX_ASSIGN_OR_RETURN(a.computer, store_.GetComputer(a.volume.computer_id));
    a.age_seconds = (now - key.state_changed_at.value_or(now)).count();
    a.key = std::move(key);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<RepeatedRecovery>> ReportService::RepeatedRecoveries(const Actor& actor) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kReadReports));
  store::AuditQuery query{.max_entries = 1000,
                          .since = options_.now() - options_.repeated_recovery_window,
                          .key_type = "recovery_password",
                          .result = "disclosed"};
  std::map<std::string, RepeatedRecovery> by_computer;
  while (true) {
    LOCKBOX_ASSIGN_OR_RETURN(const auto entries, store_.FindAudit(query));
    for (const store::AuditEntry& e : entries) {
      RepeatedRecovery& r = by_computer[e.computer];
      if (r.disclosures++ == 0) r.first = e.time;
      r.last = e.time;
    }
    if (entries.size() < query.max_entries) break;
    query.first = entries.back().sequence + 1;
  }
  std::vector<RepeatedRecovery> out;
  for (auto& [computer, r] : by_computer) {
    if (r.disclosures < options_.repeated_recovery_count) continue;
    r.computer = computer;
    r.computer_id = IdInAuditName(computer);
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RepeatedRecovery& a, const RepeatedRecovery& b) {
                     return a.disclosures > b.disclosures;
                   });
  return out;
}

}  // namespace lockbox::service
