#include "service/roles.h"

#include <array>
#include <utility>

namespace lockbox::service {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 7> kRoleNames = {{
    {Role::kAdmin, "admin"},
    {Role::kHelpdesk, "helpdesk"},
    {Role::kAdvancedHelpdesk, "advanced-helpdesk"},
    {Role::kReportReader, "report-reader"},
    {Role::kDataMigration, "data-migration"},
    {Role::kSelfServiceUser, "self-service"},
    {Role::kAgent, "agent"},
}};

std::string_view OperationName(Operation operation) {
  switch (operation) {
    case Operation::kEscrow:
      return "send escrow reports";
    case Operation::kRecoverPassword:
      return "read recovery passwords";
    case Operation::kRecoverRetiredPassword:
      return "read retired recovery passwords";
    case Operation::kRecoverKeyPackage:
      return "read key packages";
    case Operation::kRecoverTpmOwnerAuth:
      return "read TPM owner authorisation";
    case Operation::kListKeys:
      return "list a computer's keys";
    case Operation::kBrowseComputers:
      return "browse the computer directory";
    case Operation::kListOwnComputers:
      return "list their own computers";
    case Operation::kForceRotation:
      return "force key rotation";
    case Operation::kMigrate:
      return "migrate data";
    case Operation::kAgentTpmUnlock:
      return "fetch its TPM owner authorisation";
    case Operation::kReadAudit:
      return "read the audit log";
    case Operation::kReadReports:
      return "read reports";
  }
  return "do this";
}

bool Permits(Role role, Operation operation) {
  switch (operation) {
    case Operation::kEscrow:
    case Operation::kAgentTpmUnlock:
      return role == Role::kAgent;
    case Operation::kRecoverPassword:
      return role == Role::kAdmin || role == Role::kHelpdesk || role == Role::kAdvancedHelpdesk ||
             role == Role::kSelfServiceUser;
    case Operation::kRecoverRetiredPassword:
    case Operation::kRecoverKeyPackage:
    case Operation::kRecoverTpmOwnerAuth:
      return role == Role::kAdmin || role == Role::kAdvancedHelpdesk;
    case Operation::kListKeys:
    case Operation::kBrowseComputers:
      return role == Role::kAdmin || role == Role::kAdvancedHelpdesk || role == Role::kReportReader;
    case Operation::kListOwnComputers:
      return role == Role::kSelfServiceUser;
    case Operation::kForceRotation:
      return role == Role::kAdmin;
    case Operation::kMigrate:
      return role == Role::kAdmin || role == Role::kDataMigration;
    case Operation::kReadAudit:
    case Operation::kReadReports:
      return role == Role::kAdmin || role == Role::kReportReader;
  }
  return false;
}

}  // namespace

std::string_view NameOf(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::string_view NameOf(Source source) {
  switch (source) {
    case Source::kHelpdesk:
      return "helpdesk";
    case Source::kSelfService:
      return "self-service";
    case Source::kAgent:
      return "agent";
    case Source::kApi:
      return "api";
    case Source::kMigration:
      return "migration";
    case Source::kAgentTpmUnlock:
      return "agent TPM unlock";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [role, role_name] : kRoleNames) {
    if (role_name == name) return role;
  }
  return std::nullopt;
}

Status Authorize(const Actor& actor, Operation operation) {
  if (Permits(actor.role, operation)) return Status::Ok();
  return Status::PermissionDenied("the role " + std::string(NameOf(actor.role)) + " may not " +
                                  std::string(OperationName(operation)));
}

store::AuditEntry NewAuditEntry(const Actor& actor, store::Time now) {
  store::AuditEntry entry;
  entry.time = now;
  entry.actor = actor.name;
  entry.role = NameOf(actor.role);
  entry.source = NameOf(actor.source);
  if (!actor.address.empty()) entry.source += " from " + actor.address;
  return entry;
}

}  // namespace lockbox::service
