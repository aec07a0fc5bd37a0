// Authenticator: everything about who the caller is, in one place for the HTTP layer.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto auth, auth::Authenticator::Create(store, audit_log, options));
//   // Browser: POST /login -> auth->accounts().Login(...), then auth->sessions().Start(login)
//   // Each request: cookie -> auth->sessions().Authenticate(...), CSRF header -> CheckCsrf(...)
//   // Scripts and agents: "Authorization: Bearer <token>" -> auth->AuthenticateBearer(...)
//
// Every result is a service::Actor, to be passed to the service as it is. docs/auth.md
// describes accounts, lockout, sessions, tokens and enrollment.
#pragma once

#include <memory>
#include <string_view>

#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "auth/api_tokens.h"
#include "auth/machines.h"
#include "auth/options.h"
#include "auth/sessions.h"
#include "store/store.h"

namespace lockbox::auth {

class Authenticator {
 public:
  // `store` and `log` must outlive the Authenticator. Fails when the password hash settings
  // are unusable.
  static Result<std::unique_ptr<Authenticator>> Create(store::Store& store, audit::AuditLog& log,
                                                       const AuthOptions& options);

  Accounts& accounts() { return *accounts_; }
  Sessions& sessions() { return sessions_; }
  ApiTokens& api_tokens() { return api_tokens_; }
  Machines& machines() { return machines_; }

  // A bearer token: an API token ("lbx_api_...") or a machine credential ("lbx_agt_..."),
  // told apart by its prefix. kUnauthenticated for anything else.
  Result<service::Actor> AuthenticateBearer(std::string_view token, std::string_view address);

 private:
  Authenticator(std::unique_ptr<Accounts> accounts, store::Store& store, audit::AuditLog& log,
                const AuthOptions& options)
      : accounts_(std::move(accounts)),
        sessions_(store, log, options),
        api_tokens_(store, log, options),
        machines_(store, log, options) {}

  std::unique_ptr<Accounts> accounts_;
  Sessions sessions_;
  ApiTokens api_tokens_;
  Machines machines_;
};

}  // namespace lockbox::auth
