// Base64 (RFC 4648, standard alphabet with padding), with OpenSSL: how the API carries binary
// secrets (key packages, TPM owner authorisation) inside JSON.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::crypto {

std::string Base64Encode(std::span<const uint8_t> bytes);

// Decodes into wiped memory. kInvalidArgument for a length that is not a multiple of 4, a
// character outside the alphabet, or misplaced padding; kInvalidArgument also when the
// result would exceed `max_bytes`. The message never quotes the text.
Result<SecretBytes> Base64Decode(std::string_view text, size_t max_bytes);

}  // namespace lockbox::crypto
