// Machines: enrollment of agents and their credentials.
//
//   admin:  IssueEnrollmentToken(admin, "Berlin office rollout", 200 uses, 14 days)
//   agent:  Enroll(enrollment_token, {name, domain, os, hardware IDs}) -> computer id and a
//           machine credential ("lbx_agt_..."), kept by the agent
//   agent:  Authenticate(machine_credential) -> Actor{role agent, computer}: it may report
//           only about that computer (the service checks Actor.computer)
//
// Enrolling again with a hardware ID the store knows (a reinstalled machine) keeps that
// computer record and its escrowed keys, and revokes the computer's earlier credential: one
// computer, one credential. Both kinds of token are stored only as SHA-256 hashes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "auth/options.h"
#include "crypto/secret.h"
#include "service/roles.h"
#include "store/store.h"
#include "util/guid.h"

namespace lockbox::auth {

struct NewEnrollmentToken {
  store::EnrollmentToken record;  // hash, not the token
  crypto::SecretBytes token;      // the text, shown once
};

// What an agent says about itself when it enrolls.
struct MachineInfo {
  std::string name;
  std::string domain;
  std::string os;
  // 1 to 16 identifiers that survive a reinstall ("smbios-uuid:...", "serial:...").
  std::vector<std::string> hardware_ids;
};

struct Enrollment {
  Guid computer_id;                // the agent reports as this computer
  bool existing_computer = false;  // re-enrolled: a hardware ID matched
  std::string credential_id;
  crypto::SecretBytes credential;  // "lbx_agt_...", shown once
};

class Machines {
 public:
  // `store` and `log` must outlive the Machines.
  Machines(store::Store& store, audit::AuditLog& log, const AuthOptions& options)
      : store_(store), log_(log), options_(options) {}

  // --- Administration (an admin Actor; audited).
  Result<NewEnrollmentToken> IssueEnrollmentToken(const service::Actor& admin,
                                                  std::string_view description, int64_t max_uses,
                                                  std::chrono::seconds lifetime);
  Status RevokeEnrollmentToken(const service::Actor& admin, std::string_view id);
  Result<std::vector<store::EnrollmentToken>> ListEnrollmentTokens(const service::Actor& admin);
  // Revokes the credential of `computer_id`: its agent must enroll again.
  Status RevokeComputer(const service::Actor& admin, const Guid& computer_id);

  // --- Agents.
  // Takes one use of `enrollment_token` and creates or re-binds the computer. Refused
  // (kUnauthenticated) when the token is unknown, revoked, expired or used up; kInvalidArgument
  // when `machine` is malformed or its hardware IDs match several computers. Audited.
  Result<Enrollment> Enroll(std::string_view enrollment_token, const MachineInfo& machine,
                            std::string_view address);
  // The agent Actor for `credential`, presented from `address`.
  Result<service::Actor> Authenticate(std::string_view credential, std::string_view address);

 private:
  // The computer the agent's hardware IDs name (nullopt: a new one), or why there is none.
  Result<std::optional<store::Computer>> FindComputer(const MachineInfo& machine);

  store::Store& store_;
  audit::AuditLog& log_;
  const AuthOptions options_;
};

}  // namespace lockbox::auth
