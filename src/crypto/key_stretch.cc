#include "crypto/key_stretch.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

#include "util/bytes.h"

namespace lockbox::crypto {
namespace {

// The 88-byte state, followed by SHA-256's padding for an 88-byte message, so that every round
// is exactly two whole blocks that the compression function takes as they are. The padding
// never changes; only last_hash and the counter do.
constexpr size_t kLastHashOffset = 0;
constexpr size_t kInitialHashOffset = 32;
constexpr size_t kSaltOffset = 64;
constexpr size_t kCounterOffset = 80;
constexpr size_t kStateSize = 88;
constexpr size_t kPaddedSize = 2 * SHA256_CBLOCK;
constexpr uint64_t kStateBits = kStateSize * 8;

void StoreBe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

}  // namespace

SecretBytes StretchKey(std::span<const uint8_t, 32> initial_hash, std::span<const uint8_t, 16> salt,
                       uint64_t rounds) {
  // The block lives in a SecretBytes so that it is wiped and kept out of core dumps like the
  // key it turns into.
  SecretBytes block(kPaddedSize);
  uint8_t* b = block.data();
  std::memcpy(b + kInitialHashOffset, initial_hash.data(), initial_hash.size());
  std::memcpy(b + kSaltOffset, salt.data(), salt.size());
  b[kStateSize] = 0x80;
  for (size_t i = 0; i < 8; ++i) {
    b[kPaddedSize - 1 - i] = static_cast<uint8_t>(kStateBits >> (8 * i));
  }

  // SHA256_Init/SHA256_Update are deprecated in OpenSSL 3 in favour of EVP, but they are still
  // shipped and they are the fastest way into the SHA-NI compression function: a round costs
  // two compressions, and a reused EVP context with a pre-fetched SHA-256 (provider dispatch,
  // buffering, final padding) takes about 1.6 times as long. bench/crypto_bench.cc measures
  // both; SHA256_Transform twice per round measured no faster than one two-block Update.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX ctx;
  for (uint64_t counter = 0; counter < rounds; ++counter) {
    StoreLe64(b + kCounterOffset, counter);
    SHA256_Init(&ctx);
    // Two whole blocks with nothing buffered: OpenSSL compresses them straight from `b`. We
    // read the chaining value ourselves instead of calling SHA256_Final, whose padding is
    // already in the block.
    SHA256_Update(&ctx, b, kPaddedSize);
    for (size_t i = 0; i < 8; ++i) StoreBe32(b + kLastHashOffset + 4 * i, ctx.h[i]);
  }
#pragma GCC diagnostic pop
  OPENSSL_cleanse(&ctx, sizeof(ctx));

  return SecretBytes(std::span<const uint8_t>(b + kLastHashOffset, SHA256_DIGEST_LENGTH));
}

}  // namespace lockbox::crypto
