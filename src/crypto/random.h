// Random bytes from OpenSSL's CSPRNG (seeded by the OS).
#pragma once

#include <cstdint>
#include <span>

#include "util/status.h"

namespace lockbox::crypto {

// Fills `out` with cryptographically strong random bytes (RAND_priv_bytes).
Status RandomBytes(std::span<uint8_t> out);

}  // namespace lockbox::crypto
