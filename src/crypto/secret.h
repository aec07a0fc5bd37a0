// SecretBytes: a fixed-size heap buffer for key material that is wiped when it dies.
//
// Keys, stretched passwords and decrypted key blobs live only in SecretBytes. The buffer never
// reallocates (so no stale copies are left behind), cannot be copied by accident (Clone() is
// explicit), and its pages are excluded from core dumps where the OS allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lockbox::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);  // zero-filled
  explicit SecretBytes(std::span<const uint8_t> bytes);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<uint8_t> span() { return {data_, size_}; }
  std::span<const uint8_t> span() const { return {data_, size_}; }
  uint8_t& operator[](size_t i) { return data_[i]; }
  uint8_t operator[](size_t i) const { return data_[i]; }

 private:
  void Release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Overwrites memory in a way the compiler cannot remove.
void Wipe(std::span<uint8_t> bytes);

// Compares two byte strings in time that depends only on their lengths.
bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Makes this process refuse core dumps and ptrace attachment by other users (prctl
// PR_SET_DUMPABLE 0, RLIMIT_CORE 0). Commands that handle secrets call it first.
void DisableCoreDumps();

}  // namespace lockbox::crypto
