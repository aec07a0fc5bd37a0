// Entry: one object a directory search returned, its DN and the values of the attributes
// asked for. Values of attributes the search named as secret are held in wiped memory.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"

namespace lockbox::ldap {

struct Entry {
  std::string dn;
  // By lower-cased attribute name (LDAP names are case-insensitive); absent when the
  // directory sent no value (not set, or not readable by the bind account).
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, std::vector<crypto::SecretBytes>> secrets;

  // The first value of `name`, or nullptr.
  const std::string* First(std::string_view name) const;
  const crypto::SecretBytes* FirstSecret(std::string_view name) const;
};

}  // namespace lockbox::ldap
