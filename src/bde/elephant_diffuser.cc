#include "bde/elephant_diffuser.h"

#include <array>
#include <bit>
#include <cassert>
#include <cstring>

namespace lockbox::bde {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the diffuser reads sector words in host order");

// Diffuser A's dependency d[i] <- d[i - 2] is too short to vectorise within a sector, so four
// sectors are processed side by side: lane s of V holds word i of sector s. Every lane then
// needs the same rotation, and the loops below compile to plain SSE2 (or wider) operations.
using V = uint32_t __attribute__((vector_size(16)));
constexpr size_t kLanes = sizeof(V) / sizeof(uint32_t);
constexpr size_t kMaxWords = 4096 / 4;

constexpr std::array<unsigned, 4> kRa = {9, 0, 13, 0};
constexpr std::array<unsigned, 4> kRb = {0, 10, 0, 25};
constexpr int kCyclesA = 5;
constexpr int kCyclesB = 3;

template <unsigned R>
inline V Rotl(V x) {
  if constexpr (R == 0) {
    return x;
  } else {
    return (x << R) | (x >> (32 - R));
  }
}

inline V RotlBy(V x, unsigned r) { return (x << r) | (x >> ((32 - r) & 31)); }

// Decryption of diffuser B, one cycle. Reads run ahead of writes except in the last 8 steps,
// where i + 2 or i + 5 wraps around to words this cycle already changed.
void DecryptB(V* d, size_t n) {
  size_t i = 0;
  for (; i + 8 < n; i += 4) {
    d[i] += d[i + 2] ^ d[i + 5];
    d[i + 1] += d[i + 3] ^ Rotl<10>(d[i + 6]);
    d[i + 2] += d[i + 4] ^ d[i + 7];
    d[i + 3] += d[i + 5] ^ Rotl<25>(d[i + 8]);
  }
  for (; i < n; ++i) d[i] += d[(i + 2) % n] ^ RotlBy(d[(i + 5) % n], kRb[i % 4]);
}

// Decryption of diffuser A, one cycle. Each word needs the new values of words i - 2 and
// i - 5, so they are carried in registers (m1 = d[i - 1] ... m5 = d[i - 5]) rather than
// re-read from memory right after being stored. The first 8 steps read old values from the
// end of the sector.
void DecryptA(V* d, size_t n) {
  for (size_t i = 0; i < 8; ++i)
    d[i] += d[(i + n - 2) % n] ^ RotlBy(d[(i + n - 5) % n], kRa[i % 4]);
  V m1 = d[7], m2 = d[6], m3 = d[5], m4 = d[4], m5 = d[3];
  for (size_t i = 8; i < n; i += 4) {
    const V x0 = d[i] + (m2 ^ Rotl<9>(m5));
    const V x1 = d[i + 1] + (m1 ^ m4);
    const V x2 = d[i + 2] + (x0 ^ Rotl<13>(m3));
    const V x3 = d[i + 3] + (x1 ^ m2);
    d[i] = x0;
    d[i + 1] = x1;
    d[i + 2] = x2;
    d[i + 3] = x3;
    m5 = m1;
    m4 = x0;
    m3 = x1;
    m2 = x2;
    m1 = x3;
  }
}

// Encryption is only used to build test volumes, so it stays in the plain form of the
// definition: i descending, subtracting.
void EncryptA(V* d, size_t n) {
  for (size_t i = n; i-- > 0;) d[i] -= d[(i + n - 2) % n] ^ RotlBy(d[(i + n - 5) % n], kRa[i % 4]);
}
void EncryptB(V* d, size_t n) {
  for (size_t i = n; i-- > 0;) d[i] -= d[(i + 2) % n] ^ RotlBy(d[(i + 5) % n], kRb[i % 4]);
}

// 4x4 transpose of 32-bit words: rows in, columns out.
inline void Transpose(V& r0, V& r1, V& r2, V& r3) {
  const V t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);
  const V t1 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
  const V t2 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
  const V t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
  r0 = __builtin_shufflevector(t0, t1, 0, 1, 4, 5);
  r1 = __builtin_shufflevector(t0, t1, 2, 3, 6, 7);
  r2 = __builtin_shufflevector(t2, t3, 0, 1, 4, 5);
  r3 = __builtin_shufflevector(t2, t3, 2, 3, 6, 7);
}

// Runs `body` on every group of kLanes sectors in the transposed layout. A short last group
// is padded with zero sectors whose results are dropped.
template <typename Body>
void ForEachSectorGroup(std::span<uint8_t> sectors, size_t sector_size, Body body) {
  assert(sector_size % 64 == 0 && sector_size / 4 <= kMaxWords &&
         sectors.size() % sector_size == 0);
  const size_t n = sector_size / 4;
  alignas(64) std::array<V, kMaxWords> t;
  const size_t count = sectors.size() / sector_size;
  for (size_t first = 0; first < count; first += kLanes) {
    const size_t lanes = std::min(kLanes, count - first);
    uint8_t* base = sectors.data() + first * sector_size;
    for (size_t j = 0; j < n; j += 4) {
      V r[kLanes] = {};
      for (size_t s = 0; s < lanes; ++s) std::memcpy(&r[s], base + s * sector_size + j * 4, 16);
      Transpose(r[0], r[1], r[2], r[3]);
      for (size_t k = 0; k < 4; ++k) t[j + k] = r[k];
    }
    body(t.data(), n);
    for (size_t j = 0; j < n; j += 4) {
      V r[kLanes] = {t[j], t[j + 1], t[j + 2], t[j + 3]};
      Transpose(r[0], r[1], r[2], r[3]);
      for (size_t s = 0; s < lanes; ++s) std::memcpy(base + s * sector_size + j * 4, &r[s], 16);
    }
  }
}

}  // namespace

void ElephantDiffuserDecrypt(std::span<uint8_t> sectors, size_t sector_size) {
  ForEachSectorGroup(sectors, sector_size, [](V* d, size_t n) {
    for (int c = 0; c < kCyclesB; ++c) DecryptB(d, n);
    for (int c = 0; c < kCyclesA; ++c) DecryptA(d, n);
  });
}

void ElephantDiffuserEncrypt(std::span<uint8_t> sectors, size_t sector_size) {
  ForEachSectorGroup(sectors, sector_size, [](V* d, size_t n) {
    for (int c = 0; c < kCyclesA; ++c) EncryptA(d, n);
    for (int c = 0; c < kCyclesB; ++c) EncryptB(d, n);
  });
}

}  // namespace lockbox::bde
