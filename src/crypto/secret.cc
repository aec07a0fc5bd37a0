#include "crypto/secret.h"

#include <openssl/crypto.h>

#include <cstring>

#include "crypto/secret_pool.h"

namespace lockbox::crypto {

SecretBytes::SecretBytes(size_t size) : data_(AllocateSecret(size)), size_(size) {}

SecretBytes::SecretBytes(std::span<const uint8_t> bytes) : SecretBytes(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

SecretBytes::~SecretBytes() { Release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes SecretBytes::Clone() const { return SecretBytes(span()); }

void SecretBytes::Release() {
  if (data_ == nullptr) return;
  OPENSSL_cleanse(data_, size_);
  FreeSecret(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

void Wipe(std::span<uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  // Lengths are not secret (key and tag sizes are fixed by the format); only contents are.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lockbox::crypto
