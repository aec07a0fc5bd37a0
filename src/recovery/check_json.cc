#include "recovery/check_json.h"

namespace lockbox::recovery {
namespace {

const char* MistakeName(BlockCandidate::Mistake mistake) {
  switch (mistake) {
    case BlockCandidate::Mistake::kWrongDigit:
      return "wrong_digit";
    case BlockCandidate::Mistake::kSwappedDigits:
      return "swapped_digits";
  }
  return "";
}

nlohmann::json BlockToJson(const BlockCheck& block) {
  nlohmann::json out = {{"block", block.number}, {"ok", block.ok()}};
  if (block.ok()) return out;
  nlohmann::json candidates = nlohmann::json::array();
  for (const BlockCandidate& candidate : block.candidates) {
    candidates.push_back({{"digits", candidate.digits},
                          {"mistake", MistakeName(candidate.mistake)},
                          {"position", candidate.position}});
  }
  out["problem"] = BlockProblemName(block.problem);
  out["digits"] = block.digits;
  out["message"] = block.message;
  out["candidates"] = std::move(candidates);
  return out;
}

}  // namespace

nlohmann::json CheckReportToJson(const CheckReport& report) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const BlockCheck& block : report.blocks) blocks.push_back(BlockToJson(block));
  return {{"valid", report.valid},
          {"syntax_error", report.syntax_error.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(report.syntax_error)},
          {"wrong_blocks", report.wrong_block_count()},
          {"blocks", std::move(blocks)}};
}

}  // namespace lockbox::recovery
