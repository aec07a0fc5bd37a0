// Key sources: the command-line options through which a user hands keys to `lockbox bde
// verify|decrypt|mount`, and reading them into KeyMaterial.
//
//   KeySourceOptions keys;
//   AddKeySourceOptions(*cmd, &keys);
//   ... after parsing:
//   LOCKBOX_ASSIGN_OR_RETURN(auto material, ReadKeyMaterial(keys));
//
// Secrets are read into crypto::SecretBytes and never echoed. Options given on argv
// (--recovery-password) are visible to other local users through /proc; the -file forms
// and the terminal prompt are not.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bde/unlock.h"
#include "crypto/secret.h"
#include "recovery/recovery_password.h"
#include "util/status.h"

namespace lockbox::cli {

struct KeySourceOptions {
  std::vector<std::string> recovery_passwords;  // --recovery-password (repeatable)
  std::string recovery_password_file;           // --recovery-password-file ("-" = stdin)
  bool prompt_password = false;                 // --password
  std::string password_file;                    // --password-file ("-" = stdin)
  std::vector<std::string> startup_key_files;   // --startup-key (repeatable)

  // True when the user named at least one key (the clear key is always tried besides).
  bool AnyGiven() const;
  // Overwrites the recovery passwords typed on the command line once they were read.
  void WipeTyped();
};

void AddKeySourceOptions(CLI::App& command, KeySourceOptions* options);

// Reads every source the user gave, then appends the clear key. kInvalidArgument for a
// malformed recovery password (the parser's message names the block, never the digits),
// a missing terminal for --password, or two sources both reading stdin; kCorrupt for a
// damaged .BEK file; kIoError / kNotFound for unreadable files. `prompt_label` names the
// volume in the password prompt.
Result<std::vector<bde::KeyMaterial>> ReadKeyMaterial(const KeySourceOptions& options,
                                                      std::string_view prompt_label);

// One recovery password per line; blank lines and surrounding spaces or CR are ignored.
// Errors say which line was wrong ("line 2: ...").
Result<std::vector<recovery::RecoveryPassword>> ParseRecoveryPasswordLines(
    std::span<const uint8_t> text);

// The first line of a password file without its line ending (CR and LF stripped from the
// end only: spaces are part of a password).
std::span<const uint8_t> FirstLine(std::span<const uint8_t> text);

// Asks for a secret on /dev/tty (not stdin, which may carry other data) without echo, up to
// the end of the line. kInvalidArgument with `without_terminal` when there is no terminal.
Result<crypto::SecretBytes> PromptSecret(std::string_view prompt,
                                         std::string_view without_terminal);

// Reads a whole file ("-" = stdin) of at most `max_size_bytes` into wiped memory.
Result<crypto::SecretBytes> ReadSecretFile(const std::string& path, size_t max_size_bytes);

}  // namespace lockbox::cli
