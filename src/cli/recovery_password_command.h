// `lockbox recovery-password check|generate`, as functions of their input so tests can run them
// without a process. Each prints to stdout/stderr and returns the exit code.
#pragma once

#include <string_view>

namespace lockbox::cli {

// Checks `typed` block by block and prints the report; kExitInvalidInput when it is not a
// well-formed recovery password.
int RunRecoveryPasswordCheck(std::string_view typed, bool json);

// Prints a new random recovery password, its key and a new protector key ID.
int RunRecoveryPasswordGenerate(bool json);

}  // namespace lockbox::cli
