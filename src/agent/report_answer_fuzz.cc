// Feeds bytes to the decoding of the server's answer to a report, as the agent runs it: JSON
// parsing, then DecodeReportAnswer. The answer comes from the network: decoding either
// succeeds or fails with a message; it must never crash or throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "agent/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json answer = nlohmann::json::parse(data, data + size, nullptr, false);
  if (answer.is_discarded()) return 0;
  auto decoded = lockbox::agent::DecodeReportAnswer(answer);
  if (!decoded.ok() && decoded.status().message().empty()) std::abort();
  return 0;
}
