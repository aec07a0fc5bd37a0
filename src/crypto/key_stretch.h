// BitLocker's key stretch (recovery passwords and user passwords).
//
// An 88-byte state {last_hash[32], initial_hash[32], salt[16], u64 counter LE}, all zero at
// first except initial_hash and salt; 0x100000 times: last_hash = SHA-256(state), counter += 1.
// The result is last_hash: the 32-byte AES-CCM key that opens the protector's VMK.
// This is the dominant cost of unlocking (about 0.1-0.2 s), so it is written for speed.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/secret.h"

namespace lockbox::crypto {

inline constexpr uint64_t kKeyStretchRounds = 0x100000;

// `rounds` exists for tests and benchmarks; BitLocker always uses kKeyStretchRounds.
SecretBytes StretchKey(std::span<const uint8_t, 32> initial_hash,
                       std::span<const uint8_t, 16> salt, uint64_t rounds = kKeyStretchRounds);

}  // namespace lockbox::crypto
