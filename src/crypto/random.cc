#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace lockbox::crypto {

Status RandomBytes(std::span<uint8_t> out) {
  // RAND_priv_bytes takes an int length, so very large requests go in pieces.
  while (!out.empty()) {
    const size_t chunk = std::min<size_t>(out.size(), INT_MAX);
    if (RAND_priv_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      return Status::Internal(
          "the random number generator failed (OpenSSL could not seed it from the operating "
          "system); check that /dev/urandom or getrandom() is available");
    }
    out = out.subspan(chunk);
  }
  return Status::Ok();
}

}  // namespace lockbox::crypto
