#include "crypto/aes.h"

#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <string>
#include <vector>

#include "crypto/test_hex.h"

namespace lockbox::crypto {
namespace {

using testing::FromHex;
using testing::ToHex;
using Bytes = std::vector<uint8_t>;

// NIST SP 800-38A appendix F: the same four plaintext blocks for every mode.
const Bytes kNistPlaintext = FromHex(
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");
const Bytes kNistKey128 = FromHex("2b7e151628aed2a6abf7158809cf4f3c");
const Bytes kNistKey256 =
    FromHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
const std::array<uint8_t, 16> kNistIv{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

struct NistVector {
  const char* name;
  const Bytes& key;
  Bytes ciphertext;
};

const NistVector kEcbVectors[] = {
    {"F.1.1 ECB-AES128", kNistKey128,
     FromHex("3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf"
             "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4")},
    {"F.1.5 ECB-AES256", kNistKey256,
     FromHex("f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870"
             "b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7")},
};

const NistVector kCbcVectors[] = {
    {"F.2.1 CBC-AES128", kNistKey128,
     FromHex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
             "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7")},
    {"F.2.5 CBC-AES256", kNistKey256,
     FromHex("f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
             "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b")},
};

// Runs `process(in, out)` out of place and in place, expecting `want` both times.
template <typename Process>
void ExpectProcesses(Process process, const Bytes& in, const Bytes& want, const std::string& what) {
  Bytes out(in.size());
  const Status status = process(in, out);
  ASSERT_TRUE(status.ok()) << what << ": " << status.message();
  EXPECT_EQ(ToHex(out), ToHex(want)) << what;
  Bytes buffer = in;
  const Status in_place = process(buffer, buffer);
  ASSERT_TRUE(in_place.ok()) << what << " in place: " << in_place.message();
  EXPECT_EQ(ToHex(buffer), ToHex(want)) << what << " in place";
}

TEST(AesEcbTest, MatchesNistVectorsBothWays) {
  for (const NistVector& v : kEcbVectors) {
    for (Direction d : {Direction::kEncrypt, Direction::kDecrypt}) {
      Result<AesEcb> ecb = AesEcb::Create(v.key, d);
      ASSERT_TRUE(ecb.ok()) << ecb.status().message();
      const bool enc = d == Direction::kEncrypt;
      ExpectProcesses([&](std::span<const uint8_t> in,
                          std::span<uint8_t> out) { return ecb->Process(in, out); },
                      enc ? kNistPlaintext : v.ciphertext, enc ? v.ciphertext : kNistPlaintext,
                      std::string(v.name) + (enc ? " encrypt" : " decrypt"));
    }
  }
}

TEST(AesCbcTest, MatchesNistVectorsBothWays) {
  for (const NistVector& v : kCbcVectors) {
    for (Direction d : {Direction::kEncrypt, Direction::kDecrypt}) {
      Result<AesCbc> cbc = AesCbc::Create(v.key, d);
      ASSERT_TRUE(cbc.ok()) << cbc.status().message();
      const bool enc = d == Direction::kEncrypt;
      ExpectProcesses([&](std::span<const uint8_t> in,
                          std::span<uint8_t> out) { return cbc->Process(kNistIv, in, out); },
                      enc ? kNistPlaintext : v.ciphertext, enc ? v.ciphertext : kNistPlaintext,
                      std::string(v.name) + (enc ? " encrypt" : " decrypt"));
    }
  }
}

TEST(AesCbcTest, EachCallStartsFromItsOwnIv) {
  // F.2.1's second block is the CBC encryption of plaintext block 2 under IV = ciphertext
  // block 1. Calling with that IV must give it, whatever the previous call left behind.
  const NistVector& v = kCbcVectors[0];
  Result<AesCbc> cbc = AesCbc::Create(v.key, Direction::kEncrypt);
  ASSERT_TRUE(cbc.ok());
  Bytes out(kNistPlaintext.size());
  ASSERT_TRUE(cbc->Process(kNistIv, kNistPlaintext, out).ok());
  std::array<uint8_t, 16> iv;
  std::copy(v.ciphertext.begin(), v.ciphertext.begin() + 16, iv.begin());
  Bytes second(16);
  ASSERT_TRUE(cbc->Process(iv, std::span(kNistPlaintext).subspan(16, 16), second).ok());
  EXPECT_EQ(ToHex(second), ToHex(std::span(v.ciphertext).subspan(16, 16)));
}

// IEEE 1619-2007 annex B. The tweak is the data unit sequence number, little-endian.
struct XtsVector {
  const char* name;
  Bytes key;  // key1 (data) then key2 (tweak)
  std::array<uint8_t, 16> tweak;
  Bytes plaintext;
  Bytes ciphertext;
};

Bytes CountingPattern(size_t size) {
  Bytes b(size);
  for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

const XtsVector kXtsVectors[] = {
    {"vector 1",
     Bytes(32, 0),
     {},
     Bytes(32, 0),
     FromHex("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e")},
    {"vector 2",
     FromHex("11111111111111111111111111111111 22222222222222222222222222222222"),
     {0x33, 0x33, 0x33, 0x33, 0x33},
     Bytes(32, 0x44),
     FromHex("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0")},
    {"vector 4",
     FromHex("27182818284590452353602874713526 31415926535897932384626433832795"),
     {},
     CountingPattern(512),
     FromHex("27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c"
             "c78cf7f5e543445f8333d8fa7f56000005279fa5d8b5e4ad40e736ddb4d35412"
             "328063fd2aab53e5ea1e0a9f332500a5df9487d07a5c92cc512c8866c7e860ce"
             "93fdf166a24912b422976146ae20ce846bb7dc9ba94a767aaef20c0d61ad0265"
             "5ea92dc4c4e41a8952c651d33174be51a10c421110e6d81588ede82103a252d8"
             "a750e8768defffed9122810aaeb99f9172af82b604dc4b8e51bcb08235a6f434"
             "1332e4ca60482a4ba1a03b3e65008fc5da76b70bf1690db4eae29c5f1badd03c"
             "5ccf2a55d705ddcd86d449511ceb7ec30bf12b1fa35b913f9f747a8afd1b130e"
             "94bff94effd01a91735ca1726acd0b197c4e5b03393697e126826fb6bbde8ecc"
             "1e08298516e2c9ed03ff3c1b7860f6de76d4cecd94c8119855ef5297ca67e9f3"
             "e7ff72b1e99785ca0a7e7720c5b36dc6d72cac9574c8cbbc2f801e23e56fd344"
             "b07f22154beba0f08ce8891e643ed995c94d9a69c9f1b5f499027a78572aeebd"
             "74d20cc39881c213ee770b1010e4bea718846977ae119f7a023ab58cca0ad752"
             "afe656bb3c17256a9f6e9bf19fdd5a38fc82bbe872c5539edb609ef4f79c203e"
             "bb140f2e583cb2ad15b4aa5b655016a8449277dbd477ef2c8d6c017db738b18d"
             "eb4a427d1923ce3ff262735779a418f20a282df920147beabe421ee5319d0568")},
};

TEST(AesXtsTest, DecryptsIeee1619Vectors) {
  for (const XtsVector& v : kXtsVectors) {
    Result<AesXts> xts = AesXts::Create(v.key, Direction::kDecrypt);
    ASSERT_TRUE(xts.ok()) << v.name << ": " << xts.status().message();
    ExpectProcesses([&](std::span<const uint8_t> in,
                        std::span<uint8_t> out) { return xts->Process(v.tweak, in, out); },
                    v.ciphertext, v.plaintext, std::string(v.name) + " decrypt");
  }
}

TEST(AesXtsTest, EncryptsIeee1619Vectors) {
  // Vector 1 is left out: its two key halves are equal, which OpenSSL refuses for encryption
  // (XtsEncryptionRefusesEqualKeyHalves below).
  for (const XtsVector& v : std::span(kXtsVectors).subspan(1)) {
    Result<AesXts> xts = AesXts::Create(v.key, Direction::kEncrypt);
    ASSERT_TRUE(xts.ok()) << v.name << ": " << xts.status().message();
    ExpectProcesses([&](std::span<const uint8_t> in,
                        std::span<uint8_t> out) { return xts->Process(v.tweak, in, out); },
                    v.plaintext, v.ciphertext, std::string(v.name) + " encrypt");
  }
}

// XTS built by hand from AES-ECB (IEEE 1619 section 5.3), to check XTS-AES-256 and calls
// with changing tweaks against something that does not share our XTS code path.
Bytes ReferenceXtsEncrypt(std::span<const uint8_t> key, std::span<const uint8_t, 16> tweak,
                          const Bytes& plaintext) {
  const size_t half = key.size() / 2;
  Result<AesEcb> data_cipher = AesEcb::Create(key.first(half), Direction::kEncrypt);
  Result<AesEcb> tweak_cipher = AesEcb::Create(key.subspan(half), Direction::kEncrypt);
  EXPECT_TRUE(data_cipher.ok() && tweak_cipher.ok());
  std::array<uint8_t, 16> t;
  EXPECT_TRUE(tweak_cipher->Process(tweak, t).ok());
  Bytes out(plaintext.size());
  for (size_t offset = 0; offset < plaintext.size(); offset += 16) {
    std::array<uint8_t, 16> block;
    for (size_t i = 0; i < 16; ++i) block[i] = plaintext[offset + i] ^ t[i];
    EXPECT_TRUE(data_cipher->Process(block, block).ok());
    for (size_t i = 0; i < 16; ++i) out[offset + i] = block[i] ^ t[i];
    // t *= alpha in GF(2^128), little-endian bytes.
    const bool carry = (t[15] & 0x80) != 0;
    for (size_t i = 15; i > 0; --i) t[i] = static_cast<uint8_t>(t[i] << 1 | t[i - 1] >> 7);
    t[0] = static_cast<uint8_t>(t[0] << 1 ^ (carry ? 0x87 : 0));
  }
  return out;
}

TEST(AesXtsTest, MatchesEcbBuiltReferenceForBothKeySizesAcrossSectors) {
  for (size_t key_size : {32u, 64u}) {
    Bytes key = CountingPattern(key_size);
    Result<AesXts> enc = AesXts::Create(key, Direction::kEncrypt);
    Result<AesXts> dec = AesXts::Create(key, Direction::kDecrypt);
    ASSERT_TRUE(enc.ok() && dec.ok());
    for (uint64_t sector : {0u, 1u, 7u, 0x12345u}) {
      std::array<uint8_t, 16> tweak{};
      for (size_t i = 0; i < 8; ++i) tweak[i] = static_cast<uint8_t>(sector >> (8 * i));
      Bytes plaintext = CountingPattern(4096);
      plaintext[0] = static_cast<uint8_t>(sector);
      const Bytes want = ReferenceXtsEncrypt(key, tweak, plaintext);
      const std::string what =
          std::to_string(key_size * 4) + "-bit sector " + std::to_string(sector);
      ExpectProcesses([&](std::span<const uint8_t> in,
                          std::span<uint8_t> out) { return enc->Process(tweak, in, out); },
                      plaintext, want, what + " encrypt");
      ExpectProcesses([&](std::span<const uint8_t> in,
                          std::span<uint8_t> out) { return dec->Process(tweak, in, out); },
                      want, plaintext, what + " decrypt");
    }
  }
}

TEST(AesXtsTest, XtsEncryptionRefusesEqualKeyHalves) {
  for (size_t size : {32u, 64u}) {
    Result<AesXts> xts = AesXts::Create(Bytes(size, 7), Direction::kEncrypt);
    ASSERT_FALSE(xts.ok());
    EXPECT_EQ(xts.status().code(), ErrorCode::kInvalidArgument);
  }
}

void ExpectInvalid(const Status& status, const std::string& what) {
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << what << ": " << status.message();
}

TEST(AesTest, RejectsKeysOfOtherSizes) {
  for (size_t size : {0u, 15u, 24u, 33u, 64u}) {
    ExpectInvalid(AesEcb::Create(Bytes(size, 1), Direction::kDecrypt).status(), "ECB");
    ExpectInvalid(AesCbc::Create(Bytes(size, 1), Direction::kDecrypt).status(), "CBC");
  }
  for (size_t size : {16u, 48u, 65u}) {
    ExpectInvalid(AesXts::Create(CountingPattern(size), Direction::kDecrypt).status(), "XTS");
  }
}

TEST(AesTest, RejectsBadSizesAndShiftedOverlap) {
  Result<AesEcb> ecb = AesEcb::Create(kNistKey128, Direction::kDecrypt);
  Result<AesCbc> cbc = AesCbc::Create(kNistKey128, Direction::kDecrypt);
  Result<AesXts> xts = AesXts::Create(CountingPattern(32), Direction::kDecrypt);
  ASSERT_TRUE(ecb.ok() && cbc.ok() && xts.ok());
  Bytes buffer(64);
  const std::span<uint8_t> all(buffer);
  const auto check = [&](std::span<const uint8_t> in, std::span<uint8_t> out,
                         const std::string& what) {
    ExpectInvalid(ecb->Process(in, out), "ECB " + what);
    ExpectInvalid(cbc->Process(kNistIv, in, out), "CBC " + what);
    ExpectInvalid(xts->Process(kNistIv, in, out), "XTS " + what);
  };
  check(all.first(17), all.subspan(32, 17), "17 bytes");
  check(all.first(32), all.subspan(32, 16), "output smaller than input");
  check(all.first(32), all.subspan(16, 32), "shifted overlap");
  ExpectInvalid(xts->Process(kNistIv, {}, {}), "XTS empty");
  Bytes huge((size_t{16} << 20) + 16);
  ExpectInvalid(xts->Process(kNistIv, huge, huge), "XTS over 2^20 blocks");
  EXPECT_TRUE(ecb->Process({}, {}).ok());
  EXPECT_TRUE(cbc->Process(kNistIv, {}, {}).ok());
}

TEST(AesTest, ObjectsKeepWorkingAfterMove) {
  Result<AesEcb> created = AesEcb::Create(kNistKey128, Direction::kEncrypt);
  ASSERT_TRUE(created.ok());
  AesEcb ecb = std::move(created).value();
  Bytes out(kNistPlaintext.size());
  ASSERT_TRUE(ecb.Process(kNistPlaintext, out).ok());
  EXPECT_EQ(ToHex(out), ToHex(kEcbVectors[0].ciphertext));
}

}  // namespace
}  // namespace lockbox::crypto
