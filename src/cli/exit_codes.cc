#include "cli/exit_codes.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace lockbox::cli {

std::string ExitCodeHelp() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  internal error\n"
         "  2  bad command line\n"
         "  3  malformed input (e.g. a recovery password with a wrong block)\n"
         "  4  not a BitLocker volume\n"
         "  5  damaged: BitLocker metadata beyond use, or an altered audit log\n"
         "  6  wrong key: no given key opens a protector, or the master key does not open\n"
         "     the store\n"
         "  7  unsupported: only TPM or smart-card protectors, an unsupported layout, or\n"
         "     an operation the store's backend lacks (backup of PostgreSQL)\n"
         "  8  I/O error\n"
         "  9  output exists (use --force)\n";
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kInvalidArgument: return kExitInvalidInput;
    case ErrorCode::kNotBitLocker: return kExitNotBitLocker;
    case ErrorCode::kCorrupt: return kExitCorrupt;
    case ErrorCode::kWrongKey: return kExitWrongKey;
    case ErrorCode::kUnsupported: return kExitUnsupported;
    case ErrorCode::kIoError: return kExitIoError;
    case ErrorCode::kNotFound: return kExitIoError;
    case ErrorCode::kAlreadyExists: return kExitOutputExists;
    case ErrorCode::kInternal: return kExitFailure;
    case ErrorCode::kPermissionDenied: return kExitFailure;
    case ErrorCode::kRateLimited: return kExitFailure;
    case ErrorCode::kUnauthenticated: return kExitFailure;
  }
  return kExitFailure;
}

int ReportError(const Status& status, bool json) {
  if (json) {
    nlohmann::json out = {{"error", {{"code", ErrorCodeName(status.code())},
                                     {"message", status.message()}}}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cerr << "lockbox: " << status.message() << "\n";
  }
  return ExitCodeFor(status);
}

}  // namespace lockbox::cli
