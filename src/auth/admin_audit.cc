#include "auth/admin_audit.h"

namespace lockbox::auth::internal {

Status RequireAdmin(const service::Actor& actor, std::string_view what) {
  if (actor.role == service::Role::kAdmin) return Status::Ok();
  return Status::PermissionDenied("only an admin may " + std::string(what) + "; the role " +
                                  std::string(service::NameOf(actor.role)) + " may not");
}

Status AuditChange(audit::AuditLog& log, const service::Actor& actor, store::Time now,
                   const Change& change) {
  store::AuditEntry entry = service::NewAuditEntry(actor, now);
  entry.reason = change.what;
  entry.result = change.details;
  entry.end_user = change.end_user;
  entry.computer = change.computer;
  const auto appended = log.Append(entry);
  if (appended.ok()) return Status::Ok();
  return appended.status().WithContext(change.what +
                                       " was done, but the audit log could not be written");
}

}  // namespace lockbox::auth::internal
