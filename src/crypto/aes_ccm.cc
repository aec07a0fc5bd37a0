#include "crypto/aes_ccm.h"

#include <openssl/err.h>

#include <algorithm>
#include <string>

#include "crypto/openssl_internal.h"

namespace lockbox::crypto {
namespace {

constexpr size_t kKeySize = 32;
constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;
// CCM spends 15 - nonce size = 3 bytes on the message length.
constexpr size_t kMaxMessageSize = (size_t{1} << 24) - 1;

Status CheckSizes(std::span<const uint8_t> key, size_t message_size) {
  if (key.size() != kKeySize) {
    return Status::InvalidArgument("AES-256-CCM needs a 32-byte key, got " +
                                   std::to_string(key.size()) + " bytes");
  }
  if (message_size > kMaxMessageSize) {
    return Status::InvalidArgument(
        "AES-CCM with a 12-byte nonce is limited to 16 MiB - 1 per "
        "message, got " +
        std::to_string(message_size) + " bytes");
  }
  return Status::Ok();
}

// Sets up `ctx` for one message: cipher, nonce and tag sizes (and the expected tag when
// decrypting), key and nonce, then the message length, which CCM must know before any data.
Status StartCcm(EVP_CIPHER_CTX* ctx, bool encrypt, std::span<const uint8_t> key,
                std::span<const uint8_t, kNonceSize> nonce, const uint8_t* expected_tag,
                size_t message_size) {
  const int enc = encrypt ? 1 : 0;
  // CCM's control calls take a non-const pointer even for data they only read.
  auto* tag = const_cast<uint8_t*>(expected_tag);
  int ignored = 0;
  if (EVP_CipherInit_ex(ctx, EVP_aes_256_ccm(), nullptr, nullptr, nullptr, enc) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kTagSize, tag) != 1 ||
      EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data(), enc) != 1 ||
      EVP_CipherUpdate(ctx, nullptr, &ignored, nullptr, static_cast<int>(message_size)) != 1) {
    return internal::OpenSslError("setting up AES-256-CCM");
  }
  return Status::Ok();
}

// EVP_CipherUpdate reads a null input as "here is the length", so an empty message is passed
// through a pointer to this instead.
uint8_t kEmpty[1];

}  // namespace

Result<SecretBytes> AesCcmDecrypt(std::span<const uint8_t> key, const CcmSealed& sealed) {
  LOCKBOX_RETURN_IF_ERROR(CheckSizes(key, sealed.ciphertext.size()));
  const internal::CipherCtxPtr ctx = internal::NewCipherCtx();
  LOCKBOX_RETURN_IF_ERROR(StartCcm(ctx.get(), /*encrypt=*/false, key, sealed.nonce,
                                   sealed.tag.data(), sealed.ciphertext.size()));
  SecretBytes plaintext(sealed.ciphertext.size());
  const uint8_t* in = sealed.ciphertext.empty() ? kEmpty : sealed.ciphertext.data();
  uint8_t* out = plaintext.empty() ? kEmpty : plaintext.data();
  int out_size = 0;
  // OpenSSL checks the tag here (with CRYPTO_memcmp) and wipes the output when it differs.
  if (EVP_CipherUpdate(ctx.get(), out, &out_size, in, static_cast<int>(sealed.ciphertext.size())) !=
      1) {
    ERR_clear_error();
    return Status::WrongKey(
        "the key does not open this AES-CCM blob (wrong key, or the data was altered)");
  }
  return plaintext;
}

Result<CcmSealed> AesCcmEncrypt(std::span<const uint8_t> key, std::span<const uint8_t, 12> nonce,
                                std::span<const uint8_t> plaintext) {
  LOCKBOX_RETURN_IF_ERROR(CheckSizes(key, plaintext.size()));
  const internal::CipherCtxPtr ctx = internal::NewCipherCtx();
  LOCKBOX_RETURN_IF_ERROR(
      StartCcm(ctx.get(), /*encrypt=*/true, key, nonce, nullptr, plaintext.size()));
  CcmSealed sealed;
  std::copy(nonce.begin(), nonce.end(), sealed.nonce.begin());
  sealed.ciphertext.resize(plaintext.size());
  const uint8_t* in = plaintext.empty() ? kEmpty : plaintext.data();
  uint8_t* out = sealed.ciphertext.empty() ? kEmpty : sealed.ciphertext.data();
  int out_size = 0;
  if (EVP_CipherUpdate(ctx.get(), out, &out_size, in, static_cast<int>(plaintext.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out, &out_size) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, sealed.tag.data()) != 1) {
    return internal::OpenSslError("encrypting with AES-256-CCM");
  }
  return sealed;
}

}  // namespace lockbox::crypto
