#include "recovery/blocks.h"

#include <cstdio>
#include <vector>

#include "crypto/secret.h"
#include "recovery/typed_text.h"

namespace lockbox::recovery::internal {
namespace {

constexpr int kTotalDigits = kBlockCount * kDigitsPerBlock;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == '-' || c == ' '; }

// A maximal run of digits in the typed text.
struct DigitRun {
  size_t end_byte = 0;  // one past its last digit, in the untrimmed text
  int length = 0;
};

Status NotBetweenGroups(std::string_view typed, size_t byte_index) {
  return Status::InvalidArgument(DescribeCharacter(typed, byte_index) +
                                 " is not between two groups of digits: a recovery password is "
                                 "8 groups of 6 digits, with hyphens or spaces only between them");
}

}  // namespace

Blocks::~Blocks() { crypto::Wipe({reinterpret_cast<uint8_t*>(values.data()), sizeof values}); }

Result<Blocks> SplitIntoBlocks(std::string_view typed) {
  const std::string_view text = TrimWhitespace(typed);
  if (text.empty()) {
    return Status::InvalidArgument("the recovery password is empty: type its 48 digits");
  }
  const size_t first = static_cast<size_t>(text.data() - typed.data());
  const size_t last = first + text.size();

  // First pass: every character is a digit or a separator, separators sit between digits and a
  // separator holds at most one hyphen ("123456 - 234567" is fine, "123456--234567" is not).
  std::vector<DigitRun> runs;
  int total_digits = 0;
  bool hyphen_in_separator = false;
  for (size_t i = first; i < last; ++i) {
    const char c = typed[i];
    if (IsDigit(c)) {
      if (runs.empty() || runs.back().end_byte != i) runs.push_back({i, 0});
      ++runs.back().length;
      runs.back().end_byte = i + 1;
      ++total_digits;
      hyphen_in_separator = false;
    } else if (IsSeparator(c)) {
      if (runs.empty() || i + 1 == last) return NotBetweenGroups(typed, i);
      if (c == '-') {
        if (hyphen_in_separator) {
          return Status::InvalidArgument(DescribeCharacter(typed, i) +
                                         " is a second hyphen between two groups: type one");
        }
        hyphen_in_separator = true;
      }
    } else {
      return Status::InvalidArgument(
          DescribeCharacter(typed, i) + " is not a digit" + LookalikeDigitHint(c) +
          "; a recovery password has only digits, with hyphens or spaces between groups of 6");
    }
  }

  // Second pass: the digit runs form 8 groups of 6. A run may hold several groups when the
  // person left out separators, but a separator must never fall inside a group.
  if (runs.size() == 1 && total_digits != kTotalDigits) {
    return Status::InvalidArgument("found " + std::to_string(total_digits) +
                                   " digits: a recovery password has 48 (8 groups of 6)");
  }
  int digits_before = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    const DigitRun& run = runs[r];
    digits_before += run.length;
    if (run.length % kDigitsPerBlock == 0) continue;
    if (total_digits == kTotalDigits) {
      // All the digits are there: the separator after this run is misplaced.
      const int group = digits_before / kDigitsPerBlock + 1;
      return Status::InvalidArgument(DescribeCharacter(typed, run.end_byte) + " is inside group " +
                                     std::to_string(group) +
                                     ": separators go only between groups of 6 digits");
    }
    return Status::InvalidArgument("group " + std::to_string(r + 1) + " has " +
                                   std::to_string(run.length) +
                                   " digits: each group has 6; check that group");
  }
  if (total_digits != kTotalDigits) {
    return Status::InvalidArgument("found " + std::to_string(total_digits / kDigitsPerBlock) +
                                   " groups of 6 digits: a recovery password has 8");
  }

  Blocks blocks;
  int digit_index = 0;
  for (size_t i = first; i < last; ++i) {
    if (!IsDigit(typed[i])) continue;
    uint32_t& value = blocks.values[digit_index / kDigitsPerBlock];
    value = value * 10 + static_cast<uint32_t>(typed[i] - '0');
    ++digit_index;
  }
  return blocks;
}

BlockProblem FindBlockProblem(uint32_t value) {
  if (value % 11 != 0) return BlockProblem::kNotDivisibleBy11;
  if (value > kLargestBlock) return BlockProblem::kTooLarge;
  return BlockProblem::kNone;
}

std::string DescribeBlockProblem(int number, uint32_t value, BlockProblem problem) {
  const std::string block = "block " + std::to_string(number) + " (" + BlockDigits(value) + ")";
  switch (problem) {
    case BlockProblem::kNone:
      return "";
    case BlockProblem::kNotDivisibleBy11:
      return block + " is not divisible by 11: check the digits of that block";
    case BlockProblem::kTooLarge:
      // One mistyped or swapped digit always breaks divisibility by 11 (see check.h), so a
      // divisible block that is too large has at least two wrong digits.
      return block +
             " is too large (blocks are at most 720885): at least two of its digits are wrong; "
             "check the whole block";
  }
  return "";
}

std::string BlockDigits(uint32_t value) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06u", static_cast<unsigned>(value));
  return digits;
}

}  // namespace lockbox::recovery::internal
