// The subcommands under `lockbox bde`.
#pragma once

#include <CLI/CLI.hpp>

namespace lockbox::cli {

// `info`: what the volume header and metadata say (bde_info_command.cc).
void AddBdeInfoCommand(CLI::App& bde, int* exit_code);
// `verify`, `decrypt` and `mount`: everything that needs a key (bde_unlock_commands.cc).
void AddBdeUnlockCommands(CLI::App& bde, int* exit_code);

}  // namespace lockbox::cli
