// Compliance: whether a computer's BitLocker volumes meet the organisation's policy, and why
// not. The policy ([compliance] in the config) names the encryption methods allowed and the
// protectors each drive type must have; a volume is compliant when it is fully encrypted,
// protection is on, its method is allowed, it has every required protector, and a recovery
// password of it is escrowed (active or disclosed, and not found to differ from the volume's
// metadata). A computer is compliant when all its volumes are, unknown while it has reported
// none.
//
//   const CompliancePolicy& policy = options.compliance;
//   VolumeCompliance v = EvaluateVolume(policy, volume, keys);  // v.reasons says what is wrong
//
// ComplianceService puts this over the store: one computer (the computer page), or every
// computer (the enterprise report), which also records the day's counts for the trend.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "service/directory.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::service {

// One required protector: any one of these types satisfies it ("tpm" or "tpm_pin").
using ProtectorRequirement = std::vector<store::ProtectorType>;

struct CompliancePolicy {
  // The encryption methods allowed, as Windows names them ("XTS-AES 256"); empty: any.
  std::vector<std::string> encryption_methods;
  // The protectors a volume of each type must have.
  std::vector<ProtectorRequirement> os_protectors = {
      {store::ProtectorType::kTpm, store::ProtectorType::kTpmPin,
       store::ProtectorType::kTpmStartupKey, store::ProtectorType::kTpmPinStartupKey},
      {store::ProtectorType::kRecoveryPassword}};
  std::vector<ProtectorRequirement> fixed_protectors = {{store::ProtectorType::kRecoveryPassword}};
  std::vector<ProtectorRequirement> removable_protectors = {
      {store::ProtectorType::kRecoveryPassword}};
};

// "tpm|tpm_pin" as a requirement; kInvalidArgument naming the unknown type otherwise.
Result<ProtectorRequirement> ParseProtectorRequirement(std::string_view text);

enum class ComplianceState { kCompliant, kNoncompliant, kUnknown };
std::string_view NameOf(ComplianceState state);  // "compliant", "noncompliant", "unknown"

struct VolumeCompliance {
  store::Volume volume;
  ComplianceState state = ComplianceState::kCompliant;
  std::vector<std::string> reasons;  // what is wrong, in words a person acts on; empty if none
};

struct ComputerCompliance {
  store::Computer computer;
  ComplianceState state = ComplianceState::kUnknown;
  std::vector<VolumeCompliance> volumes;
};

// `keys` are the volume's recovery keys (any state).
VolumeCompliance EvaluateVolume(const CompliancePolicy& policy, const store::Volume& volume,
                                const std::vector<store::RecoveryKey>& keys);
ComputerCompliance EvaluateComputer(const CompliancePolicy& policy, const ComputerRecord& record);

struct ComplianceReport {
  store::ComplianceSnapshot today;               // the counts now
  std::vector<store::ComplianceSnapshot> trend;  // one a day, oldest first, today's last
  std::vector<ComputerCompliance> noncompliant;  // by name
};

class ComplianceService {
 public:
  // `store` must outlive the service; `now` is the clock.
  ComplianceService(store::Store& store, CompliancePolicy policy, std::function<store::Time()> now)
      : store_(store), directory_(store), policy_(std::move(policy)), now_(std::move(now)) {}

  // One computer, per volume (admin, advanced helpdesk, report reader). kNotFound.
  Result<ComputerCompliance> OfComputer(const Actor& actor, const Guid& computer_id);
  // Every computer (admin, report reader), with the trend of the last `trend_days` days.
  // Records today's counts in the store (the last report of a day stands for that day): the
  // trend has a point for each day the report was made.
  Result<ComplianceReport> Report(const Actor& actor, int trend_days);

 private:
  store::Store& store_;
  DirectoryService directory_;
  const CompliancePolicy policy_;
  const std::function<store::Time()> now_;
};

}  // namespace lockbox::service
