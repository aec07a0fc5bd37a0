// ASCII case folding, for names compared without regard to case (user names, LDAP attribute
// names and DNs); bytes outside A-Z are kept.
#pragma once

#include <string>
#include <string_view>

namespace lockbox {

std::string LowerAscii(std::string_view text);

}  // namespace lockbox
