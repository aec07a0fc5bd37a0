// Escrow: what an enrolled computer's agent reports, and what the server tells it to do.
//
//   service::EscrowService escrow(store, audit_log, &verifier, options);
//   LOCKBOX_ASSIGN_OR_RETURN(service::EscrowResponse response, escrow.Escrow(agent, report));
//   // response.rotate: key IDs the agent must replace; response.next_report_in: when to call
//
// A report is validated as a whole before anything is written; recovery passwords must pass
// recovery::Check (a bad block is named, the password never echoed). Writing is idempotent:
// the same report twice changes nothing, and the response says so. A key ID seen again with
// other content is a conflict reported back and audited, never an overwrite. See
// docs/service.md for the rules.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "service/contact_recorder.h"
#include "service/options.h"
#include "service/roles.h"
#include "service/settings.h"
#include "service/verifier.h"
#include "store/store.h"

namespace lockbox::service {

// Upper bounds on a report, so a broken or hostile agent cannot make the server store much.
inline constexpr size_t kMaxTextBytes = 256;
inline constexpr size_t kMaxHardwareIds = 16;
inline constexpr size_t kMaxVolumes = 64;
inline constexpr size_t kMaxProtectorsPerVolume = 32;
inline constexpr size_t kMaxRecoveryPasswords = 128;
inline constexpr size_t kMaxUsers = 64;
inline constexpr size_t kMaxKeyPackageBytes = 16 * 1024;
inline constexpr size_t kMaxTpmOwnerAuthBytes = 1024;
inline constexpr size_t kMaxMetadataBytes = 64 * 1024;

struct ReportedVolume {
  // id, drive letter, type, description, encryption method, protection, conversion,
  // protectors. computer_id is set from the report's computer.
  store::Volume volume;
  std::optional<MetadataCopy> metadata;  // one FVE metadata copy, for verification
};

struct ReportedRecoveryPassword {
  Guid key_id;  // the recovery-password protector's GUID
  Guid volume_id;
  crypto::SecretBytes password;  // as Windows shows it: 8 blocks of 6 digits
  std::optional<store::Time> created_at;
  std::optional<crypto::SecretBytes> key_package;
};

struct ReportedTpmOwnerAuth {
  crypto::SecretBytes owner_auth;
  store::Time changed_at{};
};

struct EscrowReport {
  store::Computer computer;  // last_contact is set by the server
  std::vector<ReportedVolume> volumes;
  std::vector<ReportedRecoveryPassword> recovery_passwords;
  std::optional<ReportedTpmOwnerAuth> tpm_owner_auth;
  std::vector<std::string> users;  // accounts that log on ("contoso\\alice")
};

// What happened to one secret of the report.
struct SecretOutcome {
  Guid key_id;
  std::string kind;  // "recovery_password" or "key_package"
  store::WriteOutcome outcome = store::WriteOutcome::kUnchanged;
};

struct EscrowResponse {
  // False when the report said nothing new (contact times aside).
  bool changed = false;
  std::vector<SecretOutcome> secrets;
  // Key IDs reported again with other content: stored content kept, audited.
  std::vector<Guid> conflicts;
  std::optional<store::WriteOutcome> tpm_owner_auth;
  // Recovery passwords queued for checking against the metadata sent with them.
  std::vector<Guid> verification_queued;
  // Disclosed keys this report replaced: retired now.
  std::vector<Guid> retired;
  // Instructions: the recovery passwords the agent must replace (disclosed, or forced by an
  // admin), and when to report next.
  std::vector<Guid> rotate;
  std::chrono::minutes next_report_in{90};
};

// What a check-in needs of a report: enough to answer the same report again without
// decoding it (api::ReportMemo keeps these by the report body's hash). No secret: the digest
// covers the secrets, which are random values of 128 bits and more.
struct CheckInSummary {
  Guid computer_id;
  crypto::Sha256Digest digest{};  // ReportDigest: everything the report says
  // Each secret of the report, as a check-in answers it (unchanged).
  std::vector<SecretOutcome> secrets;
  bool has_tpm_owner_auth = false;
  std::vector<std::string> users;  // lower-cased
};

class EscrowService {
 public:
  // `verifier` may be null (no metadata verification). All must outlive the service; the
  // report interval comes from `settings`.
  EscrowService(store::Store& store, audit::AuditLog& audit, KeyVerifier* verifier,
                Settings& settings, const ServiceOptions& options)
      : store_(store),
        audit_(audit),
        verifier_(verifier),
        settings_(settings),
        options_(options),
        contacts_(store, options.contact_flush_interval) {}

  // An agent's report of its own computer (actor.computer must name report.computer.id).
  // kPermissionDenied for another role or computer; kInvalidArgument naming the first
  // invalid field; nothing is written then. A report that repeats the last one fully
  // processed (its digest matches) is a check-in: answered from one read, its contact time
  // recorded in the next batch (ContactRecorder). The last use of the agent's credential is
  // recorded in that batch too, after any report.
  Result<EscrowResponse> Escrow(const Actor& actor, const EscrowReport& report);

  // The summary of a valid report (Escrow() accepted it). Pure: the same report, the same
  // summary.
  static CheckInSummary Summarize(const EscrowReport& report);
  // Answers a report known only by its summary when it repeats the last report fully
  // processed; nullopt when it does not (then the report must go through Escrow()). The
  // same checks of the actor as Escrow().
  Result<std::optional<EscrowResponse>> CheckIn(const Actor& actor, const CheckInSummary& summary);

  // Writes the contact times of check-ins now (they are written every
  // options.contact_flush_interval anyway).
  Status FlushContacts() { return contacts_.Flush(); }

  // Marks a recovery password for rotation (as if disclosed): the computer's agent is told to
  // replace it at its next report. Admins only; audited.
  Status ForceRotation(const Actor& actor, const Guid& key_id);

 private:
  // The full path of Escrow(), inside its transaction.
  Status WriteReport(const Actor& actor, const EscrowReport& report,
                     std::span<const uint8_t> digest, store::Time now, EscrowResponse& response);
  Status AuthorizeReport(const Actor& actor, const Guid& computer_id);
  Result<std::optional<EscrowResponse>> CheckInAuthorized(const Actor& actor,
                                                          const CheckInSummary& summary);
  // *complete is cleared when a check the report asked for was skipped (a full verification
  // queue), so that the next identical report is processed in full again.
  Status WriteSecrets(const Actor& actor, const EscrowReport& report, EscrowResponse& response,
                      bool* complete);
  Status RetireReplacedKeys(const EscrowReport& report, EscrowResponse& response);

  store::Store& store_;
  audit::AuditLog& audit_;
  KeyVerifier* verifier_;
  Settings& settings_;
  const ServiceOptions& options_;
  ContactRecorder contacts_;
};

}  // namespace lockbox::service
