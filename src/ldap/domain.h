// DomainNames: what an Active Directory domain controller says about its own domain, read
// after binding: the naming context users and computers live in, and the NetBIOS name
// accounts are known by ("CORP\alice").
//
//   LOCKBOX_ASSIGN_OR_RETURN(ldap::DomainNames names, ldap::ReadDomainNames(*directory));
#pragma once

#include <string>

#include "ldap/connection.h"
#include "util/status.h"

namespace lockbox::ldap {

struct DomainNames {
  std::string naming_context;  // the rootDSE's defaultNamingContext: "DC=corp,DC=example"
  std::string netbios_name;    // "CORP", from the domain's crossRef object
};

// Reads the rootDSE and the domain's crossRef (below CN=Partitions of the configuration
// naming context). When the directory gives no NetBIOS name (not readable, not AD), the first
// label of the DNS domain is used ("corp" for DC=corp,DC=example); when it gives no naming
// context, both are empty.
Result<DomainNames> ReadDomainNames(Connection& directory);

}  // namespace lockbox::ldap
