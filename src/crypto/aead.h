// Aead: authenticated encryption with associated data, AES-256-GCM, in the manner of Tink.
//
// A caller holds an Aead made from a 32-byte key and asks it to Seal or Open; it never picks a
// nonce or a mode. Associated data is authenticated but not encrypted: it binds a ciphertext
// to its context (the store passes "recovery_password:<key id>:<volume guid>"), so a sealed
// blob copied into another record does not open there.
//
// Sealed layout: nonce (12 random bytes) || ciphertext (same length as the plaintext) ||
// tag (16 bytes). A random 96-bit nonce per message keeps the nonce-reuse risk negligible for
// far more messages (2^32 per key, NIST SP 800-38D) than a recovery store will ever seal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::crypto {

class Aead {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverheadSize = kNonceSize + kTagSize;

  // An Aead holding its own copy of `key`. kInvalidArgument unless the key is 32 bytes.
  static Result<Aead> Create(std::span<const uint8_t> key);

  // nonce || ciphertext || tag, with a fresh random nonce.
  Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> plaintext,
                                    std::string_view associated_data) const;

  // The plaintext of a Seal() result. kCorrupt when `sealed` is too short to be one;
  // kWrongKey when the tag does not verify: another key, other associated data, or altered
  // bytes (AES-GCM cannot tell these apart, and saying which would help an attacker).
  Result<SecretBytes> Open(std::span<const uint8_t> sealed, std::string_view associated_data) const;

 private:
  explicit Aead(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace lockbox::crypto
