// What `lockbox-agent` does once its command line is read: open the provider, then run one
// cycle (--once), print the status (--status), or serve: wait the start-up delay, report on
// the server's schedule, sooner when the volumes change, retry with backoff when a report
// fails, stop on SIGTERM or SIGINT.
//
// Exit codes: 0 done; 1 a cycle failed (the message says why; nothing queued is lost);
// 2 bad command line; 3 bad config file or provider.
#pragma once

#include <string>
#include <vector>

namespace lockbox::agent {

struct AgentCommand {
  std::string config_file;
  bool once = false;
  bool status = false;
  bool no_startup_delay = false;
  std::string provider;                     // "image", "simulated" (Windows: also "windows")
  std::vector<std::string> volumes;         // image: the volume images
  std::vector<std::string> password_files;  // image: recovery passwords to escrow
  std::string machine_file;                 // simulated: the machine's state file
  std::string service;                      // Windows: "install", "uninstall" or "run" (platform.h)
};

int RunAgentCommand(const AgentCommand& command);

// Stops the service loop between steps, as SIGTERM does (the Windows service's stop request).
void RequestAgentStop();

}  // namespace lockbox::agent
