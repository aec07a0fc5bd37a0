#include "auth/accounts.h"

#include <cctype>

#include "auth/credential_checks.h"
#include "auth/directory_sign_in.h"
#include "auth/password_hash.h"
#include "crypto/random.h"
#include "service/admin_audit.h"

namespace lockbox::auth {
namespace {

// One-time passwords: 20 characters from an alphabet without look-alikes (0/O, 1/l/I), in
// groups of 5 so they can be read out: 100 bits.
constexpr std::string_view kOneTimeAlphabet = "abcdefghijkmnopqrstuvwxyz23456789";
constexpr size_t kOneTimeGroups = 4;
constexpr size_t kOneTimeGroupLength = 5;
static_assert(kOneTimeAlphabet.size() == 33);

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Compared in place, so no copy of the password is left in ordinary memory.
bool EqualsIgnoringAsciiCase(const crypto::SecretBytes& password, std::string_view lower) {
  if (password.size() != lower.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (LowerAscii(static_cast<char>(password[i])) != lower[i]) return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
         c == '@' || c == '\\';
}

// People sign in; agents use machine credentials and never have accounts.
Status CheckAccountRole(service::Role role) {
  if (role == service::Role::kAgent) {
    return Status::InvalidArgument(
        "the role agent belongs to enrolled machines, not to accounts: choose another role");
  }
  return Status::Ok();
}

std::string RoleName(service::Role role) { return std::string(service::NameOf(role)); }

// A new account as stored: no password, never signed in, created `now`.
store::User NewRecord(std::string name, std::string display_name, std::string role,
                      store::Time now) {
  return {.name = std::move(name),
          .display_name = std::move(display_name),
          .role = std::move(role),
          .service_account = false,
          .password_hash = "",
          .must_change_password = false,
          .disabled = false,
          .failed_logins = 0,
          .locked_until = std::nullopt,
          .last_login = std::nullopt,
          .created_at = now,
          .password_changed_at = std::nullopt,
          .directory = ""};
}

// Who `lockbox init` is in the audit log.
service::Actor InitActor() {
  return {.name = "lockbox init",
          .role = service::Role::kAdmin,
          .source = service::Source::kApi,
          .address = "",
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

}  // namespace

Result<crypto::SecretBytes> OneTimePassword() {
  constexpr size_t kLength = kOneTimeGroups * (kOneTimeGroupLength + 1) - 1;
  crypto::SecretBytes password(kLength);
  for (size_t i = 0; i < kLength; ++i) {
    if (i % (kOneTimeGroupLength + 1) == kOneTimeGroupLength) {
      password[i] = '-';
      continue;
    }
    // Rejection sampling: bytes >= 231 (7 * 33) would favour the first letters.
    crypto::SecretBytes byte(1);
    do {
      LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(byte.span()));
    } while (byte[0] >= 7 * kOneTimeAlphabet.size());
    password[i] = static_cast<uint8_t>(kOneTimeAlphabet[byte[0] % kOneTimeAlphabet.size()]);
  }
  return password;
}

Result<std::string> NormalizeUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("a user name has 1 to 64 characters; this one has " +
                                   std::to_string(name.size()));
  }
  std::string out(name);
  for (char& c : out) {
    c = LowerAscii(c);
    if (!IsNameChar(c)) {
      return Status::InvalidArgument(
          "a user name may hold only letters a-z, digits and . _ - @ \\: remove the others");
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(out[0]))) {
    return Status::InvalidArgument("a user name starts with a letter or digit");
  }
  return out;
}

service::Actor ActorOf(const store::User& user, std::string_view address) {
  const service::Role role = service::ParseRole(user.role).value_or(service::Role::kReportReader);
  return {.name = user.name,
          .role = role,
          .source = role == service::Role::kSelfServiceUser ? service::Source::kSelfService
                                                            : service::Source::kHelpdesk,
          .address = std::string(address),
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

Result<std::unique_ptr<Accounts>> Accounts::Create(store::Store& store, audit::AuditLog& log,
                                                   const AuthOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes random, OneTimePassword());
  LOCKBOX_ASSIGN_OR_RETURN(std::string dummy, HashPassword(random, options.password_hash));
  return std::unique_ptr<Accounts>(new Accounts(store, log, options, std::move(dummy)));
}

Accounts::Accounts(store::Store& store, audit::AuditLog& log, const AuthOptions& options,
                   std::string dummy_hash)
    : store_(store),
      log_(log),
      options_(options),
      dummy_hash_(std::move(dummy_hash)),
      per_user_(options.login_attempts_per_user, options.login_window),
      per_address_(options.login_attempts_per_address, options.login_window) {}

Result<crypto::SecretBytes> Accounts::CreateFirstAdmin(std::string_view name) {
  LOCKBOX_ASSIGN_OR_RETURN(const auto users, store_.ListUsers());
  for (const store::User& user : users) {
    if (user.role == service::NameOf(service::Role::kAdmin)) {
      return Status::AlreadyExists("the store already has an admin (" + user.name +
                                   "): sign in as them to create more accounts");
    }
  }
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes password, OneTimePassword());
  const NewUser admin{
      .name = std::string(name), .display_name = "Administrator", .role = service::Role::kAdmin};
  LOCKBOX_RETURN_IF_ERROR(Insert(InitActor(), admin, &password));
  return password;
}

Result<store::User> Accounts::CreateUser(const service::Actor& admin, const NewUser& user,
                                         const crypto::SecretBytes& initial_password) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "create users"));
  return Insert(admin, user, &initial_password);
}

Result<store::User> Accounts::CreateServiceAccount(const service::Actor& admin,
                                                   const NewUser& user) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "create service accounts"));
  return Insert(admin, user, nullptr);
}

Result<store::User> Accounts::Insert(const service::Actor& actor, const NewUser& user,
                                     const crypto::SecretBytes* password) {
  LOCKBOX_ASSIGN_OR_RETURN(std::string name, NormalizeUserName(user.name));
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the display name", user.display_name));
  LOCKBOX_RETURN_IF_ERROR(CheckAccountRole(user.role));
  const store::Time now = options_.now();
  store::User record = NewRecord(name, user.display_name, RoleName(user.role), now);
  record.service_account = password == nullptr;
  record.must_change_password = password != nullptr;
  if (password != nullptr) {
    LOCKBOX_RETURN_IF_ERROR(CheckNewPassword(name, *password));
    LOCKBOX_ASSIGN_OR_RETURN(record.password_hash, HashPassword(*password, options_.password_hash));
    record.password_changed_at = now;
  }
  LOCKBOX_RETURN_IF_ERROR(store_.CreateUser(record));
  LOCKBOX_RETURN_IF_ERROR(service::AuditAdminChange(
      log_, actor, now,
      {.what = record.service_account ? "service account created" : "user created",
       .details = name + ", role " + record.role + ", display name \"" + record.display_name + "\"",
       .end_user = name,
       .computer = ""}));
  return record;
}

Status Accounts::Update(const service::Actor& admin, std::string_view name, std::string_view what,
                        const std::function<std::string(store::User&)>& change) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "change users"));
  LOCKBOX_ASSIGN_OR_RETURN(const std::string normalized, NormalizeUserName(name));
  LOCKBOX_ASSIGN_OR_RETURN(store::User user, store_.GetUser(normalized));
  const std::string details = change(user);
  LOCKBOX_RETURN_IF_ERROR(store_.UpdateUser(user));
  return service::AuditAdminChange(
      log_, admin, options_.now(),
      {.what = std::string(what), .details = details, .end_user = user.name, .computer = ""});
}

Status Accounts::RequireLocalAccount(std::string_view name, std::string_view what) {
  // Other problems (a malformed name, no such user) are the caller's own checks to report.
  const auto normalized = NormalizeUserName(name);
  if (!normalized.ok()) return Status::Ok();
  auto user = store_.GetUser(*normalized);
  if (!user.ok() && user.status().code() != ErrorCode::kNotFound) return user.status();
  if (!user.ok() || user->directory.empty()) return Status::Ok();
  return Status::InvalidArgument(user->name + " is an account of Active Directory domain " +
                                 user->directory + ": " + std::string(what));
}

Status Accounts::SetRole(const service::Actor& admin, std::string_view name, service::Role role) {
  LOCKBOX_RETURN_IF_ERROR(CheckAccountRole(role));
  LOCKBOX_RETURN_IF_ERROR(RequireLocalAccount(
      name,
      "its role comes from its AD groups at each sign-in; change its groups or the "
      "[active_directory] groups of the config"));
  // Sessions read the role at every request, so the change applies at once; API tokens whose
  // role now exceeds their owner's stop working (api_tokens.cc).
  return Update(admin, name, "user role changed", [&](store::User& user) {
    std::string details = "role " + user.role + " -> " + RoleName(role);
    user.role = RoleName(role);
    return details;
  });
}

Status Accounts::SetDisplayName(const service::Actor& admin, std::string_view name,
                                std::string_view display_name) {
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the display name", display_name));
  return Update(admin, name, "user display name changed", [&](store::User& user) {
    std::string details = "\"" + user.display_name + "\" -> \"" + std::string(display_name) + "\"";
    user.display_name = display_name;
    return details;
  });
}

Status Accounts::SetDisabled(const service::Actor& admin, std::string_view name, bool disabled) {
  if (disabled && admin.name == name) {
    return Status::InvalidArgument("an admin cannot disable their own account: ask another admin");
  }
  LOCKBOX_RETURN_IF_ERROR(
      Update(admin, name, disabled ? "user disabled" : "user enabled", [&](store::User& user) {
        user.disabled = disabled;
        return user.name;
      }));
  if (!disabled) return Status::Ok();
  LOCKBOX_ASSIGN_OR_RETURN(const std::string normalized, NormalizeUserName(name));
  return store_.DeleteUserSessions(normalized).status();
}

Status Accounts::ResetPassword(const service::Actor& admin, std::string_view name,
                               const crypto::SecretBytes& new_password) {
  LOCKBOX_ASSIGN_OR_RETURN(const std::string normalized, NormalizeUserName(name));
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "reset passwords"));
  LOCKBOX_RETURN_IF_ERROR(
      RequireLocalAccount(normalized, "reset its password in Active Directory"));
  LOCKBOX_RETURN_IF_ERROR(CheckNewPassword(normalized, new_password));
  LOCKBOX_ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password, options_.password_hash));
  const store::Time now = options_.now();
  LOCKBOX_RETURN_IF_ERROR(Update(admin, normalized, "user password reset", [&](store::User& user) {
    user.password_hash = hash;
    user.must_change_password = true;
    user.failed_logins = 0;
    user.locked_until.reset();
    user.password_changed_at = now;
    return user.name + ", must be changed at next sign-in";
  }));
  return store_.DeleteUserSessions(normalized).status();
}

Status Accounts::Unlock(const service::Actor& admin, std::string_view name) {
  return Update(admin, name, "user unlocked", [](store::User& user) {
    user.failed_logins = 0;
    user.locked_until.reset();
    return user.name;
  });
}

Result<std::vector<store::User>> Accounts::ListUsers(const service::Actor& admin) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "list users"));
  return store_.ListUsers();
}

Result<LoginResult> Accounts::Login(std::string_view name, const crypto::SecretBytes& password,
                                    std::string_view address) {
  LOCKBOX_ASSIGN_OR_RETURN(store::User user, CheckPassword(name, password, address));
  const store::Time now = options_.now();
  LOCKBOX_RETURN_IF_ERROR(store_.RecordLogin(user.name, now));
  if (user.directory.empty() && NeedsRehash(user.password_hash, options_.password_hash)) {
    // The settings changed since this hash was made: store one with the current settings.
    LOCKBOX_ASSIGN_OR_RETURN(user.password_hash, HashPassword(password, options_.password_hash));
    LOCKBOX_ASSIGN_OR_RETURN(store::User stored, store_.GetUser(user.name));
    stored.password_hash = user.password_hash;
    LOCKBOX_RETURN_IF_ERROR(store_.UpdateUser(stored));
  }
  return LoginResult{ActorOf(user, address), user.must_change_password};
}

Status Accounts::ChangePassword(std::string_view name, const crypto::SecretBytes& current_password,
                                const crypto::SecretBytes& new_password, std::string_view address) {
  LOCKBOX_RETURN_IF_ERROR(RequireLocalAccount(
      name,
      "change its password in Active Directory (on Windows: Ctrl+Alt+Del, Change a "
      "password)"));
  LOCKBOX_ASSIGN_OR_RETURN(store::User user, CheckPassword(name, current_password, address));
  LOCKBOX_RETURN_IF_ERROR(CheckNewPassword(user.name, new_password));
  if (crypto::ConstantTimeEqual(current_password.span(), new_password.span())) {
    return Status::InvalidArgument("the new password is the current one: choose another");
  }
  const store::Time now = options_.now();
  LOCKBOX_ASSIGN_OR_RETURN(user.password_hash, HashPassword(new_password, options_.password_hash));
  user.must_change_password = false;
  user.failed_logins = 0;
  user.locked_until.reset();
  user.password_changed_at = now;
  LOCKBOX_RETURN_IF_ERROR(store_.UpdateUser(user));
  LOCKBOX_RETURN_IF_ERROR(store_.DeleteUserSessions(user.name).status());
  return service::AuditAdminChange(
      log_, ActorOf(user, address), now,
      {.what = "password changed", .details = user.name, .end_user = user.name, .computer = ""});
}

Result<store::User> Accounts::CheckPassword(std::string_view name,
                                            const crypto::SecretBytes& password,
                                            std::string_view address) {
  // Limits first, before any hashing: they also bound the CPU an attacker can make us spend.
  // Counted by the name as typed, so they say nothing about whether the user exists.
  const store::Time now = options_.now();
  const auto normalized = NormalizeUserName(name);
  const std::string typed = normalized.ok() ? *normalized : "";
  if (!per_address_.TryAttempt(std::string(address), now) || !per_user_.TryAttempt(typed, now)) {
    return Status::RateLimited("too many sign-in attempts: wait a few minutes and try again");
  }
  const Status failed = Status::Unauthenticated(std::string(kLoginFailed));
  auto user = typed.empty() ? Result<store::User>(Status::NotFound("")) : store_.GetUser(typed);
  if (!user.ok() && user.status().code() != ErrorCode::kNotFound) return user.status();
  // A local account owns its name (the break-glass admin signs in when the domain controller
  // is down, and no AD account can take it over): the directory is asked only about names no
  // local account has.
  if (options_.directory && !typed.empty() && !(user.ok() && user->directory.empty())) {
    return CheckDirectoryPassword(typed, password, address);
  }
  const bool usable = user.ok() && user->directory.empty() && !user->service_account &&
                      !user->disabled && !(user->locked_until && *user->locked_until > now);
  // Every refusal costs one argon2id verification, so its timing does not tell an unknown,
  // disabled or locked account from a wrong password.
  if (!usable) {
    (void)VerifyPassword(password, dummy_hash_);
    return failed;
  }
  if (VerifyPassword(password, user->password_hash)) return std::move(user).value();
  LOCKBOX_ASSIGN_OR_RETURN(
      const store::User counted,
      store_.RecordFailedLogin(user->name, now, options_.max_failed_logins, options_.lockout));
  if (counted.locked_until && *counted.locked_until > now) {
    LOCKBOX_RETURN_IF_ERROR(service::AuditAdminChange(
        log_, ActorOf(counted, address), now,
        {.what = "user locked out",
         .details = std::to_string(options_.max_failed_logins) + " failed sign-ins; locked for " +
                    std::to_string(options_.lockout.count()) + " s",
         .end_user = counted.name,
         .computer = ""}));
  }
  return failed;
}

Result<store::User> Accounts::CheckDirectoryPassword(std::string_view typed,
                                                     const crypto::SecretBytes& password,
                                                     std::string_view address) {
  const DirectoryOptions& directory = *options_.directory;
  const Status failed = Status::Unauthenticated(std::string(kLoginFailed));
  auto identity = internal::SignInWithDirectory(directory, typed, password);
  // A refusal says what every refusal says; an unreachable or untrusted domain controller is
  // the administrator's to fix, and the message says so.
  if (identity.status().code() == ErrorCode::kUnauthenticated) return failed;
  if (!identity.ok()) {
    return Status::IoError(
        "sign-in with Active Directory failed: " + identity.status().message() +
        "; try again later, or ask an administrator to check [active_directory]");
  }
  const store::Time now = options_.now();
  const std::string role = RoleName(identity->role);
  auto stored = store_.GetUser(identity->name);
  if (!stored.ok() && stored.status().code() != ErrorCode::kNotFound) return stored.status();
  if (!stored.ok()) {
    store::User record = NewRecord(identity->name, identity->display_name, role, now);
    record.directory = directory.domain;
    LOCKBOX_RETURN_IF_ERROR(store_.CreateUser(record));
    LOCKBOX_RETURN_IF_ERROR(
        service::AuditAdminChange(log_, ActorOf(record, address), now,
                                  {.what = "directory user added",
                                   .details = record.name + " of " + record.directory + ", role " +
                                              role + " from its Active Directory groups",
                                   .end_user = record.name,
                                   .computer = ""}));
    return record;
  }
  // "alice" typed, and "corp\alice" is a local account: the local one owns the name.
  if (stored->directory.empty() || stored->disabled) return failed;
  if (stored->role != role || stored->display_name != identity->display_name ||
      stored->directory != directory.domain) {
    const std::string details = stored->name + ": role " + stored->role + " -> " + role +
                                " from its Active Directory groups";
    const bool role_changed = stored->role != role;
    stored->role = role;
    stored->display_name = identity->display_name;
    stored->directory = directory.domain;
    LOCKBOX_RETURN_IF_ERROR(store_.UpdateUser(*stored));
    if (role_changed) {
      LOCKBOX_RETURN_IF_ERROR(service::AuditAdminChange(log_, ActorOf(*stored, address), now,
                                                        {.what = "user role changed",
                                                         .details = details,
                                                         .end_user = stored->name,
                                                         .computer = ""}));
    }
  }
  return std::move(stored).value();
}

Status Accounts::CheckNewPassword(std::string_view name,
                                  const crypto::SecretBytes& password) const {
  size_t characters = 0;
  for (uint8_t b : password.span()) {
    if ((b & 0xC0) != 0x80) ++characters;  // UTF-8: count lead bytes only
    if (b < 0x20 || b == 0x7f) {
      return Status::InvalidArgument("the password contains a control character: remove it");
    }
  }
  if (characters < options_.min_password_length) {
    return Status::InvalidArgument("the password has fewer than " +
                                   std::to_string(options_.min_password_length) +
                                   " characters: choose a longer one (a phrase is fine)");
  }
  if (password.size() > options_.max_password_bytes) {
    return Status::InvalidArgument("the password is longer than " +
                                   std::to_string(options_.max_password_bytes) +
                                   " bytes: choose a shorter one");
  }
  if (EqualsIgnoringAsciiCase(password, name)) {
    return Status::InvalidArgument("the password is the user name: choose another");
  }
  return Status::Ok();
}

}  // namespace lockbox::auth
