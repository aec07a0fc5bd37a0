#include "service/admin_audit.h"

namespace lockbox::service {

Status RequireAdmin(const Actor& actor, std::string_view what) {
  if (actor.role == Role::kAdmin) return Status::Ok();
  return Status::PermissionDenied("only an admin may " + std::string(what) + "; the role " +
                                  std::string(NameOf(actor.role)) + " may not");
}

Status AuditAdminChange(audit::AuditLog& log, const Actor& actor, store::Time now,
                        const AdminChange& change) {
  store::AuditEntry entry = NewAuditEntry(actor, now);
  entry.reason = change.what;
  entry.result = change.details;
  entry.end_user = change.end_user;
  entry.computer = change.computer;
  const auto appended = log.Append(entry);
  if (appended.ok()) return Status::Ok();
  return appended.status().WithContext(change.what +
                                       " was done, but the audit log could not be written");
}

}  // namespace lockbox::service
