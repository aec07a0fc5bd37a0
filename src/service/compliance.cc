#include "service/compliance.h"

#include <algorithm>

namespace lockbox::service {
namespace {

using store::ConversionStatus;
using store::KeyState;
using store::ProtectionStatus;
using store::ProtectorType;
using store::VolumeType;

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;

std::string RequirementName(const ProtectorRequirement& requirement) {
  std::string name;
  for (ProtectorType type : requirement) {
    name += (name.empty() ? "" : " or ") + std::string(store::NameOf(type));
  }
  return name;
}

const std::vector<ProtectorRequirement>& RequirementsOf(const CompliancePolicy& policy,
                                                        VolumeType type) {
  switch (type) {
    case VolumeType::kOperatingSystem:
      return policy.os_protectors;
    case VolumeType::kFixed:
      return policy.fixed_protectors;
    case VolumeType::kRemovable:
      return policy.removable_protectors;
  }
  return policy.fixed_protectors;
}

store::Time Midnight(store::Time t) {
  const int64_t seconds = t.time_since_epoch().count();
  return store::Time(std::chrono::seconds(seconds - seconds % kSecondsPerDay));
}

}  // namespace

Result<ProtectorRequirement> ParseProtectorRequirement(std::string_view text) {
  ProtectorRequirement requirement;
  while (true) {
    const size_t bar = text.find('|');
    const std::string_view name = text.substr(0, bar);
    const auto type = store::Parse<ProtectorType>(name);
    if (!type) {
      return Status::InvalidArgument(
          "\"" + std::string(name) +
          "\" is not a protector type: use tpm, tpm_pin, tpm_startup_key, tpm_pin_startup_key, "
          "recovery_password, external_key, password, public_key, tpm_network_key or "
          "ad_account, several joined by | when any one will do");
    }
    requirement.push_back(*type);
    if (bar == std::string_view::npos) return requirement;
    text.remove_prefix(bar + 1);
  }
}

std::string_view NameOf(ComplianceState state) {
  switch (state) {
    case ComplianceState::kCompliant:
      return "compliant";
    case ComplianceState::kNoncompliant:
      return "noncompliant";
    case ComplianceState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

VolumeCompliance EvaluateVolume(const CompliancePolicy& policy, const store::Volume& volume,
                                const std::vector<store::RecoveryKey>& keys) {
  VolumeCompliance out{.volume = volume, .state = ComplianceState::kCompliant, .reasons = {}};
  if (volume.conversion != ConversionStatus::kEncrypted) {
    out.reasons.push_back("not fully encrypted (" + std::string(store::NameOf(volume.conversion)) +
                          ")");
  }
  if (volume.protection != ProtectionStatus::kOn) {
    out.reasons.push_back("protection is " + std::string(store::NameOf(volume.protection)));
  }
  const auto& methods = policy.encryption_methods;
  if (volume.conversion != ConversionStatus::kDecrypted && !methods.empty() &&
      std::find(methods.begin(), methods.end(), volume.encryption_method) == methods.end()) {
    out.reasons.push_back("encryption method " +
                          (volume.encryption_method.empty() ? std::string("not reported")
                                                            : volume.encryption_method) +
                          " is not allowed");
  }
  for (const ProtectorRequirement& requirement : RequirementsOf(policy, volume.type)) {
    const bool present = std::any_of(
        volume.protectors.begin(), volume.protectors.end(), [&](const store::Protector& p) {
          return std::find(requirement.begin(), requirement.end(), p.type) != requirement.end();
        });
    if (!present) out.reasons.push_back("no " + RequirementName(requirement) + " protector");
  }
  // The escrow that counts: a live key of one of the volume's recovery-password protectors.
  bool escrowed = false;
  bool mismatch = false;
  for (const store::RecoveryKey& key : keys) {
    const bool on_volume = std::any_of(
        volume.protectors.begin(), volume.protectors.end(), [&](const store::Protector& p) {
          return p.id == key.key_id && p.type == ProtectorType::kRecoveryPassword;
        });
    if (!on_volume || key.state == KeyState::kRetired) continue;
    if (key.verification == store::Verification::kMismatch) {
      mismatch = true;
    } else {
      escrowed = true;
    }
  }
  if (!escrowed) {
    out.reasons.push_back(mismatch ? "the escrowed recovery password does not open the volume"
                                   : "no recovery password escrowed");
  }
  if (!out.reasons.empty()) out.state = ComplianceState::kNoncompliant;
  return out;
}

ComputerCompliance EvaluateComputer(const CompliancePolicy& policy, const ComputerRecord& record) {
  ComputerCompliance out{
      .computer = record.computer,
      .state = record.volumes.empty() ? ComplianceState::kUnknown : ComplianceState::kCompliant,
      .volumes = {}};
  for (const VolumeRecord& v : record.volumes) {
    out.volumes.push_back(EvaluateVolume(policy, v.volume, v.keys));
    if (out.volumes.back().state == ComplianceState::kNoncompliant) {
      out.state = ComplianceState::kNoncompliant;
    }
  }
  return out;
}

Result<ComputerCompliance> ComplianceService::OfComputer(const Actor& actor,
                                                         const Guid& computer_id) {
  LOCKBOX_ASSIGN_OR_RETURN(const ComputerRecord record,
                           directory_.ComputerDetails(actor, computer_id));
  return EvaluateComputer(policy_, record);
}

Result<ComplianceReport> ComplianceService::Report(const Actor& actor, int trend_days) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kReadReports));
  constexpr size_t kPage = 500;
  const store::Time today = Midnight(now_());
  ComplianceReport report;
  report.today.day = today;
  std::optional<Guid> after;
  while (true) {
    LOCKBOX_ASSIGN_OR_RETURN(const auto page, store_.ListComputers(after, kPage));
    for (const store::Computer& computer : page) {
      LOCKBOX_ASSIGN_OR_RETURN(const ComputerRecord record,
                               directory_.ComputerDetails(actor, computer.id));
      ComputerCompliance c = EvaluateComputer(policy_, record);
      switch (c.state) {
        case ComplianceState::kCompliant:
          ++report.today.compliant;
          break;
        case ComplianceState::kUnknown:
          ++report.today.unknown;
          break;
        case ComplianceState::kNoncompliant:
          ++report.today.noncompliant;
          report.noncompliant.push_back(std::move(c));
          break;
      }
    }
    if (page.size() < kPage) break;
    after = page.back().id;
  }
  std::sort(report.noncompliant.begin(), report.noncompliant.end(),
            [](const ComputerCompliance& a, const ComputerCompliance& b) {
              return a.computer.name < b.computer.name;
            });
  LOCKBOX_RETURN_IF_ERROR(store_.RecordCompliance(report.today));
  LOCKBOX_ASSIGN_OR_RETURN(
      report.trend, store_.ListCompliance(
                        today - std::chrono::seconds(int64_t{trend_days - 1} * kSecondsPerDay)));
  return report;
}

}  // namespace lockbox::service
