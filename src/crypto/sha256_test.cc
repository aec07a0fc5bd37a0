#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "crypto/test_hex.h"

namespace lockbox::crypto {
namespace {

using testing::ToHex;

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// FIPS 180-2 appendix B.
constexpr std::string_view kAbcDigest =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kTwoBlockMessage =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view kTwoBlockDigest =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(Sha256Test, OneShotMatchesFipsVectors) {
  EXPECT_EQ(ToHex(Sha256(Bytes("abc"))), kAbcDigest);
  EXPECT_EQ(ToHex(Sha256(Bytes(kTwoBlockMessage))), kTwoBlockDigest);
  EXPECT_EQ(ToHex(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256HasherTest, IncrementalEqualsOneShot) {
  Sha256Hasher hasher;
  hasher.Update(Bytes(kTwoBlockMessage.substr(0, 5)));
  hasher.Update(Bytes(kTwoBlockMessage.substr(5)));
  EXPECT_EQ(ToHex(hasher.Finish()), kTwoBlockDigest);
}

TEST(Sha256HasherTest, ResetStartsAFreshHash) {
  Sha256Hasher hasher;
  hasher.Update(Bytes("something else entirely"));
  hasher.Reset();
  hasher.Update(Bytes("abc"));
  EXPECT_EQ(ToHex(hasher.Finish()), kAbcDigest);
  hasher.Reset();
  hasher.Update(Bytes("abc"));
  EXPECT_EQ(ToHex(hasher.Finish()), kAbcDigest);
}

TEST(Sha256HasherTest, MillionAsInPieces) {
  // FIPS 180-2 B.3: one million 'a', fed in uneven pieces to cross block boundaries.
  const std::vector<uint8_t> piece(999, 'a');
  Sha256Hasher hasher;
  size_t fed = 0;
  while (fed + piece.size() <= 1000000) {
    hasher.Update(piece);
    fed += piece.size();
  }
  hasher.Update(std::span(piece).first(1000000 - fed));
  EXPECT_EQ(ToHex(hasher.Finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace lockbox::crypto
