#include "crypto/secret.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/secret_pool.h"

namespace lockbox::crypto {
namespace {

TEST(SecretBytesTest, SizedConstructorZeroFills) {
  SecretBytes s(100);
  ASSERT_EQ(s.size(), 100u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], 0) << i;
}

TEST(SecretBytesTest, CopiesGivenBytes) {
  const std::array<uint8_t, 5> bytes{1, 2, 3, 4, 5};
  SecretBytes s(bytes);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(std::vector<uint8_t>(s.span().begin(), s.span().end()),
            std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

TEST(SecretBytesTest, DefaultAndZeroSizedAreEmpty) {
  SecretBytes a;
  SecretBytes b(size_t{0});
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_TRUE(a.Clone().empty());
}

// The VmFlags of the mapping holding `address`, from /proc/self/smaps ("rd wr mr mw me dd").
std::string VmFlagsOf(const void* address) {
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t begin = 0;
    uintptr_t end = 0;
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " ", &begin, &end) == 2) {
      inside = begin <= at && at < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8);
    }
  }
  return "";
}

TEST(SecretBytesTest, SmallAndLargeSecretsLieInPagesExcludedFromDumps) {
  SecretBytes small(32);
  SecretBytes large(2 * kMaxPooledBytes);
  EXPECT_NE(VmFlagsOf(small.data()).find(" dd"), std::string::npos) << VmFlagsOf(small.data());
  EXPECT_NE(VmFlagsOf(large.data()).find(" dd"), std::string::npos) << VmFlagsOf(large.data());
}

TEST(SecretBytesTest, LargeSecretsHavePagesOfTheirOwn) {
  SecretBytes s(kMaxPooledBytes + 1);
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(s.data()) % page, 0u);
}

TEST(SecretBytesTest, ABlockGivenBackIsTakenAgainZeroFilled) {
  const uint8_t* first;
  {
    SecretBytes s(std::vector<uint8_t>(40, 0xa5));
    first = s.data();
  }
  SecretBytes again(64);  // the same block size (64 bytes), taken last-freed first
  EXPECT_EQ(again.data(), first);
  EXPECT_EQ(std::vector<uint8_t>(again.data(), again.data() + 64), std::vector<uint8_t>(64, 0));
}

TEST(SecretBytesTest, SecretsOfEverySizeKeepTheirBytesApart) {
  std::vector<SecretBytes> secrets;
  for (size_t size = 1; size <= 3 * kMaxPooledBytes; size += 37) {
    secrets.emplace_back(std::vector<uint8_t>(size, static_cast<uint8_t>(size)));
  }
  for (const SecretBytes& s : secrets) {
    EXPECT_EQ(std::vector<uint8_t>(s.data(), s.data() + s.size()),
              std::vector<uint8_t>(s.size(), static_cast<uint8_t>(s.size())));
  }
}

TEST(SecretBytesTest, LargerThanAPageWorks) {
  SecretBytes s(10000);
  s[9999] = 7;
  EXPECT_EQ(s.Clone()[9999], 7);
}

TEST(SecretBytesTest, CloneIsAnIndependentCopy) {
  const std::array<uint8_t, 3> bytes{9, 8, 7};
  SecretBytes original(bytes);
  SecretBytes copy = original.Clone();
  EXPECT_NE(copy.data(), original.data());
  copy[0] = 1;
  EXPECT_EQ(original[0], 9);
  EXPECT_EQ(copy[1], 8);
}

TEST(SecretBytesTest, MoveTakesTheBufferAndEmptiesTheSource) {
  const std::array<uint8_t, 4> bytes{1, 2, 3, 4};
  SecretBytes a(bytes);
  const uint8_t* buffer = a.data();
  SecretBytes b(std::move(a));
  EXPECT_EQ(b.data(), buffer);  // moved, not copied: no second copy of the secret exists
  EXPECT_EQ(b.size(), 4u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(a.data(), nullptr);
}

TEST(SecretBytesTest, MoveAssignReleasesOldBufferAndTakesNew) {
  const std::array<uint8_t, 2> x{1, 2};
  const std::array<uint8_t, 3> y{3, 4, 5};
  SecretBytes a(x);
  SecretBytes b(y);
  a = std::move(b);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[2], 5);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  SecretBytes& alias = a;
  a = std::move(alias);  // self-move keeps the contents
  EXPECT_EQ(a[0], 3);
}

TEST(WipeTest, ZeroesEveryByte) {
  std::array<uint8_t, 33> bytes;
  bytes.fill(0xAB);
  Wipe(bytes);
  for (uint8_t b : bytes) EXPECT_EQ(b, 0);
  Wipe({});  // empty is allowed
}

TEST(ConstantTimeEqualTest, ComparesContentsAndLengths) {
  const std::array<uint8_t, 4> a{1, 2, 3, 4};
  const std::array<uint8_t, 4> same{1, 2, 3, 4};
  const std::array<uint8_t, 4> last_differs{1, 2, 3, 5};
  const std::array<uint8_t, 3> prefix{1, 2, 3};
  EXPECT_TRUE(ConstantTimeEqual(a, same));
  EXPECT_FALSE(ConstantTimeEqual(a, last_differs));
  EXPECT_FALSE(ConstantTimeEqual(a, prefix));
  EXPECT_FALSE(ConstantTimeEqual(prefix, a));
  EXPECT_TRUE(ConstantTimeEqual({}, {}));
  EXPECT_FALSE(ConstantTimeEqual({}, a));
}

// Run in a child so the test process itself stays dumpable for debuggers.
TEST(DisableCoreDumpsTest, MakesProcessUndumpableWithNoCoreLimit) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    DisableCoreDumps();
    rlimit limit{};
    const bool ok = prctl(PR_GET_DUMPABLE) == 0 && getrlimit(RLIMIT_CORE, &limit) == 0 &&
                    limit.rlim_cur == 0 && limit.rlim_max == 0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace lockbox::crypto
