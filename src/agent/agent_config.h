// AgentConfig: what lockbox-agent reads from its TOML file (docs/agent.md lists the keys).
//
//   LOCKBOX_ASSIGN_OR_RETURN(agent::AgentConfig config, agent::LoadAgentConfig(path));
//
// Read strictly, like the server's config: an unknown key, a wrong type or an out-of-range
// value is an error naming the file, line and key. Relative paths are taken from the folder
// holding the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace lockbox::agent {

struct AgentConfig {
  std::string server_url;             // "https://lockbox.contoso.example:8443" (required)
  std::string ca_file;                // PEM: who may sign the server's certificate (required)
  std::string enrollment_token_file;  // read once, at enrollment (required until enrolled)
  std::string state_dir;              // credential, queue key and state (required; mode 0700)
  // Until the server's first answer says otherwise (next_report_in_seconds).
  uint32_t report_interval_minutes = 90;
  // MBAM waits a random 1 to 18 minutes after start, so a fleet booting at once spreads out.
  bool startup_delay = true;
  uint32_t startup_delay_min_minutes = 1;
  uint32_t startup_delay_max_minutes = 18;
  // The computer as reported; not set: what the provider says (the host name).
  std::optional<std::string> computer_name;
  std::optional<std::string> domain;

  bool operator==(const AgentConfig&) const = default;
};

// `file_name` is for messages; relative paths are resolved against `base_dir`.
Result<AgentConfig> ParseAgentConfig(std::string_view text, const std::string& file_name,
                                     const std::string& base_dir);
Result<AgentConfig> LoadAgentConfig(const std::string& path);

}  // namespace lockbox::agent
