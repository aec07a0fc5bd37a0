// Internal to auth: checking a person's password against Active Directory and reading their
// role from their groups (DirectoryOptions in options.h; docs/ad-sign-in.md).
#pragma once

#include <string>
#include <string_view>

#include "auth/options.h"
#include "crypto/secret.h"
#include "service/roles.h"
#include "util/status.h"

namespace lockbox::auth::internal {

// Who signed in, as Lockbox names them.
struct DirectoryIdentity {
  std::string name;          // "corp\\alice": NetBIOS domain \ sAMAccountName, lower case
  std::string display_name;  // displayName, or the sAMAccountName
  service::Role role = service::Role::kSelfServiceUser;
};

// Binds to the directory over TLS (certificate verified) as `typed_name` ("alice",
// "CORP\\alice" or "alice@corp.example", as normalised: lower case) with `password`,
// reads the account and the groups it is in (nested ones included, by AD's
// LDAP_MATCHING_RULE_IN_CHAIN) and maps them to a role. kUnauthenticated when the directory
// refuses the name or password or the account has no role and self-service is off (the
// caller says kLoginFailed); kIoError when the directory cannot be reached or its
// certificate is not trusted. The password is used in place (libldap is given a pointer to
// it) and is never put in a message.
Result<DirectoryIdentity> SignInWithDirectory(const DirectoryOptions& options,
                                              std::string_view typed_name,
                                              const crypto::SecretBytes& password);

}  // namespace lockbox::auth::internal
