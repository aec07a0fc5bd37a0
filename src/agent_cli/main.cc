// lockbox-agent: escrows this machine's BitLocker recovery passwords with a Lockbox server and
// rotates them when the server asks (docs/agent.md).
#include <CLI/CLI.hpp>

#include "agent_cli/agent_command.h"
#include "agent_cli/platform.h"
#include "crypto/secret.h"

int main(int argc, char** argv) {
  lockbox::crypto::DisableCoreDumps();
  CLI::App app{"lockbox-agent: escrows BitLocker recovery passwords with a Lockbox server.",
               "lockbox-agent"};
  app.set_version_flag("--version", "lockbox-agent 0.1.0");
  app.footer(
      "Exit codes: 0 done, 1 a cycle failed (nothing queued is lost), 2 bad command line, "
      "3 bad config file or provider.");
  lockbox::agent::AgentCommand command;
  app.add_option("--config", command.config_file, "The agent's TOML config file (docs/agent.md)")
      ->required();
  app.add_flag("--once", command.once, "Run one cycle (enroll, escrow, rotate, report) and exit");
  app.add_flag("--status", command.status, "Print what the agent would report, without secrets");
  app.add_flag("--no-startup-delay", command.no_startup_delay,
               "Report at once instead of after the random start-up delay");
  const std::vector<std::string> providers = lockbox::agent::AgentProviders();
  app.add_option("--provider", command.provider,
                 "Where the volumes come from: " + CLI::detail::join(providers, ", "))
      ->required()
      ->check(CLI::IsMember(providers));
  app.add_option("--volume", command.volumes, "image: a BitLocker volume image or device (repeat)");
  app.add_option("--recovery-password-file", command.password_files,
                 "image: a file holding a recovery password of one of the volumes (repeat)");
  app.add_option("--machine", command.machine_file,
                 "simulated: the machine's state file (default STATE_DIR/simulated-machine.json, "
                 "created when absent)");
  lockbox::agent::AddPlatformOptions(app, command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (auto code = lockbox::agent::RunPlatformCommand(command)) return *code;
  return lockbox::agent::RunAgentCommand(command);
}
