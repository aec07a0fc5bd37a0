// AES-256-CCM (RFC 3610) as BitLocker uses it to wrap keys: 12-byte nonce, 16-byte tag,
// no associated data.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::crypto {

struct CcmSealed {
  std::array<uint8_t, 12> nonce{};
  std::array<uint8_t, 16> tag{};
  std::vector<uint8_t> ciphertext;
};

// Decrypts and authenticates. A tag mismatch (wrong key or altered data) is kWrongKey;
// a key that is not 32 bytes is kInvalidArgument. The tag is compared in constant time.
Result<SecretBytes> AesCcmDecrypt(std::span<const uint8_t> key, const CcmSealed& sealed);

// Encrypts `plaintext` under `key` with `nonce` (used to build volumes in tests and to
// re-wrap keys).
Result<CcmSealed> AesCcmEncrypt(std::span<const uint8_t> key, std::span<const uint8_t, 12> nonce,
                                std::span<const uint8_t> plaintext);

}  // namespace lockbox::crypto
