#include "crypto/aead.h"

#include <openssl/err.h>

#include <climits>
#include <string>

#include "crypto/openssl_internal.h"
#include "crypto/random.h"

namespace lockbox::crypto {
namespace {

// EVP takes lengths as int; records we seal are a few kilobytes at most.
constexpr size_t kMaxSize = INT_MAX - Aead::kOverheadSize;

Status CheckSize(size_t size, const char* what) {
  if (size > kMaxSize) {
    return Status::InvalidArgument(std::string("AES-GCM ") + what + " of " + std::to_string(size) +
                                   " bytes is larger than 2 GiB");
  }
  return Status::Ok();
}

// Sets up `ctx` for one message: cipher, key, nonce, then the associated data.
Status StartGcm(EVP_CIPHER_CTX* ctx, bool encrypt, const SecretBytes& key,
                std::span<const uint8_t> nonce, std::string_view associated_data) {
  const int enc = encrypt ? 1 : 0;
  int ignored = 0;
  if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr, enc) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(Aead::kNonceSize),
                          nullptr) != 1 ||
      EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data(), enc) != 1) {
    return internal::OpenSslError("setting up AES-256-GCM");
  }
  if (!associated_data.empty() &&
      EVP_CipherUpdate(ctx, nullptr, &ignored,
                       reinterpret_cast<const uint8_t*>(associated_data.data()),
                       static_cast<int>(associated_data.size())) != 1) {
    return internal::OpenSslError("adding AES-GCM associated data");
  }
  return Status::Ok();
}

}  // namespace

Result<Aead> Aead::Create(std::span<const uint8_t> key) {
  if (key.size() != kKeySize) {
    return Status::InvalidArgument("AES-256-GCM needs a 32-byte key, got " +
                                   std::to_string(key.size()) + " bytes");
  }
  return Aead(SecretBytes(key));
}

Result<std::vector<uint8_t>> Aead::Seal(std::span<const uint8_t> plaintext,
                                        std::string_view associated_data) const {
  LOCKBOX_RETURN_IF_ERROR(CheckSize(plaintext.size(), "plaintext"));
  LOCKBOX_RETURN_IF_ERROR(CheckSize(associated_data.size(), "associated data"));
  std::vector<uint8_t> sealed(kNonceSize + plaintext.size() + kTagSize);
  const std::span<uint8_t> nonce(sealed.data(), kNonceSize);
  LOCKBOX_RETURN_IF_ERROR(RandomBytes(nonce));
  const internal::CipherCtxPtr ctx = internal::NewCipherCtx();
  LOCKBOX_RETURN_IF_ERROR(StartGcm(ctx.get(), /*encrypt=*/true, key_, nonce, associated_data));
  uint8_t* out = sealed.data() + kNonceSize;
  int out_size = 0;
  if ((!plaintext.empty() && EVP_CipherUpdate(ctx.get(), out, &out_size, plaintext.data(),
                                              static_cast<int>(plaintext.size())) != 1) ||
      EVP_CipherFinal_ex(ctx.get(), out + plaintext.size(), &out_size) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                          out + plaintext.size()) != 1) {
    return internal::OpenSslError("encrypting with AES-256-GCM");
  }
  return sealed;
}

Result<SecretBytes> Aead::Open(std::span<const uint8_t> sealed,
                               std::string_view associated_data) const {
  if (sealed.size() < kOverheadSize) {
    return Status::Corrupt("a sealed AES-GCM blob is at least " + std::to_string(kOverheadSize) +
                           " bytes, this one has " + std::to_string(sealed.size()) +
                           ": it was truncated");
  }
  LOCKBOX_RETURN_IF_ERROR(CheckSize(sealed.size() - kOverheadSize, "ciphertext"));
  LOCKBOX_RETURN_IF_ERROR(CheckSize(associated_data.size(), "associated data"));
  const auto nonce = sealed.first(kNonceSize);
  const auto ciphertext = sealed.subspan(kNonceSize, sealed.size() - kOverheadSize);
  const auto tag = sealed.last(kTagSize);
  const internal::CipherCtxPtr ctx = internal::NewCipherCtx();
  LOCKBOX_RETURN_IF_ERROR(StartGcm(ctx.get(), /*encrypt=*/false, key_, nonce, associated_data));
  SecretBytes plaintext(ciphertext.size());
  int out_size = 0;
  // The expected tag is only read, but the control call takes a non-const pointer.
  auto* expected_tag = const_cast<uint8_t*>(tag.data());
  if ((!ciphertext.empty() &&
       EVP_CipherUpdate(ctx.get(), plaintext.data(), &out_size, ciphertext.data(),
                        static_cast<int>(ciphertext.size())) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize),
                          expected_tag) != 1) {
    return internal::OpenSslError("decrypting with AES-256-GCM");
  }
  // OpenSSL compares the tag in constant time here.
  uint8_t final_block[1];
  if (EVP_CipherFinal_ex(ctx.get(), final_block, &out_size) != 1) {
    ERR_clear_error();
    Wipe(plaintext.span());
    return Status::WrongKey(
        "the key does not open this sealed secret (another key, a secret moved from another "
        "record, or altered data)");
  }
  return plaintext;
}

}  // namespace lockbox::crypto
