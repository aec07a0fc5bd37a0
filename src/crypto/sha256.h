// SHA-256 (OpenSSL EVP). One-shot, and an incremental hasher that reuses its context.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace lockbox::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::span<const uint8_t> data);

// Reusable hasher: Reset() is cheap (no re-fetch of the implementation).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Reset();
  void Update(std::span<const uint8_t> data);
  Sha256Digest Finish();  // then Reset() before reuse

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lockbox::crypto
