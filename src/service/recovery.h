// Recovery: finding an escrowed secret and disclosing it to someone allowed to have it.
//
//   service::RecoveryService recovery(store, audit_log, options);
//   LOCKBOX_ASSIGN_OR_RETURN(service::RecoveryAnswer answer, recovery.RecoverPassword(request));
//   if (answer.disclosure) show(answer.disclosure->secret); else list(answer.candidates);
//
// Every attempt, allowed or refused, is appended to the audit log before any secret is
// opened; when the append fails, nothing is disclosed. A disclosed recovery password is
// marked for rotation (single use). The rules per role are in docs/service.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "crypto/secret.h"
#include "service/options.h"
#include "service/rate_limiter.h"
#include "service/roles.h"
#include "service/settings.h"
#include "store/store.h"

namespace lockbox::service {

struct RecoveryRequest {
  Actor actor;
  std::string key_id;       // as typed: at least the 8 hex characters the recovery screen shows
  std::string reason;       // one of the configured reasons
  std::string reason_text;  // required with "Other"
  std::string end_user;     // the person asking; required for standard helpdesk
  bool notice_acknowledged = false;  // self-service: the user accepted the notice
};

// One of several keys matching a short key ID: enough to ask "which one?", no secret.
struct KeyCandidate {
  Guid key_id;
  std::string computer_name;
  Guid volume_id;
  std::string drive_letter;
  std::optional<store::Time> created_at;
};

struct Disclosure {
  store::RecoveryKey key;
  store::Computer computer;
  crypto::SecretBytes secret;  // the recovery password text, or the key package bytes
};

// Either a disclosure, or (when the typed key ID matches several keys) the candidates: type
// more characters of the key ID.
struct RecoveryAnswer {
  std::optional<Disclosure> disclosure;
  std::vector<KeyCandidate> candidates;
};

struct TpmRequest {
  Actor actor;
  Guid computer_id;
  std::string reason;  // one of the configured TPM reasons
  std::string reason_text;
};

class RecoveryService {
 public:
  // All must outlive the service; the reason lists and the agents' TPM window come from
  // `settings`.
  RecoveryService(store::Store& store, audit::AuditLog& audit, Settings& settings,
                  const ServiceOptions& options)
      : store_(store),
        audit_(audit),
        settings_(settings),
        options_(options),
        self_service_limiter_(options.self_service_attempts, options.self_service_window) {}

  // A recovery password by key ID. kNotFound when no key matches (or none the actor may
  // see); kPermissionDenied / kInvalidArgument / kRateLimited when refused; an answer with
  // candidates when several keys match.
  Result<RecoveryAnswer> RecoverPassword(const RecoveryRequest& request);
  // The key package of a recovery password (advanced helpdesk and admin).
  Result<RecoveryAnswer> RecoverKeyPackage(const RecoveryRequest& request);
  // A computer's TPM owner authorisation (advanced helpdesk and admin, with a TPM reason).
  Result<crypto::SecretBytes> RecoverTpmOwnerAuth(const TpmRequest& request);
  // An agent fetching its own TPM owner authorisation to reset a TPM lockout: only when a
  // recovery password of one of its OS volumes was disclosed within
  // the agent_tpm_unlock_window setting (off by default).
  Result<crypto::SecretBytes> AgentTpmOwnerAuth(const Actor& agent);
  // A computer's keys, retired ones included (no secrets).
  Result<std::vector<store::RecoveryKey>> ListKeys(const Actor& actor, const Guid& computer_id);

 private:
  enum class SecretKind { kRecoveryPassword, kKeyPackage };
  struct Decision;
  Result<RecoveryAnswer> Recover(const RecoveryRequest& request, SecretKind kind);
  Decision Decide(const RecoveryRequest& request, SecretKind kind);
  Status CheckReason(const std::vector<std::string>& allowed, const std::string& reason,
                     const std::string& text) const;
  // Audits the attempt, then (when `refusal` is ok) opens the computer's TPM owner auth.
  Result<crypto::SecretBytes> DiscloseTpm(const Actor& actor, const Guid& computer_id,
                                          const std::string& reason, const Status& refusal);

  store::Store& store_;
  audit::AuditLog& audit_;
  Settings& settings_;
  const ServiceOptions& options_;
  RateLimiter self_service_limiter_;
};

}  // namespace lockbox::service
