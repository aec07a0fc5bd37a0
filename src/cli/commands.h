// The subcommands of `lockbox`. Each Add* function registers its subcommand(s) on `app`;
// when one runs, it stores its process exit code in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

namespace lockbox::cli {

void AddRecoveryPasswordCommand(CLI::App& app, int* exit_code);
void AddBdeCommand(CLI::App& app, int* exit_code);
// `init` and `serve`: the escrow server (server_commands.cc).
void AddServerCommands(CLI::App& app, int* exit_code);
// `rotate-master-key`, `backup`, `audit verify`: looking after a data dir
// (maintenance_commands.cc).
void AddMaintenanceCommands(CLI::App& app, int* exit_code);
// `enrollment-token create`, `api-token create`, `user create`: offline administration on the
// store (admin_commands.cc).
void AddAdminCommands(CLI::App& app, int* exit_code);
// `agent-sim`: a fleet of simulated agents against a server (agent_sim_command.cc).
void AddAgentSimCommand(CLI::App& app, int* exit_code);
// `import ad`: recovery data from Active Directory (import_ad_command.cc).
void AddImportCommands(CLI::App& app, int* exit_code);

}  // namespace lockbox::cli
