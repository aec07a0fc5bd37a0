// `lockbox bde ...`: reading BitLocker volumes (bde_info_command.cc, bde_unlock_commands.cc).
#include "cli/bde_commands.h"
#include "cli/commands.h"

namespace lockbox::cli {

void AddBdeCommand(CLI::App& app, int* exit_code) {
  CLI::App* bde = app.add_subcommand("bde", "Read, verify, decrypt and mount BitLocker volumes");
  bde->require_subcommand(1);
  AddBdeInfoCommand(*bde, exit_code);
  AddBdeUnlockCommands(*bde, exit_code);
}

}  // namespace lockbox::cli
