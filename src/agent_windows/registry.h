// ReadRegistryValues: every value of one key under HKEY_LOCAL_MACHINE, as the portable
// agent/group_policy.h maps them (registry_windows.cc, compiled for Windows only).
//
//   LOCKBOX_ASSIGN_OR_RETURN(PolicyValues values, ReadRegistryValues(kGroupPolicyKey));
//
// A key that does not exist has no values (no policy applies); any other failure is an error.
#pragma once

#include <string>

#include "agent/group_policy.h"
#include "util/status.h"

namespace lockbox::agent {

Result<PolicyValues> ReadRegistryValues(const std::string& key);

}  // namespace lockbox::agent
