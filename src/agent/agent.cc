#include "agent/agent.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include "crypto/json_wipe.h"
#include "recovery/key_id.h"

namespace lockbox::agent {
namespace {

// A rotation takes three reports (plan; add and escrow; show the old protector gone); more in
// one cycle means something does not converge, and the next cycle tries again.
constexpr int kMaxReportsPerCycle = 6;

std::string Short(const Guid& id) { return recovery::ShortKeyId(id); }

Result<crypto::SecretBytes> ReadEnrollmentToken(const std::string& path) {
  if (path.empty()) {
    return Status::InvalidArgument(
        "not enrolled yet and no enrollment_token_file is configured: set it to a file holding "
        "an enrollment token (`lockbox enrollment-token create`)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the enrollment token file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ')) --end;
  crypto::SecretBytes token(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), end));
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  if (token.empty())
    return Status::InvalidArgument("the enrollment token file " + path + " is empty");
  return token;
}

}  // namespace

uint32_t RetryDelaySeconds(uint32_t failures, uint32_t cap_seconds) {
  uint64_t delay = 30;
  for (uint32_t i = 1; i < failures && delay < cap_seconds; ++i) delay *= 2;
  delay = std::min<uint64_t>(delay, cap_seconds);
  std::random_device random;
  const uint64_t jitter = delay / 4 == 0 ? 0 : random() % (delay / 4 + 1);
  return static_cast<uint32_t>(std::min<uint64_t>(delay + jitter, cap_seconds));
}

Result<ComputerInfo> Agent::Computer() const {
  LOCKBOX_ASSIGN_OR_RETURN(ComputerInfo computer, provider_.Computer());
  if (options_.computer_name) computer.name = *options_.computer_name;
  if (options_.domain) computer.domain = *options_.domain;
  return computer;
}

Result<MachineCredential> Agent::EnsureEnrolled(const ComputerInfo& computer) {
  auto credential = LoadCredential(options_.state_dir);
  if (credential.ok() || credential.status().code() != ErrorCode::kNotFound) return credential;
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes token,
                           ReadEnrollmentToken(options_.enrollment_token_file));
  LOCKBOX_ASSIGN_OR_RETURN(MachineCredential enrolled, server_.Enroll(token, computer));
  LOCKBOX_RETURN_IF_ERROR(SaveCredential(options_.state_dir, enrolled));
  log_("enrolled " + computer.name + " with " + server_.url().ToString() + " as computer " +
       enrolled.computer_id.ToString());
  return enrolled;
}

Result<bool> Agent::QueueUnescrowed(AgentState& state) const {
  LOCKBOX_ASSIGN_OR_RETURN(const auto passwords, provider_.RecoveryPasswords());
  bool changed = false;
  // Keys no longer on any volume need no memory of their escrow.
  for (auto it = state.escrowed.begin(); it != state.escrowed.end();) {
    const bool present = std::any_of(passwords.begin(), passwords.end(),
                                     [&](const auto& p) { return p.key_id.ToString() == *it; });
    it = present ? std::next(it) : state.escrowed.erase(it);
    changed = changed || !present;
  }
  for (const RecoveryPasswordInfo& p : passwords) {
    const bool queued = std::any_of(state.queue.begin(), state.queue.end(),
                                    [&](const QueuedKey& q) { return q.key_id == p.key_id; });
    if (queued || state.escrowed.count(p.key_id.ToString())) continue;
    state.queue.push_back({.key_id = p.key_id,
                           .volume_id = p.volume_id,
                           .password = p.password.Clone(),
                           .created_at = p.created_at,
                           .attempts = 0});
    log_("queued recovery password " + Short(p.key_id) + " of volume " + p.volume_id.ToString() +
         " for escrow");
    changed = true;
  }
  return changed;
}

Result<bool> Agent::ReportOnce(AgentState& state, const StateFile& file,
                               const MachineCredential& credential, const ComputerInfo& computer) {
  bool changed = false;
  const Status advanced = AdvanceRotations(state, provider_, log_, &changed);
  if (changed) LOCKBOX_RETURN_IF_ERROR(file.Save(state));
  LOCKBOX_RETURN_IF_ERROR(advanced);
  LOCKBOX_ASSIGN_OR_RETURN(const bool queued, QueueUnescrowed(state));
  if (queued) LOCKBOX_RETURN_IF_ERROR(file.Save(state));

  LOCKBOX_ASSIGN_OR_RETURN(const std::vector<VolumeInfo> volumes, provider_.Volumes());
  LOCKBOX_ASSIGN_OR_RETURN(TpmInfo tpm, provider_.Tpm());
  if (tpm.owner_auth && tpm.owner_auth_changed_at == state.tpm_owner_auth_escrowed) {
    tpm.owner_auth.reset();  // the server has it
  }
  nlohmann::json report = EncodeReport({.computer_id = credential.computer_id,
                                        .computer = &computer,
                                        .volumes = &volumes,
                                        .keys = &state.queue,
                                        .tpm = &tpm});
  crypto::WipeOnExit wipe(report);
  auto answer = server_.Report(credential, report);
  if (!answer.ok()) {
    ++state.failed_reports;
    for (QueuedKey& q : state.queue) ++q.attempts;
    LOCKBOX_RETURN_IF_ERROR(file.Save(state));
    if (answer.status().code() == ErrorCode::kUnauthenticated) {
      return Status::Unauthenticated(
          answer.status().message() + ". The machine credential was revoked: remove " +
          options_.state_dir + "/credential to enroll again (nothing queued is lost)");
    }
    return answer.status();
  }
  // A check-in that changes nothing writes nothing (a fleet simulator runs thousands).
  bool dirty =
      state.failed_reports != 0 || state.next_report_seconds != answer->next_report_seconds;
  state.failed_reports = 0;
  state.next_report_seconds = answer->next_report_seconds;
  for (const Guid& id : answer->acknowledged) {
    const auto it = std::find_if(state.queue.begin(), state.queue.end(),
                                 [&](const QueuedKey& q) { return q.key_id == id; });
    if (it == state.queue.end()) continue;
    dirty = true;
    state.queue.erase(it);
    state.escrowed.insert(id.ToString());
    OnAcknowledged(state, id);
    log_("escrowed recovery password " + Short(id));
  }
  for (const Guid& id : answer->conflicts) {
    log_("the server holds other content for key " + Short(id) +
         " (a cloned disk?): it stays queued; an administrator should look at this computer");
  }
  for (const Guid& id : answer->retired) log_("the server retired key " + Short(id));
  if (tpm.owner_auth && answer->tpm_owner_auth_acknowledged) {
    state.tpm_owner_auth_escrowed = tpm.owner_auth_changed_at;
    dirty = true;
  }
  bool more = false;
  for (const Guid& id : answer->rotate) {
    LOCKBOX_ASSIGN_OR_RETURN(const bool planned, PlanRotation(state, id, volumes, provider_, log_));
    more = more || planned;
    dirty = dirty || planned;
  }
  if (dirty) LOCKBOX_RETURN_IF_ERROR(file.Save(state));
  // Rotations with a provider step to do, and their reports, are work for another round.
  for (const Rotation& r : state.rotations) more = more || r.step != RotationStep::kAdded;
  return more;
}

void Agent::ResetTpmLockoutIfAllowed(const MachineCredential& credential) {
  auto tpm = provider_.Tpm();
  if (!tpm.ok() || !tpm->locked_out) return;
  auto owner_auth = server_.TpmOwnerAuth(credential);
  if (!owner_auth.ok()) {
    log_("the TPM is locked out; the server gives no owner authorisation to reset it (" +
         owner_auth.status().message() + ")");
    return;
  }
  const Status reset = provider_.ResetTpmLockout(*owner_auth);
  log_(reset.ok() ? "reset the TPM's lockout with the owner authorisation from the server"
                  : "resetting the TPM's lockout failed: " + reset.message());
}

Result<CycleResult> Agent::RunOnce() {
  LOCKBOX_ASSIGN_OR_RETURN(const StateFile file, StateFile::Open(options_.state_dir));
  LOCKBOX_ASSIGN_OR_RETURN(AgentState state, file.Load());
  LOCKBOX_ASSIGN_OR_RETURN(const ComputerInfo computer, Computer());
  LOCKBOX_ASSIGN_OR_RETURN(const MachineCredential credential, EnsureEnrolled(computer));
  // Before the reports: the server releases the owner authorisation while the disclosed key is
  // still disclosed, and the report that carries its replacement retires it.
  ResetTpmLockoutIfAllowed(credential);
  CycleResult result;
  bool more = true;
  while (more && result.reports < kMaxReportsPerCycle) {
    LOCKBOX_ASSIGN_OR_RETURN(more, ReportOnce(state, file, credential, computer));
    ++result.reports;
  }
  result.next_report_seconds =
      state.next_report_seconds ? state.next_report_seconds : options_.default_report_seconds;
  return result;
}

Result<nlohmann::json> Agent::Describe() const {
  LOCKBOX_ASSIGN_OR_RETURN(const StateFile file, StateFile::Open(options_.state_dir));
  LOCKBOX_ASSIGN_OR_RETURN(const AgentState state, file.Load());
  LOCKBOX_ASSIGN_OR_RETURN(const ComputerInfo computer, Computer());
  LOCKBOX_ASSIGN_OR_RETURN(const std::vector<VolumeInfo> volumes, provider_.Volumes());
  LOCKBOX_ASSIGN_OR_RETURN(const TpmInfo tpm, provider_.Tpm());
  auto credential = LoadCredential(options_.state_dir);
  nlohmann::json out = {{"provider", provider_.name()},
                        {"can_rotate", provider_.CanRotate()},
                        {"server", server_.url().ToString()},
                        {"enrolled", credential.ok()},
                        {"computer",
                         {{"name", computer.name},
                          {"domain", computer.domain},
                          {"os", computer.os},
                          {"hardware_ids", computer.hardware_ids},
                          {"users", computer.users}}}};
  if (credential.ok()) out["computer_id"] = credential->computer_id.ToString();
  nlohmann::json vols = nlohmann::json::array();
  for (const VolumeInfo& v : volumes) {
    nlohmann::json protectors = nlohmann::json::array();
    for (const ProtectorInfo& p : v.protectors) {
      protectors.push_back({{"id", p.id.ToString()}, {"type", p.type}});
    }
    vols.push_back({{"id", v.id.ToString()},
                    {"drive_letter", v.drive_letter},
                    {"type", v.type},
                    {"encryption_method", v.encryption_method},
                    {"protection", v.protection},
                    {"conversion", v.conversion},
                    {"protectors", std::move(protectors)},
                    {"metadata", v.metadata.has_value()}});
  }
  out["volumes"] = std::move(vols);
  nlohmann::json queued = nlohmann::json::array();
  for (const QueuedKey& q : state.queue) {
    queued.push_back({{"key_id", q.key_id.ToString()},
                      {"volume_id", q.volume_id.ToString()},
                      {"attempts", q.attempts}});
  }
  out["queued"] = std::move(queued);
  out["escrowed"] = state.escrowed;
  nlohmann::json rotations = nlohmann::json::array();
  for (const Rotation& r : state.rotations) {
    rotations.push_back({{"volume_id", r.volume_id.ToString()},
                         {"old_key_id", r.old_key_id.ToString()},
                         {"step", RotationStepName(r.step)},
                         {"new_key_id", r.new_key_id ? r.new_key_id->ToString() : ""}});
  }
  out["rotations"] = std::move(rotations);
  out["tpm"] = {{"present", tpm.present}, {"owned", tpm.owned}, {"locked_out", tpm.locked_out}};
  out["failed_reports"] = state.failed_reports;
  return out;
}

}  // namespace lockbox::agent
