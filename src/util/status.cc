#include "util/status.h"

namespace lockbox {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotBitLocker: return "not_bitlocker";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kWrongKey: return "wrong_key";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kIoError: return "io_error";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
  }
  return "unknown";
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace lockbox
