#include "ldap/domain.h"

#include "ldap/dn.h"

namespace lockbox::ldap {

Result<DomainNames> ReadDomainNames(Connection& directory) {
  DomainNames names;
  std::string configuration;
  LOCKBOX_RETURN_IF_ERROR(
      directory.Search({.base = "",
                        .scope = Scope::kBase,
                        .filter = "(objectClass=*)",
                        .attributes = {"defaultNamingContext", "configurationNamingContext"},
                        .secret_attributes = {},
                        .page_size = 1},
                       [&](Entry entry) {
                         if (const std::string* v = entry.First("defaultNamingContext")) {
                           names.naming_context = *v;
                         }
                         if (const std::string* v = entry.First("configurationNamingContext")) {
                           configuration = *v;
                         }
                         return Status::Ok();
                       }));
  if (names.naming_context.empty()) return names;
  if (!configuration.empty()) {
    // Best effort: without it the first label of the DNS domain is used.
    (void)directory.Search({.base = "CN=Partitions," + configuration,
                            .scope = Scope::kOneLevel,
                            .filter = "(&(objectClass=crossRef)(nCName=" +
                                      EscapeFilterValue(names.naming_context) + "))",
                            .attributes = {"nETBIOSName"},
                            .secret_attributes = {},
                            .page_size = 10},
                           [&](Entry entry) {
                             if (const std::string* v = entry.First("nETBIOSName")) {
                               names.netbios_name = *v;
                             }
                             return Status::Ok();
                           });
  }
  if (names.netbios_name.empty()) {
    const std::string dns = DnsDomainOf(names.naming_context);
    names.netbios_name = dns.substr(0, dns.find('.'));
  }
  return names;
}

}  // namespace lockbox::ldap
