#include "agent_cli/platform.h"

namespace lockbox::agent {

std::vector<std::string> AgentProviders() { return {"image", "simulated"}; }

void AddPlatformOptions(CLI::App&, AgentCommand&) {}

Result<std::unique_ptr<Provider>> OpenPlatformProvider(const AgentCommand& command) {
  return Status::InvalidArgument("unknown provider '" + command.provider +
                                 "': use --provider image or --provider simulated");
}

Status ApplyPlatformPolicy(AgentConfig&) { return Status::Ok(); }

std::optional<int> RunPlatformCommand(const AgentCommand&) { return std::nullopt; }

}  // namespace lockbox::agent
