#include "service/escrow.h"

#include <algorithm>
#include <set>

#include "crypto/sha256.h"
#include "service/computers.h"
#include "service/escrow_writes.h"
#include "util/ascii.h"

namespace lockbox::service {
namespace {

// The machine credential whose last use a contact at `at` refreshes: "" while the use the
// store had is not stale, as the store would not write it (and finding that out would cost
// the contact batch a lookup per check-in).
std::string CredentialToRefresh(const Actor& actor, store::Time at) {
  return store::Store::UseIsStale(actor.credential_last_used, at) ? actor.credential_id
                                                                  : std::string();
}

Status CheckCount(std::string_view what, size_t count, size_t max) {
  if (count <= max) return Status::Ok();
  return Status::InvalidArgument("the report has " + std::to_string(count) + " " +
                                 std::string(what) + "; at most " + std::to_string(max) +
                                 " are accepted");
}

Status ValidateVolume(const ReportedVolume& reported) {
  const store::Volume& v = reported.volume;
  const std::string what = "volume " + v.id.ToString();
  LOCKBOX_RETURN_IF_ERROR(CheckGuid("a volume GUID", v.id));
  if (!v.drive_letter.empty() && !store::IsDriveLetter(v.drive_letter)) {
    return Status::InvalidArgument(what + ": the drive letter must be like \"C:\" or empty");
  }
  LOCKBOX_RETURN_IF_ERROR(CheckText(what + " description", v.description, false));
  LOCKBOX_RETURN_IF_ERROR(CheckText(what + " encryption method", v.encryption_method, false));
  LOCKBOX_RETURN_IF_ERROR(
      CheckCount("protectors on " + what, v.protectors.size(), kMaxProtectorsPerVolume));
  for (const store::Protector& p : v.protectors) {
    LOCKBOX_RETURN_IF_ERROR(CheckGuid("a protector GUID of " + what, p.id));
  }
  if (reported.metadata && reported.metadata->bytes.size() > kMaxMetadataBytes) {
    return Status::InvalidArgument(what + ": the metadata copy is " +
                                   std::to_string(reported.metadata->bytes.size()) +
                                   " bytes; a copy is at most 65536");
  }
  return Status::Ok();
}

const ReportedVolume* FindVolume(const EscrowReport& report, const Guid& id) {
  for (const ReportedVolume& v : report.volumes) {
    if (v.volume.id == id) return &v;
  }
  return nullptr;
}

Status ValidateRecoveryPassword(const EscrowReport& report, const ReportedRecoveryPassword& rp) {
  LOCKBOX_RETURN_IF_ERROR(CheckGuid("a recovery password's key ID", rp.key_id));
  const std::string what = "recovery password " + rp.key_id.ToString();
  const ReportedVolume* volume = FindVolume(report, rp.volume_id);
  if (!volume) {
    return Status::InvalidArgument(what + " names volume " + rp.volume_id.ToString() +
                                   ", which the report does not list");
  }
  const auto& protectors = volume->volume.protectors;
  const bool listed = std::any_of(protectors.begin(), protectors.end(), [&](const auto& p) {
    return p.id == rp.key_id && p.type == store::ProtectorType::kRecoveryPassword;
  });
  if (!listed) {
    return Status::InvalidArgument(what + " is not a recovery-password protector of volume " +
                                   rp.volume_id.ToString() + " in the report");
  }
  LOCKBOX_RETURN_IF_ERROR(CheckRecoveryPassword(rp.key_id, rp.password));
  return rp.key_package ? CheckKeyPackage(rp.key_id, *rp.key_package) : Status::Ok();
}

Status Validate(const EscrowReport& report) {
  const store::Computer& c = report.computer;
  LOCKBOX_RETURN_IF_ERROR(CheckGuid("the computer's ID", c.id));
  LOCKBOX_RETURN_IF_ERROR(CheckText("the computer name", c.name, true));
  LOCKBOX_RETURN_IF_ERROR(CheckText("the domain", c.domain, false));
  LOCKBOX_RETURN_IF_ERROR(CheckText("the operating system", c.os, false));
  LOCKBOX_RETURN_IF_ERROR(CheckCount("hardware IDs", c.hardware_ids.size(), kMaxHardwareIds));
  for (const std::string& id : c.hardware_ids) {
    LOCKBOX_RETURN_IF_ERROR(CheckText("a hardware ID", id, true));
  }
  LOCKBOX_RETURN_IF_ERROR(CheckCount("volumes", report.volumes.size(), kMaxVolumes));
  std::set<std::string> volume_ids;
  for (const ReportedVolume& v : report.volumes) {
    LOCKBOX_RETURN_IF_ERROR(ValidateVolume(v));
    if (!volume_ids.insert(v.volume.id.ToString()).second) {
      return Status::InvalidArgument("volume " + v.volume.id.ToString() + " is listed twice");
    }
  }
  LOCKBOX_RETURN_IF_ERROR(
      CheckCount("recovery passwords", report.recovery_passwords.size(), kMaxRecoveryPasswords));
  std::set<std::string> key_ids;
  for (const ReportedRecoveryPassword& rp : report.recovery_passwords) {
    LOCKBOX_RETURN_IF_ERROR(ValidateRecoveryPassword(report, rp));
    if (!key_ids.insert(rp.key_id.ToString()).second) {
      return Status::InvalidArgument("recovery password " + rp.key_id.ToString() +
                                     " is listed twice");
    }
  }
  if (report.tpm_owner_auth) {
    LOCKBOX_RETURN_IF_ERROR(CheckTpmOwnerAuth(report.tpm_owner_auth->owner_auth));
  }
  LOCKBOX_RETURN_IF_ERROR(CheckCount("users", report.users.size(), kMaxUsers));
  for (const std::string& user : report.users) {
    LOCKBOX_RETURN_IF_ERROR(CheckText("a user name", user, true));
  }
  return Status::Ok();
}

// Feeds `bytes` to `hasher` with its length first, so that no two reports encode alike.
void Put(crypto::Sha256Hasher& hasher, std::span<const uint8_t> bytes) {
  const uint64_t size = bytes.size();
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(size >> (8 * i));
  hasher.Update(length);
  hasher.Update(bytes);
}
void Put(crypto::Sha256Hasher& hasher, std::string_view text) {
  Put(hasher, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
void Put(crypto::Sha256Hasher& hasher, const Guid& id) { Put(hasher, std::span(id.bytes)); }
void Put(crypto::Sha256Hasher& hasher, int64_t n) { Put(hasher, std::to_string(n)); }
void Put(crypto::Sha256Hasher& hasher, const std::optional<store::Time>& t) {
  Put(hasher, t ? t->time_since_epoch().count() : int64_t{-1});
}

// SHA-256 over everything a report says, in a fixed encoding: two reports with the same
// digest say the same. The secrets in it (recovery passwords, key packages, TPM owner
// authorisation) are random values of 128 bits and more, so the digest reveals none of them.
crypto::Sha256Digest ReportDigest(const EscrowReport& report) {
  crypto::Sha256Hasher h;
  Put(h, std::string_view("lockbox report v1"));
  const store::Computer& c = report.computer;
  Put(h, c.id);
  Put(h, c.name);
  Put(h, c.domain);
  Put(h, c.os);
  std::vector<std::string> hardware_ids = c.hardware_ids;
  std::sort(hardware_ids.begin(), hardware_ids.end());
  Put(h, static_cast<int64_t>(hardware_ids.size()));
  for (const std::string& id : hardware_ids) Put(h, id);
  Put(h, static_cast<int64_t>(report.volumes.size()));
  for (const ReportedVolume& rv : report.volumes) {
    const store::Volume& v = rv.volume;
    Put(h, v.id);
    Put(h, v.drive_letter);
    Put(h, store::NameOf(v.type));
    Put(h, v.description);
    Put(h, v.encryption_method);
    Put(h, store::NameOf(v.protection));
    Put(h, store::NameOf(v.conversion));
    Put(h, static_cast<int64_t>(v.protectors.size()));
    for (const store::Protector& p : v.protectors) {
      Put(h, p.id);
      Put(h, store::NameOf(p.type));
    }
    Put(h, rv.metadata ? static_cast<int64_t>(rv.metadata->offset) : int64_t{-1});
    if (rv.metadata) Put(h, rv.metadata->bytes);
  }
  Put(h, static_cast<int64_t>(report.recovery_passwords.size()));
  for (const ReportedRecoveryPassword& rp : report.recovery_passwords) {
    Put(h, rp.key_id);
    Put(h, rp.volume_id);
    Put(h, rp.password.span());
    Put(h, rp.created_at);
    Put(h, rp.key_package ? rp.key_package->span() : std::span<const uint8_t>());
    Put(h, static_cast<int64_t>(rp.key_package.has_value()));
  }
  Put(h, static_cast<int64_t>(report.tpm_owner_auth.has_value()));
  if (report.tpm_owner_auth) {
    Put(h, report.tpm_owner_auth->owner_auth.span());
    Put(h, report.tpm_owner_auth->changed_at);
  }
  Put(h, static_cast<int64_t>(report.users.size()));
  for (const std::string& user : report.users) Put(h, LowerAscii(user));
  return h.Finish();
}

}  // namespace

Status EscrowService::AuthorizeReport(const Actor& actor, const Guid& computer_id) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kEscrow));
  if (actor.computer != computer_id) {
    return Status::PermissionDenied(
        "an agent may report only its own computer: the report names another computer than "
        "the agent's credential");
  }
  return Status::Ok();
}

CheckInSummary EscrowService::Summarize(const EscrowReport& report) {
  CheckInSummary summary{.computer_id = report.computer.id,
                         .digest = ReportDigest(report),
                         .secrets = {},
                         .has_tpm_owner_auth = report.tpm_owner_auth.has_value(),
                         .users = {}};
  for (const ReportedRecoveryPassword& rp : report.recovery_passwords) {
    summary.secrets.push_back({rp.key_id, "recovery_password", store::WriteOutcome::kUnchanged});
    if (rp.key_package) {
      summary.secrets.push_back({rp.key_id, "key_package", store::WriteOutcome::kUnchanged});
    }
  }
  for (const std::string& user : report.users) summary.users.push_back(LowerAscii(user));
  return summary;
}

Result<std::optional<EscrowResponse>> EscrowService::CheckIn(const Actor& actor,
                                                             const CheckInSummary& summary) {
  LOCKBOX_RETURN_IF_ERROR(AuthorizeReport(actor, summary.computer_id));
  return CheckInAuthorized(actor, summary);
}

Result<std::optional<EscrowResponse>> EscrowService::CheckInAuthorized(
    const Actor& actor, const CheckInSummary& summary) {
  auto stored = store_.GetCheckIn(summary.computer_id);
  if (!stored.ok()) {
    if (stored.status().code() == ErrorCode::kNotFound) return std::optional<EscrowResponse>();
    return stored.status();
  }
  if (stored->report_digest.size() != summary.digest.size() ||
      !crypto::ConstantTimeEqual(stored->report_digest, summary.digest)) {
    return std::optional<EscrowResponse>();
  }
  LOCKBOX_ASSIGN_OR_RETURN(const auto settings, settings_.Current());
  EscrowResponse response;
  response.next_report_in = settings->report_interval;
  response.secrets = summary.secrets;
  if (summary.has_tpm_owner_auth) response.tpm_owner_auth = store::WriteOutcome::kUnchanged;
  response.rotate = std::move(stored->awaiting_rotation);
  const store::Time now = options_.now();
  contacts_.Record({.computer_id = summary.computer_id,
                    .at = now,
                    .users = summary.users,
                    .credential_id = CredentialToRefresh(actor, now)});
  return std::optional<EscrowResponse>(std::move(response));
}

Result<EscrowResponse> EscrowService::Escrow(const Actor& actor, const EscrowReport& report) {
  LOCKBOX_RETURN_IF_ERROR(AuthorizeReport(actor, report.computer.id));
  LOCKBOX_RETURN_IF_ERROR(Validate(report));
  const CheckInSummary summary = Summarize(report);
  {
    // A scope of its own, or GCC 12 warns (falsely) that the optional's destructor at the
    // end of the function may read uninitialised fields.
    LOCKBOX_ASSIGN_OR_RETURN(auto checked_in, CheckInAuthorized(actor, summary));
    if (checked_in) return std::move(*checked_in);
  }

  const store::Time now = options_.now();
  const std::span<const uint8_t> digest = summary.digest;
  LOCKBOX_ASSIGN_OR_RETURN(const auto settings, settings_.Current());
  EscrowResponse response;
  // Everything the report writes is one transaction: a report is stored whole or not at all,
  // and concurrent reports share their commits. The body may run again (see Atomically).
  LOCKBOX_RETURN_IF_ERROR(store_.Atomically([&]() -> Status {
    response = EscrowResponse{};
    response.next_report_in = settings->report_interval;
    return WriteReport(actor, report, digest, now, response);
  }));
  // The computer's contact time was written with it; its credential's last use follows.
  contacts_.Record({.computer_id = report.computer.id,
                    .at = now,
                    .users = {},
                    .credential_id = CredentialToRefresh(actor, now)});
  return response;
}

Status EscrowService::WriteReport(const Actor& actor, const EscrowReport& report,
                                  std::span<const uint8_t> digest, store::Time now,
                                  EscrowResponse& response) {
  store::Computer computer = report.computer;
  computer.last_contact = now;
  // kUnchanged when only the contact time moved.
  LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome computer_outcome,
                           store_.UpsertComputer(computer));
  response.changed = computer_outcome != store::WriteOutcome::kUnchanged;

  for (const ReportedVolume& v : report.volumes) {
    store::Volume volume = v.volume;
    volume.computer_id = computer.id;
    LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome outcome, store_.UpsertVolume(volume));
    response.changed |= outcome != store::WriteOutcome::kUnchanged;
  }

  bool complete = true;
  LOCKBOX_RETURN_IF_ERROR(WriteSecrets(actor, report, response, &complete));
  LOCKBOX_RETURN_IF_ERROR(RetireReplacedKeys(report, response));

  if (report.tpm_owner_auth) {
    LOCKBOX_ASSIGN_OR_RETURN(
        response.tpm_owner_auth,
        store_.StoreTpmOwnerAuth(computer.id, report.tpm_owner_auth->owner_auth,
                                 report.tpm_owner_auth->changed_at));
    response.changed |= *response.tpm_owner_auth == store::WriteOutcome::kCreated ||
                        *response.tpm_owner_auth == store::WriteOutcome::kUpdated;
  }

  LOCKBOX_ASSIGN_OR_RETURN(const auto known_users, store_.ListComputerUsers(computer.id));
  for (const std::string& user : report.users) {
    const std::string name = LowerAscii(user);
    response.changed |= std::none_of(known_users.begin(), known_users.end(),
                                     [&](const store::ComputerUser& u) { return u.user == name; });
    LOCKBOX_RETURN_IF_ERROR(store_.RecordComputerUser(computer.id, name, now));
  }

  // Instructions: every recovery password of this computer still awaiting rotation, in the
  // order a check-in gives them.
  LOCKBOX_ASSIGN_OR_RETURN(store::CheckIn stored, store_.GetCheckIn(computer.id));
  response.rotate = std::move(stored.awaiting_rotation);
  // The next identical report may skip all of the above, unless this one's answer depends on
  // more than what is stored: conflicts (audited at each report) or a stale TPM value. (The
  // store keeps no digest while a key awaits rotation: those reports are processed in full.)
  complete = complete && response.conflicts.empty() &&
             response.tpm_owner_auth != store::WriteOutcome::kStale;
  if (complete) LOCKBOX_RETURN_IF_ERROR(store_.SetReportDigest(computer.id, digest));
  return Status::Ok();
}

Status EscrowService::WriteSecrets(const Actor& actor, const EscrowReport& report,
                                   EscrowResponse& response, bool* complete) {
  const store::Time now = options_.now();
  const auto record = [&](const Guid& key_id, const char* kind, store::WriteOutcome outcome) {
    response.secrets.push_back({key_id, kind, outcome});
    response.changed |=
        outcome == store::WriteOutcome::kCreated || outcome == store::WriteOutcome::kUpdated;
    if (outcome != store::WriteOutcome::kConflict) return Status::Ok();
    response.conflicts.push_back(key_id);
    return AuditConflict(audit_, actor, now, report.computer, key_id.ToString(), kind);
  };

  for (const ReportedRecoveryPassword& rp : report.recovery_passwords) {
    // Validate() checked it parses.
    LOCKBOX_ASSIGN_OR_RETURN(auto password, ParseCheckedPassword(rp.password));
    store::RecoveryKey key;
    key.key_id = rp.key_id;
    key.volume_id = rp.volume_id;
    key.created_at = rp.created_at;
    key.escrowed_at = now;
    key.source = "agent:" + report.computer.name;
    LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome outcome,
                             EscrowPassword(store_, key, password));
    LOCKBOX_RETURN_IF_ERROR(record(rp.key_id, "recovery_password", outcome));
    if (outcome == store::WriteOutcome::kConflict) continue;

    if (rp.key_package) {
      LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome package_outcome,
                               store_.StoreKeyPackage(rp.key_id, *rp.key_package));
      LOCKBOX_RETURN_IF_ERROR(record(rp.key_id, "key_package", package_outcome));
    }

    const ReportedVolume* volume = FindVolume(report, rp.volume_id);
    if (!verifier_ || !volume->metadata) continue;
    LOCKBOX_ASSIGN_OR_RETURN(const store::RecoveryKey stored, store_.GetRecoveryKey(rp.key_id));
    if (stored.verification != store::Verification::kUnknown) continue;
    if (verifier_->Enqueue(rp.key_id, std::move(password), *volume->metadata)) {
      response.verification_queued.push_back(rp.key_id);
    } else {
      *complete = false;
    }
  }
  return Status::Ok();
}

// A disclosed key is replaced when the agent reports its volume's recovery passwords and the
// disclosed one is no longer among them: it was removed from the volume, so it opens nothing
// now. It is kept (retired) for history.
Status EscrowService::RetireReplacedKeys(const EscrowReport& report, EscrowResponse& response) {
  for (const ReportedVolume& v : report.volumes) {
    std::set<std::string> reported;
    for (const ReportedRecoveryPassword& rp : report.recovery_passwords) {
      if (rp.volume_id == v.volume.id) reported.insert(rp.key_id.ToString());
    }
    if (reported.empty()) continue;  // no replacement yet: keep asking for rotation
    LOCKBOX_ASSIGN_OR_RETURN(const auto keys, store_.ListRecoveryKeys(v.volume.id));
    for (const store::RecoveryKey& key : keys) {
      if (key.state != store::KeyState::kDisclosed || reported.count(key.key_id.ToString())) {
        continue;
      }
      LOCKBOX_RETURN_IF_ERROR(
          store_.SetKeyState(key.key_id, store::KeyState::kRetired, options_.now()));
      response.retired.push_back(key.key_id);
      response.changed = true;
    }
  }
  return Status::Ok();
}

Status EscrowService::ForceRotation(const Actor& actor, const Guid& key_id) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kForceRotation));
  LOCKBOX_ASSIGN_OR_RETURN(const store::RecoveryKey key, store_.GetRecoveryKey(key_id));
  if (key.state == store::KeyState::kRetired) {
    return Status::InvalidArgument("key " + key_id.ToString() +
                                   " is retired already: it was replaced and opens nothing");
  }
  LOCKBOX_ASSIGN_OR_RETURN(const store::Computer computer, ComputerOfVolume(store_, key.volume_id));
  const store::Time now = options_.now();
  store::AuditEntry entry = NewAuditEntry(actor, now);
  entry.computer = AuditName(computer);
  entry.key_id = key_id.ToString();
  entry.key_type = "recovery_password";
  entry.result = "rotation forced";
  LOCKBOX_RETURN_IF_ERROR(audit_.Append(entry));
  return store_.SetKeyState(key_id, store::KeyState::kDisclosed, now);
}

}  // namespace lockbox::service
