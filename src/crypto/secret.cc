#include "crypto/secret.h"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <new>

namespace lockbox::crypto {
namespace {

// Secrets get whole pages of their own so that excluding them from core dumps and locking them
// in RAM affects nothing else, and so that no allocator keeps a copy when they are freed.
size_t MappedLength(size_t size) {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (size + page - 1) / page * page;
}

uint8_t* AllocateSecretPages(size_t size) {
  if (size == 0) return nullptr;
  const size_t length = MappedLength(size);
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Both are best effort: a kernel without MADV_DONTDUMP or a low RLIMIT_MEMLOCK must not stop
  // an unlock. DisableCoreDumps() is the stronger guarantee.
  (void)madvise(p, length, MADV_DONTDUMP);
  (void)mlock(p, length);
  return static_cast<uint8_t*>(p);  // mmap gives zero-filled pages
}

}  // namespace

SecretBytes::SecretBytes(size_t size) : data_(AllocateSecretPages(size)), size_(size) {}

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
  const size_t length = MappedLength(size_);
  OPENSSL_cleanse(data_, length);
  (void)munlock(data_, length);
  (void)munmap(data_, length);
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

void DisableCoreDumps() {
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit no_core{0, 0};
  (void)setrlimit(RLIMIT_CORE, &no_core);
}

}  // namespace lockbox::crypto
