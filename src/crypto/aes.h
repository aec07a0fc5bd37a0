// AES block modes for sector encryption, each holding an OpenSSL context with its key set
// once. Not thread-safe: make one object per thread (construction is cheap).
//
// Every call processes whole 16-byte blocks, without padding. Encrypt and decrypt both
// exist because the tests build volumes as well as read them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "util/status.h"

namespace lockbox::crypto {

enum class Direction { kEncrypt, kDecrypt };

// AES-ECB over whole blocks (BitLocker derives CBC IVs and Elephant sector keys with it).
class AesEcb {
 public:
  // key: 16 or 32 bytes.
  static Result<AesEcb> Create(std::span<const uint8_t> key, Direction direction);
  Status Process(std::span<const uint8_t> in, std::span<uint8_t> out);

  AesEcb(AesEcb&&) noexcept;
  AesEcb& operator=(AesEcb&&) noexcept;
  ~AesEcb();

 private:
  struct Impl;
  explicit AesEcb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// AES-CBC with a caller-given IV per call (one call per sector).
class AesCbc {
 public:
  // key: 16 or 32 bytes.
  static Result<AesCbc> Create(std::span<const uint8_t> key, Direction direction);
  Status Process(std::span<const uint8_t, 16> iv, std::span<const uint8_t> in,
                 std::span<uint8_t> out);

  AesCbc(AesCbc&&) noexcept;
  AesCbc& operator=(AesCbc&&) noexcept;
  ~AesCbc();

 private:
  struct Impl;
  explicit AesCbc(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// XTS-AES (IEEE 1619) with a caller-given 16-byte tweak per call (one call per sector).
class AesXts {
 public:
  // key: 32 (XTS-AES-128) or 64 (XTS-AES-256) bytes, data key then tweak key.
  static Result<AesXts> Create(std::span<const uint8_t> key, Direction direction);
  Status Process(std::span<const uint8_t, 16> tweak, std::span<const uint8_t> in,
                 std::span<uint8_t> out);

  AesXts(AesXts&&) noexcept;
  AesXts& operator=(AesXts&&) noexcept;
  ~AesXts();

 private:
  struct Impl;
  explicit AesXts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lockbox::crypto
