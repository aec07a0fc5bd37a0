#include "ldap/entry.h"

#include "util/ascii.h"

namespace lockbox::ldap {

const std::string* Entry::First(std::string_view name) const {
  const auto found = values.find(LowerAscii(name));
  return found == values.end() || found->second.empty() ? nullptr : &found->second.front();
}

const crypto::SecretBytes* Entry::FirstSecret(std::string_view name) const {
  const auto found = secrets.find(LowerAscii(name));
  return found == secrets.end() || found->second.empty() ? nullptr : &found->second.front();
}

}  // namespace lockbox::ldap
