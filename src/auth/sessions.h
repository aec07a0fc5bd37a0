// Sessions: signed-in browsers.
//
// After Accounts::Login, Start() issues a session token (the cookie; HttpOnly, Secure,
// SameSite=Strict, set by the HTTP layer) and a CSRF token (for the page to send back in a
// header with every state-changing request). Each later request presents the cookie to
// Authenticate(), and state-changing ones also pass the header to CheckCsrf(). The store
// keeps only SHA-256 hashes of both. A session ends at logout, on revocation, after
// session_idle_timeout without a request, or session_lifetime after sign-in, whichever comes
// first; changing or resetting a password or disabling the user ends all their sessions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "auth/options.h"
#include "crypto/secret.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::auth {

// What Start() hands out, once.
struct NewSession {
  std::string id;                  // public, for listing and revoking
  crypto::SecretBytes token;       // the cookie's value
  crypto::SecretBytes csrf_token;  // to be sent back in a header
  store::Time expires_at{};        // absolute; the cookie's Expires
};

// An authenticated request's session.
struct SessionInfo {
  service::Actor actor;
  std::string session_id;
  bool must_change_password = false;
  store::Time expires_at{};
  std::vector<uint8_t> csrf_hash;  // for CheckCsrf
};

// What a session may be used for: everything, or (when the password must be changed first)
// only changing the password and signing out.
enum class SessionUse { kAny, kChangePassword };

class Sessions {
 public:
  // `store` and `log` must outlive the Sessions.
  Sessions(store::Store& store, audit::AuditLog& log, const AuthOptions& options)
      : store_(store), log_(log), options_(options) {}

  // A new session for the user `login` signed in (from `login.actor.address`). Also removes
  // expired sessions of everyone.
  Result<NewSession> Start(const LoginResult& login);

  // The session whose token is `token`, seen now from `address`. kUnauthenticated when it is
  // unknown, expired or its user disabled; kPermissionDenied when the password must be
  // changed first and `use` is kAny.
  Result<SessionInfo> Authenticate(std::string_view token, std::string_view address,
                                   SessionUse use = SessionUse::kAny);

  // Ok when `csrf_token` is the session's (compared in constant time); kPermissionDenied
  // otherwise.
  Status CheckCsrf(const SessionInfo& session, std::string_view csrf_token) const;

  // Ends the session whose token is `token` (signing out). Ending an ended one is ok.
  Status Logout(std::string_view token);

  // The sessions of `user_name`: to the user themself or an admin.
  Result<std::vector<store::Session>> List(const service::Actor& actor, std::string_view user_name);
  // Ends session `session_id`: one's own, or anyone's for an admin (audited).
  Status Revoke(const service::Actor& actor, std::string_view session_id);

 private:
  // The stored session `token` names, if its hash matches.
  Result<store::Session> Find(std::string_view token);

  store::Store& store_;
  audit::AuditLog& log_;
  const AuthOptions options_;
};

}  // namespace lockbox::auth
