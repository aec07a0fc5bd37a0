// AgentState: what the agent must remember between runs, and its sealed file.
//
//   LOCKBOX_ASSIGN_OR_RETURN(agent::StateFile file, agent::StateFile::Open(state_dir));
//   LOCKBOX_ASSIGN_OR_RETURN(agent::AgentState state, file.Load());
//   ... change state ...
//   LOCKBOX_RETURN_IF_ERROR(file.Save(state));  // before acting on the change
//
// The escrow queue (recovery passwords the server has not acknowledged) and the rotations in
// progress hold secrets, so the whole state is one JSON document sealed with AES-256-GCM
// (crypto::Aead) under a random key kept in its own 0600 file beside it, and replaced
// atomically (private_file.h): a kill at any moment leaves the previous state or the new one.
// Every step of a rotation is saved before the agent acts on it, so a restarted agent resumes
// it (rotation.h).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/secret.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::agent {

// A recovery password waiting for the server's acknowledgement.
struct QueuedKey {
  Guid key_id;
  Guid volume_id;
  crypto::SecretBytes password;  // "123456-..." (55 characters)
  std::string created_at;        // RFC 3339, or ""
  uint32_t attempts = 0;         // reports that carried it without an acknowledgement
};

// Replacing a disclosed recovery password (rotation.h). Steps in order:
//   kPlanned:  the new password is chosen and saved; the protector may or may not exist yet
//   kAdded:    the provider added the protector (new_key_id); the new key is queued
//   kEscrowed: the server acknowledged the new key; the old protector is deleted next
enum class RotationStep { kPlanned, kAdded, kEscrowed };
const char* RotationStepName(RotationStep step);  // "planned", "added", "escrowed"

struct Rotation {
  Guid volume_id;
  Guid old_key_id;
  RotationStep step = RotationStep::kPlanned;
  crypto::SecretBytes new_password;
  std::optional<Guid> new_key_id;  // from kAdded on
};

struct AgentState {
  std::set<std::string> escrowed;  // key IDs (GUID text) the server acknowledged
  std::vector<QueuedKey> queue;
  std::vector<Rotation> rotations;
  // changed_at of the TPM owner authorisation the server acknowledged ("" when none).
  std::string tpm_owner_auth_escrowed;
  uint32_t next_report_seconds = 0;  // from the server's last answer; 0 before the first
  uint32_t failed_reports = 0;       // consecutive failures, for the retry backoff
};

class StateFile {
 public:
  static constexpr const char* kStateFileName = "state.sealed";
  static constexpr const char* kKeyFileName = "state.key";

  // Creates the folder (0700) and the key file (32 random bytes, 0600) when absent.
  static Result<StateFile> Open(const std::string& state_dir);

  // An empty state when no state was saved yet. kWrongKey when the file does not open under
  // the key (another machine's, or altered), kCorrupt when its content is not a state.
  Result<AgentState> Load() const;
  Status Save(const AgentState& state) const;

  const std::string& path() const { return path_; }

 private:
  StateFile(std::string path, crypto::Aead aead) : path_(std::move(path)), aead_(std::move(aead)) {}
  std::string path_;
  crypto::Aead aead_;
};

}  // namespace lockbox::agent
