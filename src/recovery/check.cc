#include "recovery/check.h"

#include <utility>

#include "recovery/blocks.h"

namespace lockbox::recovery {
namespace {

bool IsValidBlock(std::string_view digits) {
  uint32_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<uint32_t>(c - '0');
  return internal::FindBlockProblem(value) == BlockProblem::kNone;
}

// The mistakes a person makes reading digits aloud or typing them: one digit wrong, or two
// neighbours swapped. Both always break divisibility by 11, so every valid block one such step
// away from a wrong one is a real candidate.
std::vector<BlockCandidate> FindCandidates(const std::string& typed) {
  std::vector<BlockCandidate> candidates;
  for (int position = 0; position < internal::kDigitsPerBlock; ++position) {
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == typed[position]) continue;
      std::string changed = typed;
      changed[position] = digit;
      if (IsValidBlock(changed)) {
        candidates.push_back(
            {std::move(changed), BlockCandidate::Mistake::kWrongDigit, position + 1});
      }
    }
  }
  for (int position = 0; position + 1 < internal::kDigitsPerBlock; ++position) {
    if (typed[position] == typed[position + 1]) continue;
    std::string swapped = typed;
    std::swap(swapped[position], swapped[position + 1]);
    if (IsValidBlock(swapped)) {
      candidates.push_back(
          {std::move(swapped), BlockCandidate::Mistake::kSwappedDigits, position + 1});
    }
  }
  return candidates;
}

}  // namespace

const char* BlockProblemName(BlockProblem problem) {
  switch (problem) {
    case BlockProblem::kNone:
      return "";
    case BlockProblem::kNotDivisibleBy11:
      return "not_divisible_by_11";
    case BlockProblem::kTooLarge:
      return "too_large";
  }
  return "";
}

std::string BlockCandidate::Describe() const {
  if (mistake == Mistake::kSwappedDigits) {
    return "digits " + std::to_string(position) + " and " + std::to_string(position + 1) +
           " swapped";
  }
  return "digit " + std::to_string(position) + " changed";
}

std::string CheckReport::Summary() const {
  if (!syntax_error.empty()) return syntax_error;
  std::string summary;
  for (const BlockCheck& block : blocks) {
    if (block.ok()) continue;
    if (!summary.empty()) summary += "; ";
    summary += block.message;
  }
  return summary;
}

int CheckReport::wrong_block_count() const {
  int count = 0;
  for (const BlockCheck& block : blocks) count += block.ok() ? 0 : 1;
  return count;
}

CheckReport Check(std::string_view typed) {
  CheckReport report;
  Result<internal::Blocks> blocks = internal::SplitIntoBlocks(typed);
  if (!blocks.ok()) {
    report.syntax_error = blocks.status().message();
    return report;
  }
  for (int i = 0; i < internal::kBlockCount; ++i) {
    const uint32_t value = blocks->values[i];
    BlockCheck block;
    block.number = i + 1;
    block.problem = internal::FindBlockProblem(value);
    if (!block.ok()) {
      block.digits = internal::BlockDigits(value);
      block.message = internal::DescribeBlockProblem(block.number, value, block.problem);
      block.candidates = FindCandidates(block.digits);
    }
    report.blocks.push_back(std::move(block));
  }
  report.valid = report.wrong_block_count() == 0;
  return report;
}

}  // namespace lockbox::recovery
