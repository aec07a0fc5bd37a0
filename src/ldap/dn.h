// Distinguished names (RFC 4514) and search filter values (RFC 4515) as text, for names the
// directory returns (outside data: any bytes) and values put into filters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lockbox::ldap {

// The RDNs of `dn` as written ("CN=PC\,01", "OU=Berlin", ...), split at commas that are
// neither escaped with a backslash nor inside quotes; surrounding spaces are dropped. An
// empty DN has none.
std::vector<std::string_view> SplitDn(std::string_view dn);

// `dn` without its first RDN ("" for a single RDN).
std::string_view ParentDn(std::string_view dn);

// The DNS domain a DN lies in, from its DC= RDNs: "CN=PC-01,OU=X,DC=corp,DC=example" gives
// "corp.example". "" when there are none.
std::string DnsDomainOf(std::string_view dn);

// A form for comparing DNs the directory returned: ASCII lower case (attribute types and
// AD's values compare case-insensitively), spaces around RDNs dropped.
std::string DnKey(std::string_view dn);

// `value` with the characters a filter gives meaning to (*, (, ), \ and NUL) and every
// non-ASCII byte escaped as \XX, so it matches literally: "(cn=" + EscapeFilterValue(x) + ")".
std::string EscapeFilterValue(std::string_view value);

}  // namespace lockbox::ldap
