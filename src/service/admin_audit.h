// Administrative changes (accounts and credentials in auth, runtime settings here): who may
// make them, and how each one is written to the audit log.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "service/roles.h"
#include "util/status.h"

namespace lockbox::service {

// Ok for an admin; kPermissionDenied naming `what` otherwise.
Status RequireAdmin(const Actor& actor, std::string_view what);

// What an audit entry about an administrative change says. Never a secret: names, roles,
// public ids and times only.
struct AdminChange {
  std::string what;      // "user created", "API token revoked": the entry's reason
  std::string details;   // "alice, role helpdesk": the entry's result
  std::string end_user;  // the account concerned, if any
  std::string computer;  // the computer concerned, if any ("PC-07 (<guid>)")
};

// Appends `change` by `actor` at `now`. The change is already made; when the append fails the
// error says so, so the caller reports it rather than staying silent.
Status AuditAdminChange(audit::AuditLog& log, const Actor& actor, store::Time now,
                        const AdminChange& change);

}  // namespace lockbox::service
