#include "crypto/aes.h"

#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "crypto/openssl_internal.h"
#include "crypto/secret.h"

namespace lockbox::crypto {
namespace {

constexpr size_t kBlockSize = 16;
// EVP_CipherUpdate takes an int length; ECB and CBC carry their state across calls, so longer
// inputs go through in pieces of this many bytes (a multiple of the block size).
constexpr size_t kMaxChunk = size_t{1} << 30;

// What distinguishes the modes here: the two key sizes each accepts and the matching OpenSSL
// ciphers, and the input sizes Process() accepts.
struct ModeSpec {
  const char* name;
  size_t small_key_size;
  size_t large_key_size;
  const EVP_CIPHER* (*small_key_cipher)();
  const EVP_CIPHER* (*large_key_cipher)();
  size_t min_size;
  size_t max_size;
};

constexpr ModeSpec kEcb{"AES-ECB", 16, 32, EVP_aes_128_ecb, EVP_aes_256_ecb, 0, SIZE_MAX};
constexpr ModeSpec kCbc{"AES-CBC", 16, 32, EVP_aes_128_cbc, EVP_aes_256_cbc, 0, SIZE_MAX};
// XTS keys are the data key followed by the tweak key. IEEE 1619 allows at most 2^20 blocks
// per data unit and OpenSSL enforces it; one call is one data unit (one tweak), so it cannot
// be split.
constexpr ModeSpec kXts{"AES-XTS",       32, 64, EVP_aes_128_xts, EVP_aes_256_xts, kBlockSize,
                        kBlockSize << 20};

// An EVP context with cipher, key and direction set once and padding off; each call only
// changes the IV (or tweak), which is far cheaper than setting the key again.
class KeyedCipher {
 public:
  static Result<KeyedCipher> Create(const ModeSpec& mode, std::span<const uint8_t> key,
                                    Direction direction) {
    const EVP_CIPHER* cipher = key.size() == mode.small_key_size   ? mode.small_key_cipher()
                               : key.size() == mode.large_key_size ? mode.large_key_cipher()
                                                                   : nullptr;
    if (cipher == nullptr) {
      return Status::InvalidArgument(std::string(mode.name) + " needs a key of " +
                                     std::to_string(mode.small_key_size) + " or " +
                                     std::to_string(mode.large_key_size) + " bytes, got " +
                                     std::to_string(key.size()));
    }
    internal::CipherCtxPtr ctx = internal::NewCipherCtx();
    const int enc = direction == Direction::kEncrypt ? 1 : 0;
    if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, enc) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
      return internal::OpenSslError((std::string("setting the key of ") + mode.name).c_str());
    }
    return KeyedCipher(mode, std::move(ctx));
  }

  // `iv` is null for ECB.
  Status Run(const uint8_t* iv, std::span<const uint8_t> in, std::span<uint8_t> out) {
    LOCKBOX_RETURN_IF_ERROR(CheckSizes(in, out));
    if (iv != nullptr && EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv, -1) != 1) {
      return internal::OpenSslError((std::string("setting the IV of ") + mode_.name).c_str());
    }
    for (size_t done = 0; done < in.size();) {
      const size_t chunk = std::min(in.size() - done, kMaxChunk);
      int written = 0;
      if (EVP_CipherUpdate(ctx_.get(), out.data() + done, &written, in.data() + done,
                           static_cast<int>(chunk)) != 1) {
        return internal::OpenSslError(mode_.name);
      }
      done += chunk;
    }
    return Status::Ok();
  }

 private:
  KeyedCipher(const ModeSpec& mode, internal::CipherCtxPtr ctx)
      : mode_(mode), ctx_(std::move(ctx)) {}

  // Messages are built only on failure: this runs for every sector.
  Status CheckSizes(std::span<const uint8_t> in, std::span<uint8_t> out) const {
    const auto fail = [&](const std::string& what) {
      return Status::InvalidArgument(std::string(mode_.name) + " " + what + "; got " +
                                     std::to_string(in.size()) + " bytes in, " +
                                     std::to_string(out.size()) + " bytes out");
    };
    if (in.size() != out.size()) return fail("needs an output as large as its input");
    if (in.size() % kBlockSize != 0) return fail("takes whole 16-byte blocks");
    if (in.size() < mode_.min_size) {
      return fail("needs at least " + std::to_string(mode_.min_size) + " bytes");
    }
    if (in.size() > mode_.max_size) {
      return fail("takes at most " + std::to_string(mode_.max_size) + " bytes per call");
    }
    // In place is fine; a shifted overlap would read bytes already overwritten.
    const uint8_t* in_begin = in.data();
    const uint8_t* out_begin = out.data();
    if (in_begin != out_begin && !in.empty() && in_begin < out_begin + out.size() &&
        out_begin < in_begin + in.size()) {
      return fail("needs its input and output to be the same buffer or not to overlap");
    }
    return Status::Ok();
  }

  ModeSpec mode_;
  internal::CipherCtxPtr ctx_;
};

}  // namespace

struct AesEcb::Impl {
  KeyedCipher cipher;
};

Result<AesEcb> AesEcb::Create(std::span<const uint8_t> key, Direction direction) {
  LOCKBOX_ASSIGN_OR_RETURN(KeyedCipher cipher, KeyedCipher::Create(kEcb, key, direction));
  return AesEcb(std::make_unique<Impl>(Impl{std::move(cipher)}));
}

Status AesEcb::Process(std::span<const uint8_t> in, std::span<uint8_t> out) {
  return impl_->cipher.Run(nullptr, in, out);
}

AesEcb::AesEcb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AesEcb::AesEcb(AesEcb&&) noexcept = default;
AesEcb& AesEcb::operator=(AesEcb&&) noexcept = default;
AesEcb::~AesEcb() = default;

struct AesCbc::Impl {
  KeyedCipher cipher;
};

Result<AesCbc> AesCbc::Create(std::span<const uint8_t> key, Direction direction) {
  LOCKBOX_ASSIGN_OR_RETURN(KeyedCipher cipher, KeyedCipher::Create(kCbc, key, direction));
  return AesCbc(std::make_unique<Impl>(Impl{std::move(cipher)}));
}

Status AesCbc::Process(std::span<const uint8_t, 16> iv, std::span<const uint8_t> in,
                       std::span<uint8_t> out) {
  return impl_->cipher.Run(iv.data(), in, out);
}

AesCbc::AesCbc(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AesCbc::AesCbc(AesCbc&&) noexcept = default;
AesCbc& AesCbc::operator=(AesCbc&&) noexcept = default;
AesCbc::~AesCbc() = default;

struct AesXts::Impl {
  KeyedCipher cipher;
};

Result<AesXts> AesXts::Create(std::span<const uint8_t> key, Direction direction) {
  // SP 800-38E forbids equal halves and OpenSSL refuses them for encryption (decryption is
  // allowed so that existing data stays readable). Saying so here gives a useful message.
  if (direction == Direction::kEncrypt && key.size() % 2 == 0 &&
      ConstantTimeEqual(key.first(key.size() / 2), key.last(key.size() / 2))) {
    return Status::InvalidArgument(
        "AES-XTS encryption needs a data key and a tweak key that differ; generate the two "
        "halves independently");
  }
  LOCKBOX_ASSIGN_OR_RETURN(KeyedCipher cipher, KeyedCipher::Create(kXts, key, direction));
  return AesXts(std::make_unique<Impl>(Impl{std::move(cipher)}));
}

Status AesXts::Process(std::span<const uint8_t, 16> tweak, std::span<const uint8_t> in,
                       std::span<uint8_t> out) {
  return impl_->cipher.Run(tweak.data(), in, out);
}

AesXts::AesXts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AesXts::AesXts(AesXts&&) noexcept = default;
AesXts& AesXts::operator=(AesXts&&) noexcept = default;
AesXts::~AesXts() = default;

}  // namespace lockbox::crypto
