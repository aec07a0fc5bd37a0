#include "crypto/sha256.h"

#include "crypto/openssl_internal.h"

namespace lockbox::crypto {

Sha256Digest Sha256(std::span<const uint8_t> data) {
  Sha256Digest digest;
  if (EVP_Digest(data.data(), data.size(), digest.data(), nullptr, internal::Sha256Md(), nullptr) !=
      1) {
    internal::DieOfOpenSslFailure("hashing with SHA-256");
  }
  return digest;
}

struct Sha256Hasher::Impl {
  internal::MdCtxPtr ctx = internal::NewMdCtx();
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) { Reset(); }

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Reset() {
  if (EVP_DigestInit_ex2(impl_->ctx.get(), internal::Sha256Md(), nullptr) != 1) {
    internal::DieOfOpenSslFailure("starting SHA-256");
  }
}

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    internal::DieOfOpenSslFailure("hashing with SHA-256");
  }
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest digest;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), digest.data(), nullptr) != 1) {
    internal::DieOfOpenSslFailure("finishing SHA-256");
  }
  return digest;
}

}  // namespace lockbox::crypto
