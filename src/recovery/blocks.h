// The shared core of Parse() and Check(): reading typed text as 8 numeric blocks, and the rule
// each block must satisfy. Internal to the recovery part.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "recovery/check.h"
#include "util/status.h"

namespace lockbox::recovery::internal {

inline constexpr int kBlockCount = 8;
inline constexpr int kDigitsPerBlock = 6;
inline constexpr uint32_t kLargestBlock = 11 * 65535;  // 720885

// The 8 block values as typed. They are the secret, so they are wiped when destroyed.
struct Blocks {
  std::array<uint32_t, kBlockCount> values{};

  Blocks() = default;
  Blocks(const Blocks&) = default;
  Blocks& operator=(const Blocks&) = default;
  ~Blocks();
};

// Reads the syntax only (digits, separators, group sizes); the blocks may still be invalid.
// kInvalidArgument naming the offending character (1-based) or group.
Result<Blocks> SplitIntoBlocks(std::string_view typed);

BlockProblem FindBlockProblem(uint32_t value);

// "block 3 (123457) is not divisible by 11: check the digits of that block". `number` is 1-based.
std::string DescribeBlockProblem(int number, uint32_t value, BlockProblem problem);

// The block's 6 digits, with leading zeros.
std::string BlockDigits(uint32_t value);

}  // namespace lockbox::recovery::internal
