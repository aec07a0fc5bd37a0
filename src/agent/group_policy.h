// Group Policy for the agent: the values an administrator's GPO writes under
// HKLM\SOFTWARE\Policies\Lockbox\Agent (kGroupPolicyKey) override the config file's keys.
// Mapping the values onto an AgentConfig is portable (tested on Linux with recorded values);
// reading them is agent_windows/registry.h.
//
//   LOCKBOX_ASSIGN_OR_RETURN(PolicyValues values, ReadRegistryValues(kGroupPolicyKey));
//   LOCKBOX_RETURN_IF_ERROR(ApplyGroupPolicy(values, config));
//
// Strict like the file: an unknown value name, a wrong registry type or an out-of-range
// number is an error naming the value and saying what it must be.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "agent/agent_config.h"
#include "util/status.h"

namespace lockbox::agent {

inline constexpr char kGroupPolicyKey[] = R"(SOFTWARE\Policies\Lockbox\Agent)";

// One registry value as read: REG_SZ or REG_EXPAND_SZ (expanded) as UTF-8 text, REG_DWORD as
// a number, any other type by its name ("REG_BINARY"), which no policy value accepts.
struct RegistryValue {
  struct OtherType {
    std::string name;
    bool operator==(const OtherType&) const = default;
  };
  std::variant<std::string, uint32_t, OtherType> value;
  bool operator==(const RegistryValue&) const = default;
};
using PolicyValues = std::map<std::string, RegistryValue>;  // by value name

// Overrides `config`'s keys with the policy's values:
//   ServerUrl (REG_SZ, https://), CaFile, EnrollmentTokenFile, StateDir (REG_SZ or
//   REG_EXPAND_SZ, absolute paths), ReportIntervalMinutes (REG_DWORD 1..1440), StartupDelay
//   (REG_DWORD 0 or 1), StartupDelayMinMinutes, StartupDelayMaxMinutes (REG_DWORD 0..1440),
//   ComputerName, Domain (REG_SZ, at most 256 bytes).
// On an error `config` is left as it was.
Status ApplyGroupPolicy(const PolicyValues& values, AgentConfig& config);

}  // namespace lockbox::agent
