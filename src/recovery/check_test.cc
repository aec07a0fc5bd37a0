#include "recovery/check.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "recovery/check_json.h"

namespace lockbox::recovery {
namespace {

constexpr std::string_view kPassword = "235818-357951-253979-013365-241120-245575-342914-591910";

using Mistake = BlockCandidate::Mistake;

// kPassword with block `number` (1-based) replaced by `digits`.
std::string WithBlock(int number, std::string_view digits) {
  std::string typed(kPassword);
  typed.replace(static_cast<size_t>(number - 1) * 7, 6, digits);
  return typed;
}

bool HasCandidate(const BlockCheck& block, std::string_view digits, Mistake mistake, int position) {
  return std::find(block.candidates.begin(), block.candidates.end(),
                   BlockCandidate{std::string(digits), mistake, position}) !=
         block.candidates.end();
}

TEST(CheckTest, ValidPasswordHasEightOkBlocksWithoutDigits) {
  const CheckReport report = Check(kPassword);
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.syntax_error, "");
  EXPECT_EQ(report.Summary(), "");
  EXPECT_EQ(report.wrong_block_count(), 0);
  ASSERT_EQ(report.blocks.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(report.blocks[i].number, i + 1);
    EXPECT_TRUE(report.blocks[i].ok());
    // A correct block is part of the secret: the report must not carry it.
    EXPECT_EQ(report.blocks[i].digits, "");
    EXPECT_EQ(report.blocks[i].message, "");
    EXPECT_TRUE(report.blocks[i].candidates.empty());
  }
}

TEST(CheckTest, NamesOnlyTheWrongBlock) {
  const CheckReport report = Check(WithBlock(3, "123457"));
  EXPECT_FALSE(report.valid);
  ASSERT_EQ(report.blocks.size(), 8u);
  EXPECT_EQ(report.wrong_block_count(), 1);
  const BlockCheck& block = report.blocks[2];
  EXPECT_EQ(block.problem, BlockProblem::kNotDivisibleBy11);
  EXPECT_EQ(block.digits, "123457");
  EXPECT_EQ(block.message,
            "block 3 (123457) is not divisible by 11: check the digits of that block");
  EXPECT_EQ(report.Summary(), block.message);
  // The message names the bad block only, never the rest of the password.
  EXPECT_EQ(report.Summary().find("357951"), std::string::npos);
}

TEST(CheckTest, ListsEveryValidBlockOneMistakeAway) {
  const CheckReport report = Check(WithBlock(3, "123457"));
  const std::vector<BlockCandidate> expected = {
      {"523457", Mistake::kWrongDigit, 1},    {"193457", Mistake::kWrongDigit, 2},
      {"127457", Mistake::kWrongDigit, 3},    {"123057", Mistake::kWrongDigit, 4},
      {"123497", Mistake::kWrongDigit, 5},    {"123453", Mistake::kWrongDigit, 6},
      {"123475", Mistake::kSwappedDigits, 5},
  };
  EXPECT_EQ(report.blocks[2].candidates, expected);
}

TEST(CheckTest, OneMistypedDigitIsAmongTheCandidates) {
  // Block 2 is 357951; its third digit typed as 8.
  const CheckReport report = Check(WithBlock(2, "358951"));
  ASSERT_EQ(report.wrong_block_count(), 1);
  const BlockCheck& block = report.blocks[1];
  EXPECT_EQ(block.problem, BlockProblem::kNotDivisibleBy11);
  EXPECT_TRUE(HasCandidate(block, "357951", Mistake::kWrongDigit, 3));
  EXPECT_EQ(block.candidates.size(), 5u);
}

TEST(CheckTest, SwappedNeighboursAreAmongTheCandidates) {
  // Block 2 is 357951; digits 2 and 3 swapped.
  const CheckReport report = Check(WithBlock(2, "375951"));
  const BlockCheck& block = report.blocks[1];
  EXPECT_TRUE(HasCandidate(block, "357951", Mistake::kSwappedDigits, 2));
  EXPECT_EQ(block.candidates.size(), 6u);
}

TEST(CheckTest, EverySingleMistakeInEveryBlockIsCaughtAndOffersTheRightBlock) {
  for (int number = 1; number <= 8; ++number) {
    const std::string right(kPassword.substr(static_cast<size_t>(number - 1) * 7, 6));
    for (int position = 1; position <= 6; ++position) {
      for (char digit = '0'; digit <= '9'; ++digit) {
        std::string typo = right;
        if (typo[position - 1] == digit) continue;
        typo[position - 1] = digit;
        const CheckReport report = Check(WithBlock(number, typo));
        ASSERT_FALSE(report.valid) << typo;
        EXPECT_TRUE(HasCandidate(report.blocks[number - 1], right, Mistake::kWrongDigit, position))
            << typo;
      }
      if (position < 6 && right[position - 1] != right[position]) {
        std::string swapped = right;
        std::swap(swapped[position - 1], swapped[position]);
        const CheckReport report = Check(WithBlock(number, swapped));
        ASSERT_FALSE(report.valid) << swapped;
        EXPECT_TRUE(
            HasCandidate(report.blocks[number - 1], right, Mistake::kSwappedDigits, position))
            << swapped;
      }
    }
  }
}

TEST(CheckTest, TooLargeBlockHasNoSingleMistakeCandidates) {
  // 720896 = 11 x 65536: divisible, but one past the largest 16-bit quotient.
  const CheckReport report = Check(WithBlock(5, "720896"));
  const BlockCheck& block = report.blocks[4];
  EXPECT_EQ(block.problem, BlockProblem::kTooLarge);
  EXPECT_EQ(block.message,
            "block 5 (720896) is too large (blocks are at most 720885): at least two of its "
            "digits are wrong; check the whole block");
  EXPECT_TRUE(block.candidates.empty());
}

TEST(CheckTest, LargestBlockIsValid) {
  EXPECT_TRUE(Check(WithBlock(8, "720885")).valid);
  EXPECT_TRUE(Check(WithBlock(8, "000000")).valid);
}

TEST(CheckTest, SyntaxErrorGivesNoBlocks) {
  const CheckReport report = Check("235818-357951");
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.syntax_error, "found 2 groups of 6 digits: a recovery password has 8");
  EXPECT_EQ(report.Summary(), report.syntax_error);
  EXPECT_TRUE(report.blocks.empty());
}

TEST(CheckTest, CandidateDescriptions) {
  EXPECT_EQ((BlockCandidate{"123453", Mistake::kWrongDigit, 6}).Describe(), "digit 6 changed");
  EXPECT_EQ((BlockCandidate{"123475", Mistake::kSwappedDigits, 5}).Describe(),
            "digits 5 and 6 swapped");
}

TEST(CheckJsonTest, WrongBlockCarriesProblemDigitsAndCandidates) {
  const nlohmann::json json = CheckReportToJson(Check(WithBlock(2, "375951")));
  EXPECT_EQ(json["valid"], false);
  EXPECT_TRUE(json["syntax_error"].is_null());
  EXPECT_EQ(json["wrong_blocks"], 1);
  ASSERT_EQ(json["blocks"].size(), 8u);
  EXPECT_EQ(json["blocks"][0], (nlohmann::json{{"block", 1}, {"ok", true}}));
  const nlohmann::json& block = json["blocks"][1];
  EXPECT_EQ(block["problem"], "not_divisible_by_11");
  EXPECT_EQ(block["digits"], "375951");
  EXPECT_EQ(block["candidates"].size(), 6u);
  EXPECT_EQ(block["candidates"][5],
            (nlohmann::json{{"digits", "357951"}, {"mistake", "swapped_digits"}, {"position", 2}}));
}

TEST(CheckJsonTest, SyntaxErrorIsReportedWithEmptyBlocks) {
  const nlohmann::json json = CheckReportToJson(Check("12x"));
  EXPECT_EQ(json["valid"], false);
  EXPECT_EQ(json["syntax_error"],
            "character 3 ('x') is not a digit; a recovery password has only digits, with "
            "hyphens or spaces between groups of 6");
  EXPECT_TRUE(json["blocks"].empty());
}

TEST(CheckJsonTest, ValidReportNeverContainsDigits) {
  const std::string dumped = CheckReportToJson(Check(kPassword)).dump();
  EXPECT_EQ(dumped.find("235818"), std::string::npos);
  EXPECT_EQ(dumped.find("591910"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::recovery
