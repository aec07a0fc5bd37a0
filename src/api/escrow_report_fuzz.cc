// Feeds bytes to an agent report's decoding as the report route runs it: JSON parsing, then
// DecodeEscrowReport with every field check. Decoding either succeeds or fails with a message
// naming a field; it must never crash, hang or echo a recovery password.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "api/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json body = nlohmann::json::parse(data, data + size, nullptr, false);
  if (body.is_discarded()) return 0;
  auto report = lockbox::api::DecodeEscrowReport(body);
  if (!report.ok()) {
    if (report.status().code() != lockbox::ErrorCode::kInvalidArgument ||
        report.status().message().empty()) {
      std::abort();
    }
    return 0;
  }
  // A decoded report respects the limits the service relies on.
  if (report->volumes.size() > lockbox::service::kMaxVolumes ||
      report->recovery_passwords.size() > lockbox::service::kMaxRecoveryPasswords ||
      report->users.size() > lockbox::service::kMaxUsers) {
    std::abort();
  }
  return 0;
}
