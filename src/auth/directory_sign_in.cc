#include "auth/directory_sign_in.h"

#include <set>

#include "auth/accounts.h"
#include "auth/credential_checks.h"
#include "ldap/connection.h"
#include "ldap/dn.h"
#include "ldap/domain.h"
#include "util/ascii.h"

namespace lockbox::auth::internal {
namespace {

// Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: "member:<this>:=DN" matches the groups DN is
// in directly or through any chain of nested groups (Samba supports it too).
constexpr std::string_view kInChain = "1.2.840.113556.1.4.1941";

Status Refused(std::string_view why) { return Status::Unauthenticated(std::string(why)); }

// The account and, when the name carried one, its domain ("corp" or "corp.example").
struct TypedName {
  std::string account;
  std::string netbios_domain;
  std::string dns_domain;
};

TypedName Split(std::string_view typed) {
  if (const size_t slash = typed.find('\\'); slash != std::string_view::npos) {
    return {std::string(typed.substr(slash + 1)), std::string(typed.substr(0, slash)), ""};
  }
  if (const size_t at = typed.rfind('@'); at != std::string_view::npos) {
    return {std::string(typed.substr(0, at)), "", std::string(typed.substr(at + 1))};
  }
  return {std::string(typed), "", ""};
}

// DnKeys of every group the account `user_dn` is in, nested groups included.
Result<std::set<std::string>> GroupsOf(ldap::Connection& directory, const std::string& base,
                                       const std::string& user_dn) {
  std::set<std::string> groups;
  LOCKBOX_RETURN_IF_ERROR(
      directory.Search({.base = base,
                        .scope = ldap::Scope::kSubtree,
                        .filter = "(&(objectClass=group)(member:" + std::string(kInChain) +
                                  ":=" + ldap::EscapeFilterValue(user_dn) + "))",
                        .attributes = {"1.1"},
                        .secret_attributes = {},
                        .page_size = 1000},
                       [&](ldap::Entry entry) {
                         groups.insert(ldap::DnKey(entry.dn));
                         return Status::Ok();
                       }));
  return groups;
}

}  // namespace

Result<DirectoryIdentity> SignInWithDirectory(const DirectoryOptions& options,
                                              std::string_view typed_name,
                                              const crypto::SecretBytes& password) {
  const TypedName typed = Split(typed_name);
  if (typed.account.empty() || (!typed.dns_domain.empty() && typed.dns_domain != options.domain)) {
    return Refused("the name is not one of domain " + options.domain);
  }
  if (password.empty()) return Refused("no password");  // it would bind anonymously
  LOCKBOX_ASSIGN_OR_RETURN(auto directory,
                           ldap::Connection::Open({.url = options.url,
                                                   .ca_file = options.ca_file,
                                                   .plain = false,
                                                   .timeout_ms = options.timeout_ms}));
  // account@domain works whatever the user's UPN suffix is (AD's implicit UPN).
  LOCKBOX_RETURN_IF_ERROR(directory->SimpleBind(typed.account + "@" + options.domain, password));
  LOCKBOX_ASSIGN_OR_RETURN(const ldap::DomainNames names, ldap::ReadDomainNames(*directory));
  if (names.naming_context.empty()) {
    return Status::IoError("the directory at " + options.url +
                           " names no default naming context: is it an Active Directory domain "
                           "controller?");
  }
  if (!typed.netbios_domain.empty() && typed.netbios_domain != LowerAscii(names.netbios_name)) {
    return Refused("the name is not one of domain " + names.netbios_name);
  }

  const std::string account = ldap::EscapeFilterValue(typed.account);
  std::string user_dn;
  std::string sam_account_name;
  std::string display_name;
  LOCKBOX_RETURN_IF_ERROR(directory->Search(
      {.base = names.naming_context,
       .scope = ldap::Scope::kSubtree,
       .filter = "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=" + account +
                 ")(userPrincipalName=" + account + "@" + ldap::EscapeFilterValue(options.domain) +
                 ")))",
       .attributes = {"sAMAccountName", "displayName"},
       .secret_attributes = {},
       .page_size = 2},
      [&](ldap::Entry entry) {
        const std::string* sam = entry.First("sAMAccountName");
        if (sam == nullptr) return Status::Ok();
        user_dn = entry.dn;
        sam_account_name = *sam;
        const std::string* display = entry.First("displayName");
        display_name = display != nullptr ? *display : "";
        return Status::Ok();
      }));
  if (user_dn.empty()) return Refused("the bound account is not a user the directory shows");

  DirectoryIdentity identity;
  // A name Lockbox cannot store (a space, a character outside a-z 0-9 . _ - @) is refused.
  LOCKBOX_ASSIGN_OR_RETURN(identity.name,
                           NormalizeUserName(names.netbios_name + "\\" + sam_account_name));
  identity.display_name =
      CheckText("", display_name).ok() && !display_name.empty() ? display_name : sam_account_name;
  if (!options.group_roles.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(const std::set<std::string> groups,
                             GroupsOf(*directory, names.naming_context, user_dn));
    for (const DirectoryOptions::GroupRole& mapped : options.group_roles) {
      if (groups.contains(ldap::DnKey(mapped.group_dn))) {
        identity.role = mapped.role;
        return identity;
      }
    }
  }
  if (!options.self_service) {
    return Refused(identity.name + " is in none of the groups mapped to a role");
  }
  identity.role = service::Role::kSelfServiceUser;
  return identity;
}

}  // namespace lockbox::auth::internal
