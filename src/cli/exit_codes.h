// The `lockbox` command's exit codes (documented in `lockbox --help` and docs/cli.md) and
// the one place errors are printed.
#pragma once

#include <string>

#include "util/status.h"

namespace lockbox::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // internal error
  kExitUsage = 2,          // bad command line
  kExitInvalidInput = 3,   // input given on the command line is malformed (e.g. recovery password)
  kExitNotBitLocker = 4,   // the image is not a BitLocker volume
  kExitCorrupt = 5,        // damaged: BitLocker metadata (no valid copy), or the audit chain
  kExitWrongKey = 6,       // no given key opens any protector
  kExitUnsupported = 7,    // nothing usable: only TPM/smart-card protectors, unsupported layout
  kExitIoError = 8,        // reading or writing failed
  kExitOutputExists = 9,   // the output exists and --force was not given
};

// The text appended to `lockbox --help`.
std::string ExitCodeHelp();

int ExitCodeFor(const Status& status);

// Prints "lockbox: <message>" on stderr (or a JSON error object on stdout when `json`) and
// returns the exit code for `status`.
int ReportError(const Status& status, bool json);

}  // namespace lockbox::cli
