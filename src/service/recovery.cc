#include "service/recovery.h"

#include <algorithm>

#include "recovery/key_id.h"
#include "service/computers.h"
#include "util/ascii.h"

namespace lockbox::service {
namespace {

std::string_view KeyTypeName(bool key_package) {
  return key_package ? "key_package" : "recovery_password";
}

// How an attempt ended, for the audit log: "disclosed", or the error code and message.
std::string AuditResult(const Status& status) {
  if (status.ok()) return "disclosed";
  return std::string(ErrorCodeName(status.code())) + ": " + status.message();
}

// The error returned when the audit entry could not be written: the attempt is not allowed
// to proceed, whatever it was.
Status AuditFailed(const Status& append) {
  return Status(append.code(), "the audit log could not be written, so nothing was disclosed (" +
                                   append.message() + "); try again when the store is writable");
}

std::string AuditReason(const std::string& reason, const std::string& text) {
  return text.empty() ? reason : reason + ": " + text;
}

}  // namespace

// What Decide() concluded, before any secret is opened.
struct RecoveryService::Decision {
  Status refusal;         // ok: allowed (a key, or candidates)
  std::string typed_key;  // the typed key ID, for the audit log when none was resolved
  std::optional<store::RecoveryKey> key;
  std::optional<store::Computer> computer;
  std::vector<KeyCandidate> candidates;  // several keys matched
};

Status RecoveryService::CheckReason(const std::vector<std::string>& allowed,
                                    const std::string& reason, const std::string& text) const {
  if (std::find(allowed.begin(), allowed.end(), reason) == allowed.end()) {
    std::string list;
    for (const std::string& r : allowed) list += (list.empty() ? "\"" : ", \"") + r + "\"";
    return Status::InvalidArgument("the reason \"" + reason + "\" is not one of " + list);
  }
  if (reason == kOtherReason && text.empty()) {
    return Status::InvalidArgument("the reason \"Other\" needs a description: say why");
  }
  return Status::Ok();
}

RecoveryService::Decision RecoveryService::Decide(const RecoveryRequest& request, SecretKind kind) {
  Decision d;
  d.typed_key = request.key_id;
  const Actor& actor = request.actor;
  const auto refuse = [&](Status status) {
    d.refusal = std::move(status);
    return d;
  };
  const Status allowed =
      Authorize(actor, kind == SecretKind::kKeyPackage ? Operation::kRecoverKeyPackage
                                                       : Operation::kRecoverPassword);
  if (!allowed.ok()) return refuse(allowed);
  const bool self_service = actor.role == Role::kSelfServiceUser;
  if (self_service) {
    if (!self_service_limiter_.TryAttempt(LowerAscii(actor.name), options_.now())) {
      return refuse(Status::RateLimited(
          "too many recovery attempts from this account: wait an hour or call the helpdesk"));
    }
    if (!request.notice_acknowledged) {
      return refuse(Status::InvalidArgument(
          "the recovery notice was not acknowledged: read and accept it first"));
    }
  }
  const auto settings = settings_.Current();
  if (!settings.ok()) return refuse(settings.status());
  if (Status s =
          CheckReason((*settings)->drive_unlock_reasons, request.reason, request.reason_text);
      !s.ok()) {
    return refuse(s);
  }
  if (actor.role == Role::kHelpdesk && request.end_user.empty()) {
    return refuse(Status::InvalidArgument(
        "the end user is missing: name the person asking for the recovery password"));
  }
  auto prefix = recovery::KeyIdPrefix::Parse(request.key_id);
  if (!prefix.ok()) return refuse(prefix.status());
  d.typed_key = prefix->hex();
  auto found = store_.FindRecoveryKeys(*prefix);
  if (!found.ok()) return refuse(found.status());

  std::vector<Guid> own_computers;
  if (self_service) {
    auto computers = store_.FindComputersByUser(LowerAscii(actor.name));
    if (!computers.ok()) return refuse(computers.status());
    own_computers = std::move(computers).value();
  }
  std::vector<std::pair<store::RecoveryKey, store::Computer>> matches;
  std::vector<KeyCandidate> candidates;
  for (store::RecoveryKey& key : *found) {
    auto volume = store_.GetVolume(key.volume_id);
    if (!volume.ok()) return refuse(volume.status());
    auto computer = store_.GetComputer(volume->computer_id);
    if (!computer.ok()) return refuse(computer.status());
    // A self-service user sees only their computers' keys: others' do not exist for them.
    if (self_service && std::find(own_computers.begin(), own_computers.end(), computer->id) ==
                            own_computers.end()) {
      continue;
    }
    candidates.push_back(
        {key.key_id, computer->name, volume->id, volume->drive_letter, key.created_at});
    matches.emplace_back(std::move(key), std::move(computer).value());
  }
  if (matches.empty()) {
    return refuse(Status::NotFound("no recovery key ID starts with " + prefix->hex() +
                                   ": check the characters against the recovery screen"));
  }
  if (matches.size() > 1) {
    d.candidates = std::move(candidates);
    return d;
  }
  d.key = std::move(matches[0].first);
  d.computer = std::move(matches[0].second);

  if (d.key->state == store::KeyState::kRetired) {
    const Status history = Authorize(actor, Operation::kRecoverRetiredPassword);
    if (!history.ok()) {
      return refuse(Status::PermissionDenied("this recovery password was replaced (retired) and " +
                                             history.message() + ": ask an advanced helpdesk"));
    }
  }
  if (actor.role == Role::kHelpdesk) {
    auto users = store_.ListComputerUsers(d.computer->id);
    if (!users.ok()) return refuse(users.status());
    const std::string end_user = LowerAscii(request.end_user);
    const bool known = std::any_of(users->begin(), users->end(), [&](const store::ComputerUser& u) {
      return u.user == end_user;
    });
    if (!users->empty() && !known) {
      return refuse(Status::PermissionDenied(
          "\"" + request.end_user + "\" is not a known user of computer " + d.computer->name +
          ": check the user name, or ask an advanced helpdesk"));
    }
  }
  return d;
}

Result<RecoveryAnswer> RecoveryService::Recover(const RecoveryRequest& request, SecretKind kind) {
  Decision d = Decide(request, kind);
  const store::Time now = options_.now();
  store::AuditEntry entry = NewAuditEntry(request.actor, now);
  entry.key_id = d.key ? d.key->key_id.ToString() : d.typed_key;
  entry.key_type = KeyTypeName(kind == SecretKind::kKeyPackage);
  entry.computer = d.computer ? AuditName(*d.computer) : "";
  entry.reason = AuditReason(request.reason, request.reason_text);
  entry.end_user =
      request.actor.role == Role::kSelfServiceUser ? request.actor.name : request.end_user;
  entry.result = d.candidates.empty()
                     ? AuditResult(d.refusal)
                     : "ambiguous: " + std::to_string(d.candidates.size()) + " keys match";
  if (auto appended = audit_.Append(entry); !appended.ok()) return AuditFailed(appended.status());
  if (!d.refusal.ok()) return d.refusal;
  if (!d.candidates.empty()) return RecoveryAnswer{std::nullopt, std::move(d.candidates)};

  // Single use: the password is flagged for rotation before it leaves the store, so a
  // failure here discloses nothing.
  if (kind == SecretKind::kRecoveryPassword && d.key->state == store::KeyState::kActive) {
    LOCKBOX_RETURN_IF_ERROR(store_.SetKeyState(d.key->key_id, store::KeyState::kDisclosed, now));
    d.key->state = store::KeyState::kDisclosed;
    d.key->state_changed_at = now;
  }
  auto secret = kind == SecretKind::kKeyPackage ? store_.OpenKeyPackage(d.key->key_id)
                                                : store_.OpenRecoveryPassword(d.key->key_id);
  if (!secret.ok()) {
    entry.result = "not disclosed after all: " + AuditResult(secret.status());
    (void)audit_.Append(entry);  // the error below reaches the caller either way
    return secret.status();
  }
  return RecoveryAnswer{
      Disclosure{std::move(*d.key), std::move(*d.computer), std::move(secret).value()}, {}};
}

Result<RecoveryAnswer> RecoveryService::RecoverPassword(const RecoveryRequest& request) {
  return Recover(request, SecretKind::kRecoveryPassword);
}

Result<RecoveryAnswer> RecoveryService::RecoverKeyPackage(const RecoveryRequest& request) {
  return Recover(request, SecretKind::kKeyPackage);
}

Result<crypto::SecretBytes> RecoveryService::DiscloseTpm(const Actor& actor,
                                                         const Guid& computer_id,
                                                         const std::string& reason,
                                                         const Status& refusal) {
  store::AuditEntry entry = NewAuditEntry(actor, options_.now());
  auto computer = store_.GetComputer(computer_id);
  entry.computer = computer.ok() ? AuditName(*computer) : computer_id.ToString();
  entry.key_type = "tpm_owner_auth";
  entry.reason = reason;
  entry.result = AuditResult(refusal);
  if (auto appended = audit_.Append(entry); !appended.ok()) return AuditFailed(appended.status());
  if (!refusal.ok()) return refusal;
  auto secret = store_.OpenTpmOwnerAuth(computer_id);
  if (!secret.ok()) {
    entry.result = "not disclosed after all: " + AuditResult(secret.status());
    (void)audit_.Append(entry);
  }
  return secret;
}

Result<crypto::SecretBytes> RecoveryService::RecoverTpmOwnerAuth(const TpmRequest& request) {
  Status refusal = Authorize(request.actor, Operation::kRecoverTpmOwnerAuth);
  if (refusal.ok()) {
    const auto settings = settings_.Current();
    refusal = settings.ok()
                  ? CheckReason((*settings)->tpm_reasons, request.reason, request.reason_text)
                  : settings.status();
  }
  return DiscloseTpm(request.actor, request.computer_id,
                     AuditReason(request.reason, request.reason_text), refusal);
}

Result<crypto::SecretBytes> RecoveryService::AgentTpmOwnerAuth(const Actor& agent) {
  Actor actor = agent;
  actor.source = Source::kAgentTpmUnlock;
  const Guid computer_id = agent.computer.value_or(Guid{});
  const auto decide = [&]() -> Status {
    LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kAgentTpmUnlock));
    if (!agent.computer) {
      return Status::PermissionDenied("the agent's credential names no computer");
    }
    LOCKBOX_ASSIGN_OR_RETURN(const auto settings, settings_.Current());
    if (settings->agent_tpm_unlock_window.count() == 0) {
      return Status::PermissionDenied(
          "agents may not fetch the TPM owner authorisation on this server "
          "(agent_tpm_unlock_window is off)");
    }
    const store::Time since = options_.now() - settings->agent_tpm_unlock_window;
    LOCKBOX_ASSIGN_OR_RETURN(const auto volumes, store_.ListVolumes(computer_id));
    for (const store::Volume& volume : volumes) {
      if (volume.type != store::VolumeType::kOperatingSystem) continue;
      LOCKBOX_ASSIGN_OR_RETURN(const auto keys, store_.ListRecoveryKeys(volume.id));
      for (const store::RecoveryKey& key : keys) {
        if (key.state == store::KeyState::kDisclosed && key.state_changed_at &&
            *key.state_changed_at >= since) {
          return Status::Ok();
        }
      }
    }
    return Status::PermissionDenied(
        "no recovery password of this computer's OS volume was disclosed recently, so the TPM "
        "owner authorisation is not released to the agent");
  };
  return DiscloseTpm(actor, computer_id, "Reset TPM lockout", decide());
}

Result<std::vector<store::RecoveryKey>> RecoveryService::ListKeys(const Actor& actor,
                                                                  const Guid& computer_id) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kListKeys));
  LOCKBOX_ASSIGN_OR_RETURN(const auto volumes, store_.ListVolumes(computer_id));
  std::vector<store::RecoveryKey> keys;
  for (const store::Volume& volume : volumes) {
    LOCKBOX_ASSIGN_OR_RETURN(auto volume_keys, store_.ListRecoveryKeys(volume.id));
    for (auto& key : volume_keys) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace lockbox::service
