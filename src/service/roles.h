// Roles: who may do what in the escrow service.
//
// The HTTP layer checks roles per route; the service checks them again per operation
// (defence in depth), so a wrongly wired route still cannot disclose a secret. The whole
// policy is the table in roles.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::service {

enum class Role {
  kAdmin,
  kHelpdesk,          // recovery passwords, naming the end user
  kAdvancedHelpdesk,  // also key packages, TPM owner authorisation, retired keys
  kReportReader,      // key metadata and reports, never a secret
  kDataMigration,     // the migration operations only
  kSelfServiceUser,   // recovery passwords of their own computers
  kAgent,             // one computer's escrow reports
};

// The channel a request came through; recorded in the audit log.
enum class Source { kHelpdesk, kSelfService, kAgent, kApi, kMigration, kAgentTpmUnlock };

// "admin", "helpdesk", "advanced-helpdesk", "report-reader", "data-migration",
// "self-service", "agent".
std::string_view NameOf(Role role);
// "helpdesk", "self-service", "agent", "api", "migration", "agent TPM unlock".
std::string_view NameOf(Source source);
std::optional<Role> ParseRole(std::string_view name);

// Who is asking, as the HTTP layer authenticated them.
struct Actor {
  std::string name;  // account name ("contoso\\bob"), or the computer name for an agent
  Role role = Role::kReportReader;
  Source source = Source::kApi;
  std::string address;           // client address, for the audit log ("" when unknown)
  std::optional<Guid> computer;  // agents: the computer their credential belongs to
  std::string credential_id;     // agents: the id of that machine credential
  // Agents: that credential's last use as the store had it when it was checked (nullopt:
  // never used), so that a contact refreshes it only when the store would (daily).
  std::optional<store::Time> credential_last_used;
};

enum class Operation {
  kEscrow,                  // send an escrow report
  kRecoverPassword,         // read an active or disclosed recovery password
  kRecoverRetiredPassword,  // read a retired (replaced) recovery password: history
  kRecoverKeyPackage,
  kRecoverTpmOwnerAuth,
  kListKeys,          // key metadata of a computer (no secrets)
  kBrowseComputers,   // search the computer directory, see a computer's details (no secrets)
  kListOwnComputers,  // a self-service user's own computers and their volumes
  kForceRotation,
  kMigrate,
  kAgentTpmUnlock,  // an agent fetching its own TPM owner authorisation
  kReadAudit,       // read and verify the audit log (no secrets)
  kReadReports,     // the compliance and recovery reports (no secrets)
};

// Ok, or kPermissionDenied saying which role may not do what.
Status Authorize(const Actor& actor, Operation operation);

// An audit entry with the actor's fields and `now` filled in.
store::AuditEntry NewAuditEntry(const Actor& actor, store::Time now);

}  // namespace lockbox::service
