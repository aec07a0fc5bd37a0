// ApiTokens: bearer tokens for scripts and integrations ("Authorization: Bearer lbx_api_...").
//
// An admin creates a token for a user or a service account, with a role no greater than the
// owner's (RoleWithin) and an expiry; the token's text is returned once and only its SHA-256
// is stored (token.h). A token acts as its owner with its own role, and stops working when it
// expires, is revoked, its owner is disabled, or its owner's role no longer covers it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "auth/options.h"
#include "crypto/secret.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::auth {

// Whether a credential of role `role` may be given to an owner of role `owner`: the same
// role, or one that may do only a part of what the owner may (admin: advanced-helpdesk,
// helpdesk, report-reader; advanced-helpdesk: helpdesk, report-reader). Self-service,
// data-migration and agent delegate only themselves.
bool RoleWithin(service::Role role, service::Role owner);

struct NewApiToken {
  store::ApiToken record;     // hash, not the token
  crypto::SecretBytes token;  // the text, shown once
};

class ApiTokens {
 public:
  // `store` and `log` must outlive the ApiTokens.
  ApiTokens(store::Store& store, audit::AuditLog& log, const AuthOptions& options)
      : store_(store), log_(log), options_(options) {}

  // An admin creates a token for `owner` acting as `role`, valid for `lifetime` (at most
  // max_api_token_lifetime). Audited.
  Result<NewApiToken> Create(const service::Actor& admin, std::string_view owner,
                             service::Role role, std::chrono::seconds lifetime,
                             std::string_view description);
  // The Actor (source api) a request presenting `token` from `address` acts as.
  // kUnauthenticated otherwise, saying why only once the token's secret matched.
  Result<service::Actor> Authenticate(std::string_view token, std::string_view address);
  Status Revoke(const service::Actor& admin, std::string_view id);  // audited
  Result<std::vector<store::ApiToken>> List(const service::Actor& admin);

 private:
  store::Store& store_;
  audit::AuditLog& log_;
  const AuthOptions options_;
};

}  // namespace lockbox::auth
