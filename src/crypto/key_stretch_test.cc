#include "crypto/key_stretch.h"

#include <gtest/gtest.h>

#include <array>
#include <numeric>

#include "crypto/sha256.h"
#include "crypto/test_hex.h"
#include "util/bytes.h"

namespace lockbox::crypto {
namespace {

using testing::ToHex;

struct Inputs {
  std::array<uint8_t, 32> initial_hash;
  std::array<uint8_t, 16> salt;
};

// initial_hash = 00 01 .. 1f, salt = a0 a1 .. af.
Inputs CountingInputs() {
  Inputs in;
  std::iota(in.initial_hash.begin(), in.initial_hash.end(), uint8_t{0});
  std::iota(in.salt.begin(), in.salt.end(), uint8_t{0xa0});
  return in;
}

// The stretch exactly as key_stretch.h describes it, with the one-shot hash.
Sha256Digest ReferenceStretch(const Inputs& in, uint64_t rounds) {
  std::array<uint8_t, 88> state{};
  std::copy(in.initial_hash.begin(), in.initial_hash.end(), state.begin() + 32);
  std::copy(in.salt.begin(), in.salt.end(), state.begin() + 64);
  Sha256Digest last{};
  for (uint64_t counter = 0; counter < rounds; ++counter) {
    StoreLe64(state.data() + 80, counter);
    last = Sha256(state);
    std::copy(last.begin(), last.end(), state.begin());
  }
  return last;
}

TEST(StretchKeyTest, MatchesReferenceForSmallRoundCounts) {
  const Inputs in = CountingInputs();
  for (uint64_t rounds : {1u, 2u, 3u, 255u, 256u, 257u, 1000u}) {
    const SecretBytes key = StretchKey(in.initial_hash, in.salt, rounds);
    ASSERT_EQ(key.size(), 32u);
    EXPECT_EQ(ToHex(key.span()), ToHex(ReferenceStretch(in, rounds))) << rounds << " rounds";
  }
}

TEST(StretchKeyTest, OneRoundMatchesPythonHashlib) {
  // sha256(bytes(32) + initial_hash + salt + (0).to_bytes(8, 'little')), computed with Python.
  const Inputs in = CountingInputs();
  EXPECT_EQ(ToHex(StretchKey(in.initial_hash, in.salt, 1).span()),
            "ccfdff39506e4fa788419c56646ad8c07e441193eb2df02dee5927fdd98e3988");
}

TEST(StretchKeyTest, FullRoundsMatchPythonHashlib) {
  // The full 0x100000 rounds, computed independently with Python's hashlib:
  //   last = bytes(32)
  //   for c in range(0x100000):
  //     last = sha256(last + initial_hash + salt + struct.pack('<Q', c)).digest()
  const Inputs in = CountingInputs();
  EXPECT_EQ(ToHex(StretchKey(in.initial_hash, in.salt).span()),
            "581d3db91c6cf00911c1e563839ce45a7799b2ac7f9ebe26c422a3688e6bea49");
}

TEST(StretchKeyTest, ZeroRoundsLeavesLastHashZero) {
  const Inputs in = CountingInputs();
  EXPECT_EQ(ToHex(StretchKey(in.initial_hash, in.salt, 0).span()), std::string(64, '0'));
}

}  // namespace
}  // namespace lockbox::crypto
