// Internal to auth: who may administer accounts and credentials, and how each change is
// written to the audit log.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "service/roles.h"
#include "util/status.h"

namespace lockbox::auth::internal {

// Ok for an admin; kPermissionDenied naming `what` otherwise.
Status RequireAdmin(const service::Actor& actor, std::string_view what);

// What an audit entry about an administrative change says. Never a secret: names, roles,
// public ids and times only.
struct Change {
  std::string what;      // "user created", "API token revoked": the entry's reason
  std::string details;   // "alice, role helpdesk": the entry's result
  std::string end_user;  // the account concerned, if any
  std::string computer;  // the computer concerned, if any ("PC-07 (<guid>)")
};

// Appends `change` by `actor` at `now`. The change is already made; when the append fails the
// error says so, so the caller reports it rather than staying silent.
Status AuditChange(audit::AuditLog& log, const service::Actor& actor, store::Time now,
                   const Change& change);

}  // namespace lockbox::auth::internal
