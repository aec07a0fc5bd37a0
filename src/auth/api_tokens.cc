#include "auth/api_tokens.h"

#include "auth/accounts.h"
#include "auth/credential_checks.h"
#include "auth/token.h"
#include "service/admin_audit.h"

namespace lockbox::auth {

using service::Role;

bool RoleWithin(Role role, Role owner) {
  if (role == owner) return true;
  switch (owner) {
    case Role::kAdmin:
      return role == Role::kAdvancedHelpdesk || role == Role::kHelpdesk ||
             role == Role::kReportReader;
    case Role::kAdvancedHelpdesk:
      return role == Role::kHelpdesk || role == Role::kReportReader;
    case Role::kHelpdesk:
    case Role::kReportReader:
    case Role::kDataMigration:
    case Role::kSelfServiceUser:
    case Role::kAgent:
      return false;
  }
  return false;
}

Result<NewApiToken> ApiTokens::Create(const service::Actor& admin, std::string_view owner,
                                      Role role, std::chrono::seconds lifetime,
                                      std::string_view description) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "create API tokens"));
  LOCKBOX_RETURN_IF_ERROR(
      internal::CheckLifetime("an API token", lifetime, options_.max_api_token_lifetime));
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the description", description));
  LOCKBOX_ASSIGN_OR_RETURN(const std::string owner_name, NormalizeUserName(owner));
  LOCKBOX_ASSIGN_OR_RETURN(const store::User user, store_.GetUser(owner_name));
  const Role owner_role = service::ParseRole(user.role).value_or(Role::kReportReader);
  if (!RoleWithin(role, owner_role)) {
    return Status::PermissionDenied(
        "a token may not have more rights than its owner: " + user.name + " is " + user.role +
        ", which does not cover " + std::string(service::NameOf(role)));
  }
  if (user.disabled) {
    return Status::InvalidArgument(user.name + " is disabled: enable the account first");
  }
  LOCKBOX_ASSIGN_OR_RETURN(IssuedToken token, NewToken(TokenKind::kApi));
  const store::Time now = options_.now();
  NewApiToken out{.record = {.id = token.id,
                             .token_hash = token.hash,
                             .user_name = user.name,
                             .role = std::string(service::NameOf(role)),
                             .description = std::string(description),
                             .created_by = admin.name,
                             .created_at = now,
                             .expires_at = now + lifetime,
                             .revoked_at = std::nullopt,
                             .last_used = std::nullopt},
                  .token = std::move(token.text)};
  LOCKBOX_RETURN_IF_ERROR(store_.CreateApiToken(out.record));
  LOCKBOX_RETURN_IF_ERROR(service::AuditAdminChange(
      log_, admin, now,
      {.what = "API token created",
       .details = "token " + out.record.id + " for " + user.name + ", role " + out.record.role +
                  ", expires " + FormatUtc(out.record.expires_at) + ", \"" +
                  out.record.description + "\"",
       .end_user = user.name,
       .computer = ""}));
  return out;
}

Result<service::Actor> ApiTokens::Authenticate(std::string_view token, std::string_view address) {
  LOCKBOX_ASSIGN_OR_RETURN(const std::string id, TokenId(TokenKind::kApi, token));
  const store::Time now = options_.now();
  auto record = store_.GetApiToken(id);
  LOCKBOX_RETURN_IF_ERROR(internal::CheckPresented("API token", record, token, now));
  // The owner as they are now.
  LOCKBOX_ASSIGN_OR_RETURN(const store::User user, store_.GetUser(record->user_name));
  const auto role = service::ParseRole(record->role);
  const Role owner_role = service::ParseRole(user.role).value_or(Role::kReportReader);
  if (user.disabled || !role || !RoleWithin(*role, owner_role)) {
    return Status::Unauthenticated("API token " + id + " no longer works: its owner " + user.name +
                                   " is disabled or no longer has the role " + record->role +
                                   "; ask an administrator for a new token");
  }
  if (internal::DueForTouch(record->last_used, now)) {
    LOCKBOX_RETURN_IF_ERROR(store_.TouchApiToken(id, now));
  }
  return service::Actor{.name = user.name,
                        .role = *role,
                        .source = service::Source::kApi,
                        .address = std::string(address),
                        .computer = std::nullopt,
                        .credential_id = "",
                        .credential_last_used = std::nullopt};
}

Status ApiTokens::Revoke(const service::Actor& admin, std::string_view id) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "revoke API tokens"));
  const store::Time now = options_.now();
  LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome outcome, store_.RevokeApiToken(id, now));
  if (outcome == store::WriteOutcome::kUnchanged) return Status::Ok();
  LOCKBOX_ASSIGN_OR_RETURN(const store::ApiToken record, store_.GetApiToken(id));
  return service::AuditAdminChange(log_, admin, now,
                                   {.what = "API token revoked",
                                    .details = "token " + record.id + " of " + record.user_name,
                                    .end_user = record.user_name,
                                    .computer = ""});
}

Result<std::vector<store::ApiToken>> ApiTokens::List(const service::Actor& admin) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "list API tokens"));
  return store_.ListApiTokens();
}

}  // namespace lockbox::auth
