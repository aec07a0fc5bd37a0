// Agent: one machine's escrow cycle, the portable core of lockbox-agent.
//
//   agent::Agent agent(provider, server, {.state_dir = "/var/lib/lockbox-agent", ...}, log);
//   LOCKBOX_ASSIGN_OR_RETURN(agent::CycleResult result, agent.RunOnce());
//   // sleep result.next_report_seconds, or agent::RetryDelaySeconds(...) after a failure
//
// A cycle enrolls once (the enrollment token file is read then and never again), resets a
// locked-out TPM when the server releases its owner authorisation (after a recovery), queues every
// recovery password the server has not acknowledged, performs the provider's part of the
// rotations under way, and reports, again as long as the answer leaves work that another
// report finishes (a rotation: plan, add and escrow, delete the old protector, report that).
// The state (agent_state.h) is saved after every step, so nothing queued is lost to a kill
// or a network failure: the next cycle resumes where this one stopped. Logs name keys by
// their key ID only.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/agent_state.h"
#include "agent/credential.h"
#include "agent/provider.h"
#include "agent/rotation.h"
#include "agent/server_api.h"

namespace lockbox::agent {

struct AgentOptions {
  std::string state_dir;
  std::string enrollment_token_file;
  std::optional<std::string> computer_name;  // overrides the provider's
  std::optional<std::string> domain;
  uint32_t default_report_seconds = 90 * 60;  // until the server says otherwise
};

struct CycleResult {
  int reports = 0;                   // reports sent and answered
  uint32_t next_report_seconds = 0;  // what the server asked for
};

class Agent {
 public:
  // `provider` and `server` must outlive the agent.
  Agent(Provider& provider, ServerApi& server, AgentOptions options, LogFn log)
      : provider_(provider), server_(server), options_(std::move(options)), log_(std::move(log)) {}

  // The state is saved whatever happens; an error says what stopped the cycle (kIoError for
  // the network: retry later).
  Result<CycleResult> RunOnce();

  // For --status: what the next report would say, without secrets: the computer, volumes and
  // protectors, the key IDs queued, the rotations and their steps.
  Result<nlohmann::json> Describe() const;

 private:
  Result<MachineCredential> EnsureEnrolled(const ComputerInfo& computer);
  Result<ComputerInfo> Computer() const;
  // Puts the provider's recovery passwords the server has not acknowledged into the queue.
  Result<bool> QueueUnescrowed(AgentState& state) const;
  // One report; true when its answer left work for another.
  Result<bool> ReportOnce(AgentState& state, const StateFile& file,
                          const MachineCredential& credential, const ComputerInfo& computer);
  void ResetTpmLockoutIfAllowed(const MachineCredential& credential);

  Provider& provider_;
  ServerApi& server_;
  AgentOptions options_;
  LogFn log_;
};

// The wait before retrying after `failures` failed reports in a row: 30 s doubled per failure
// up to `cap_seconds`, with up to 25% random jitter (a fleet that lost its server does not
// come back all at once).
uint32_t RetryDelaySeconds(uint32_t failures, uint32_t cap_seconds);

}  // namespace lockbox::agent
