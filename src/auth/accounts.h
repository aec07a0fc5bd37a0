// Accounts: local users, their passwords, sign-in with lockout and rate limits.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto accounts, auth::Accounts::Create(store, audit_log, options));
//   LOCKBOX_ASSIGN_OR_RETURN(auth::LoginResult login, accounts->Login(name, password, address));
//   // login.actor goes to the service; login.must_change_password limits the session.
//
// A person signs in with a password (argon2id, password_hash.h); a service account has no
// password and acts only through API tokens (api_tokens.h). When AuthOptions::directory is
// set, names no local account has are signed in by Active Directory instead
// (docs/ad-sign-in.md): such an account is kept in the store without a password, its role
// brought up to date from its AD groups at each sign-in. Every administrative change is
// done by an admin Actor and written to the audit log. Sign-in failures say the same thing
// whether the user exists, the password is wrong, or the account is locked or disabled, and
// take the same time (an unknown user is checked against a dummy hash).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "auth/options.h"
#include "crypto/secret.h"
#include "service/rate_limiter.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::auth {

// The message of every failed sign-in.
inline constexpr std::string_view kLoginFailed =
    "the user name or password is wrong, or the account is locked or disabled: check them, "
    "wait a few minutes, or ask an administrator";

// A user name as stored: ASCII lower case, 1 to 64 characters of letters, digits and . _ - @
// \ starting with a letter or digit ("contoso\\alice", "bob@contoso.example").
// kInvalidArgument otherwise, saying why.
Result<std::string> NormalizeUserName(std::string_view name);

// A random password for a new account or a reset, to be changed at first sign-in: 20
// characters in groups of 5 ("k7mpq-..."), without look-alike characters; 100 bits.
Result<crypto::SecretBytes> OneTimePassword();

struct NewUser {
  std::string name;
  std::string display_name;
  service::Role role = service::Role::kHelpdesk;
};

struct LoginResult {
  service::Actor actor;  // name, role, source (helpdesk or self-service), address
  // Set for a new account or after a reset: the session may only change the password.
  bool must_change_password = false;
};

// The Actor a user acts as when signed in with a password (or a session) from `address`.
service::Actor ActorOf(const store::User& user, std::string_view address);

class Accounts {
 public:
  // Checks the password hash parameters by computing the dummy hash unknown users are
  // verified against (one argon2id run). `store` and `log` must outlive the Accounts.
  static Result<std::unique_ptr<Accounts>> Create(store::Store& store, audit::AuditLog& log,
                                                  const AuthOptions& options);

  // The first admin, for `lockbox init`: creates `name` with a random one-time password
  // (returned here only) that must be changed at first sign-in. kAlreadyExists when any admin
  // exists. Audited as done by "lockbox init".
  Result<crypto::SecretBytes> CreateFirstAdmin(std::string_view name);

  // --- Administration (an admin Actor; kPermissionDenied otherwise; each change audited).
  // A person with `initial_password` set by the admin, to be changed at first sign-in.
  Result<store::User> CreateUser(const service::Actor& admin, const NewUser& user,
                                 const crypto::SecretBytes& initial_password);
  // A service account: no password, signs in only with API tokens.
  Result<store::User> CreateServiceAccount(const service::Actor& admin, const NewUser& user);
  Status SetRole(const service::Actor& admin, std::string_view name, service::Role role);
  Status SetDisplayName(const service::Actor& admin, std::string_view name,
                        std::string_view display_name);
  // Disabling ends the user's sessions; their API tokens stop working while disabled.
  Status SetDisabled(const service::Actor& admin, std::string_view name, bool disabled);
  // A new password set by an admin: unlocks, ends sessions, must be changed at next sign-in.
  Status ResetPassword(const service::Actor& admin, std::string_view name,
                       const crypto::SecretBytes& new_password);
  // Clears a lockout before its time.
  Status Unlock(const service::Actor& admin, std::string_view name);
  Result<std::vector<store::User>> ListUsers(const service::Actor& admin);

  // --- The user themself.
  // Signs in. kRateLimited beyond the per-user or per-address limits; kUnauthenticated with
  // kLoginFailed for every other refusal.
  Result<LoginResult> Login(std::string_view name, const crypto::SecretBytes& password,
                            std::string_view address);
  // Changes the user's password after checking the current one as Login does (same limits,
  // lockout and message). Ends all the user's sessions: the caller starts a new one.
  Status ChangePassword(std::string_view name, const crypto::SecretBytes& current_password,
                        const crypto::SecretBytes& new_password, std::string_view address);

 private:
  Accounts(store::Store& store, audit::AuditLog& log, const AuthOptions& options,
           std::string dummy_hash);

  // The user `name` if `password` is theirs, after the rate limits and lockout; else the
  // failure (failures counted, lockout audited).
  Result<store::User> CheckPassword(std::string_view name, const crypto::SecretBytes& password,
                                    std::string_view address);
  // CheckPassword for a name no local account has, when sign-in with Active Directory is
  // configured: the directory checks the password and gives the role, and the account is
  // added to the store (or its role brought up to date) for sessions and tokens to find.
  Result<store::User> CheckDirectoryPassword(std::string_view typed,
                                             const crypto::SecretBytes& password,
                                             std::string_view address);
  // Ok for a local account (or no account); kInvalidArgument saying `what` to do instead for
  // an Active Directory account.
  Status RequireLocalAccount(std::string_view name, std::string_view what);
  // kInvalidArgument when `password` breaks the policy.
  Status CheckNewPassword(std::string_view name, const crypto::SecretBytes& password) const;
  Result<store::User> Insert(const service::Actor& actor, const NewUser& user,
                             const crypto::SecretBytes* password);
  // Loads `name`, lets `change` edit it, stores it and audits `what` with `details`.
  Status Update(const service::Actor& admin, std::string_view name, std::string_view what,
                const std::function<std::string(store::User&)>& change);

  store::Store& store_;
  audit::AuditLog& log_;
  const AuthOptions options_;
  const std::string dummy_hash_;
  service::RateLimiter per_user_;
  service::RateLimiter per_address_;
};

}  // namespace lockbox::auth
