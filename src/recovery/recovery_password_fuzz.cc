// Feeds arbitrary bytes to everything that reads typed recovery passwords and key IDs, and
// checks the properties callers rely on: Parse() and Check() agree, a parsed password prints
// back to text that parses to the same key, and every report serialises to JSON (which throws
// on invalid UTF-8, so messages must never echo raw input bytes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/secret.h"
#include "recovery/check.h"
#include "recovery/check_json.h"
#include "recovery/key_id.h"
#include "recovery/recovery_password.h"

using lockbox::recovery::Check;
using lockbox::recovery::CheckReport;
using lockbox::recovery::KeyIdPrefix;
using lockbox::recovery::RecoveryPassword;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view typed(reinterpret_cast<const char*>(data), size);

  const CheckReport report = Check(typed);
  (void)lockbox::recovery::CheckReportToJson(report).dump();

  auto password = RecoveryPassword::Parse(typed);
  if (password.ok() != report.valid) std::abort();
  if (password.ok()) {
    auto again = RecoveryPassword::Parse(password->ToString());
    if (!again.ok() ||
        !lockbox::crypto::ConstantTimeEqual(again->key().span(), password->key().span())) {
      std::abort();
    }
  } else if (password.status().message() != report.Summary()) {
    std::abort();
  }

  auto prefix = KeyIdPrefix::Parse(typed);
  if (prefix.ok() && (prefix->hex().size() < 8 || prefix->hex().size() > 32)) std::abort();
  return 0;
}
