// The agent's report and the server's answer in their JSON forms (docs/api.md, "An agent's
// report"). The report carries the volumes as the provider sees them and only the recovery
// passwords still waiting for an acknowledgement (the escrow queue), each with its volume's
// FVE metadata so the server can verify it. A report that carries nothing new is what the
// server answers as a cheap check-in.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "agent/agent_state.h"
#include "agent/provider.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::agent {

struct ReportContent {
  Guid computer_id;
  const ComputerInfo* computer = nullptr;
  const std::vector<VolumeInfo>* volumes = nullptr;
  const std::vector<QueuedKey>* keys = nullptr;  // the queue
  const TpmInfo* tpm = nullptr;                  // its owner_auth is sent when set
};

// The report's JSON; wipe it (crypto::WipeOnExit) once sent: it holds the passwords.
nlohmann::json EncodeReport(const ReportContent& content);

struct ReportAnswer {
  std::vector<Guid> acknowledged;  // recovery passwords the server holds now
  std::vector<Guid> conflicts;     // key IDs the server holds with other content
  std::vector<Guid> verification_queued;
  std::vector<Guid> retired;
  std::vector<Guid> rotate;  // recovery passwords to replace
  bool tpm_owner_auth_acknowledged = false;
  uint32_t next_report_seconds = 0;
};

// kCorrupt naming the first field that is not as documented.
Result<ReportAnswer> DecodeReportAnswer(const nlohmann::json& answer);

}  // namespace lockbox::agent
