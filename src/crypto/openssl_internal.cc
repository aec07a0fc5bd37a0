#include "crypto/openssl_internal.h"

#include <openssl/err.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace lockbox::crypto::internal {

const EVP_MD* Sha256Md() {
  // Fetched once and kept for the life of the process (never freed on purpose: it is shared by
  // every thread and must outlive all contexts that use it).
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) DieOfOpenSslFailure("fetching SHA-256");
    return fetched;
  }();
  return md;
}

void DieOfOpenSslFailure(const char* what) {
  std::fprintf(stderr, "lockbox: OpenSSL failed while %s; this is an OpenSSL or memory problem\n",
               what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

Status OpenSslError(const char* what) {
  const unsigned long err = ERR_peek_last_error();
  const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
  ERR_clear_error();
  return Status::Internal(std::string("OpenSSL failed while ") + what + ": " +
                          (reason != nullptr ? reason : "no reason given") +
                          " (a bug in Lockbox or OpenSSL, please report it)");
}

MdCtxPtr NewMdCtx() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) DieOfOpenSslFailure("allocating a digest context");
  return ctx;
}

CipherCtxPtr NewCipherCtx() {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) DieOfOpenSslFailure("allocating a cipher context");
  return ctx;
}

}  // namespace lockbox::crypto::internal
