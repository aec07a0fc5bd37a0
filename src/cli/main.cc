// lockbox: the command line. Each part of the system contributes subcommands (commands.h).
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "crypto/secret.h"

int main(int argc, char** argv) {
  // Every subcommand may hold keys in memory: no core dump may ever contain them.
  lockbox::crypto::DisableCoreDumps();

  CLI::App app{"Lockbox: self-hosted BitLocker recovery.", "lockbox"};
  app.footer(lockbox::cli::ExitCodeHelp());
  app.require_subcommand(1);
  app.set_version_flag("--version", "lockbox 0.1.0");

  int exit_code = lockbox::cli::kExitOk;
  lockbox::cli::AddRecoveryPasswordCommand(app, &exit_code);
  lockbox::cli::AddBdeCommand(app, &exit_code);
  lockbox::cli::AddServerCommands(app, &exit_code);
  lockbox::cli::AddMaintenanceCommands(app, &exit_code);
  lockbox::cli::AddAdminCommands(app, &exit_code);
  lockbox::cli::AddAgentSimCommand(app, &exit_code);
  lockbox::cli::AddImportCommands(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : lockbox::cli::kExitUsage;
  }
  return exit_code;
}
