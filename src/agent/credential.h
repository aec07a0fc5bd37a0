// The machine credential: what enrollment gave this computer ("lbx_agt_...") and its server
// record's id, kept in STATE_DIR/credential (mode 0600; Windows will use DPAPI machine scope).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "crypto/secret.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::agent {

struct MachineCredential {
  Guid computer_id;
  crypto::SecretBytes credential;  // sent as "Authorization: Bearer"
};

// From {"computer_id": "...", "credential": "lbx_agt_..."} (the enrollment answer, the file).
// kCorrupt naming `what` when either is missing.
Result<MachineCredential> CredentialFromJson(const nlohmann::json& j, const std::string& what);

// kNotFound before enrollment.
Result<MachineCredential> LoadCredential(const std::string& state_dir);
Status SaveCredential(const std::string& state_dir, const MachineCredential& credential);

}  // namespace lockbox::agent
