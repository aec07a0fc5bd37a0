// Helpers shared by the crypto part's OpenSSL wrappers. Not part of the public interface.
#pragma once

#include <openssl/evp.h>

#include <memory>

#include "util/status.h"

namespace lockbox::crypto::internal {

// SHA-256, fetched from the default provider once per process. One-shot calls that name
// EVP_sha256() or use SHA256() fetch it again on every call, which costs more than hashing a
// short message.
const EVP_MD* Sha256Md();

// For calls that fail only when OpenSSL itself is broken or out of memory (allocating a
// context, initialising a digest). Printing OpenSSL's error queue and aborting is the one honest
// answer: such a failure is not the caller's fault and there is nothing to retry.
[[noreturn]] void DieOfOpenSslFailure(const char* what);

// kInternal naming the step that failed and OpenSSL's reason; empties OpenSSL's error queue so
// the next failure is not blamed on this one.
Status OpenSslError(const char* what);

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// A new context, never null.
MdCtxPtr NewMdCtx();
CipherCtxPtr NewCipherCtx();

}  // namespace lockbox::crypto::internal
