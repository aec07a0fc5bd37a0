#include "service/options.h"

namespace lockbox::service {

std::vector<std::string> DefaultDriveUnlockReasons() {
  return {"Operating System Boot Order changed",
          "BIOS changed",
          "Operating System files changed",
          "Lost Startup key",
          "Lost PIN",
          "TPM Reset",
          "Lost Passphrase",
          "Lost Smartcard",
          "Reset PIN lockout",
          std::string(kOtherReason)};
}

std::vector<std::string> DefaultTpmReasons() {
  return {"Turn on TPM", "Turn off TPM",      "Change TPM password",
          "Clear TPM",   "Reset TPM lockout", std::string(kOtherReason)};
}

}  // namespace lockbox::service
