// Check: explains what is wrong with a typed recovery password, block by block.
//
// A recovery password is 8 blocks of 6 digits; each block is 11 times a 16-bit number, so every
// block can be checked on its own. A single mistyped digit or a swap of two neighbouring digits
// always breaks the divisibility by 11 of its block (the last digit is a check digit:
// d6 = (d1 - d2 + d3 - d4 + d5) mod 11), so Check() can say which block is wrong and list the
// valid blocks one such mistake away: usually a handful, often just one, for a helpdesk to try.
//
// The report never holds the digits of a correct block: it is returned to people and may be
// logged, and a correct block is a piece of the secret. A wrong block's digits are included,
// since the person is correcting exactly that block.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lockbox::recovery {

enum class BlockProblem {
  kNone,
  kNotDivisibleBy11,  // some digit of the block is wrong
  kTooLarge,  // divisible by 11, but above 720885 = 11 x 65535: two or more digits are wrong
};

// A stable short name for JSON ("not_divisible_by_11", "too_large"; "" for kNone).
const char* BlockProblemName(BlockProblem problem);

// A valid block that differs from the typed one by a single mistake.
struct BlockCandidate {
  enum class Mistake {
    kWrongDigit,     // the digit at `position` was mistyped
    kSwappedDigits,  // the digits at `position` and `position + 1` were swapped
  };
  std::string digits;  // the 6 digits of the valid block
  Mistake mistake = Mistake::kWrongDigit;
  int position = 0;  // 1-based digit position within the block

  // "digit 4 changed", "digits 4 and 5 swapped".
  std::string Describe() const;
  friend bool operator==(const BlockCandidate&, const BlockCandidate&) = default;
};

struct BlockCheck {
  int number = 0;  // 1..8
  BlockProblem problem = BlockProblem::kNone;
  // The rest is filled only for a wrong block.
  std::string digits;   // the 6 digits as typed
  std::string message;  // "block 3 (123457) is not divisible by 11: check the digits of that block"
  // Every valid block one mistyped digit or one adjacent swap away, wrong digits first, each
  // group ordered by position then digit.
  std::vector<BlockCandidate> candidates;

  bool ok() const { return problem == BlockProblem::kNone; }
};

struct CheckReport {
  // True when the text is a well-formed recovery password: 8 blocks, all valid. Whether it is
  // the right password for a volume only the volume can tell.
  bool valid = false;
  // Set when the text could not be read as 8 groups of 6 digits; `blocks` is then empty.
  std::string syntax_error;
  // All 8 blocks when the syntax was right.
  std::vector<BlockCheck> blocks;

  // One line for an error message: the syntax error, or every wrong block's message joined
  // with "; ". Empty when valid.
  std::string Summary() const;
  int wrong_block_count() const;
};

// Checks `typed` (48 digits; groups of 6 separated by "-", " " or nothing; surrounding
// whitespace ignored). Never fails: every problem is described in the report.
CheckReport Check(std::string_view typed);

}  // namespace lockbox::recovery
