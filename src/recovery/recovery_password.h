// RecoveryPassword: BitLocker's 48-digit recovery password and the 16-byte key it encodes.
//
// 8 blocks of 6 digits; each block is 11 x a 16-bit value, and the 16-byte recovery key is
// those 8 values little-endian. People type it over the phone, so Parse() accepts hyphens or
// spaces between blocks (or none) and Check() explains every mistake (see recovery/check.h).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::recovery {

class RecoveryPassword {
 public:
  // kInvalidArgument naming the position of a bad character or the bad blocks.
  static Result<RecoveryPassword> Parse(std::string_view typed);
  // A new random password from the CSPRNG.
  static Result<RecoveryPassword> Generate();
  static RecoveryPassword FromKey(std::span<const uint8_t, 16> key);

  // "123456-234567-..." (55 characters). A secret: never log it.
  std::string ToString() const;
  // The 16-byte recovery key.
  const crypto::SecretBytes& key() const { return key_; }

 private:
  explicit RecoveryPassword(crypto::SecretBytes key) : key_(std::move(key)) {}
  crypto::SecretBytes key_;
};

}  // namespace lockbox::recovery
