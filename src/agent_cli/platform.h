// What lockbox-agent's command line has on one platform only. On Windows: the `windows`
// provider (WMI) and the service (--install-service, --uninstall-service, and --service, which
// the service control manager starts); on Linux nothing more. platform_posix.cc and
// platform_windows.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/provider.h"
#include "agent_cli/agent_command.h"

namespace lockbox::agent {

// The providers --provider accepts here: image, simulated, and the platform's own.
std::vector<std::string> AgentProviders();

// Adds the platform's options, which fill `command.service`.
void AddPlatformOptions(CLI::App& app, AgentCommand& command);

// Opens a provider of the platform's own (not image or simulated).
Result<std::unique_ptr<Provider>> OpenPlatformProvider(const AgentCommand& command);

// Overrides the config file's keys with the platform's policy: on Windows the Group Policy
// values (agent/group_policy.h); elsewhere there is none.
Status ApplyPlatformPolicy(AgentConfig& config);

// Performs `command.service` and returns the exit code; nullopt when there is none.
std::optional<int> RunPlatformCommand(const AgentCommand& command);

}  // namespace lockbox::agent
