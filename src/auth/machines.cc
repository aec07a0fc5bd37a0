#include "auth/machines.h"

#include <algorithm>
#include <array>

#include "auth/credential_checks.h"
#include "auth/token.h"
#include "crypto/random.h"
#include "service/admin_audit.h"
#include "service/computers.h"

namespace lockbox::auth {
namespace {

constexpr size_t kMaxHardwareIds = 16;
constexpr int64_t kMaxEnrollmentUses = 100000;

Status CheckMachine(const MachineInfo& machine) {
  if (machine.name.empty()) {
    return Status::InvalidArgument("the enrolling machine sent no computer name: send its name");
  }
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the computer name", machine.name));
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the domain", machine.domain));
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the OS", machine.os));
  if (machine.hardware_ids.empty() || machine.hardware_ids.size() > kMaxHardwareIds) {
    return Status::InvalidArgument(
        "an enrolling machine sends 1 to 16 hardware IDs (so that a reinstall finds its "
        "computer again); this one sent " +
        std::to_string(machine.hardware_ids.size()));
  }
  for (const std::string& id : machine.hardware_ids) {
    if (id.empty()) return Status::InvalidArgument("a hardware ID is empty: leave it out");
    LOCKBOX_RETURN_IF_ERROR(internal::CheckText("a hardware ID", id));
  }
  return Status::Ok();
}

// A random (version 4) GUID for a new computer.
Result<Guid> NewComputerId() {
  std::array<uint8_t, 16> raw{};
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(raw));
  raw[7] = static_cast<uint8_t>((raw[7] & 0x0f) | 0x40);  // version 4 (data3 is little-endian)
  raw[8] = static_cast<uint8_t>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return Guid::FromBytes(raw);
}

service::Actor AgentActor(const Guid& computer_id, std::string_view computer_name,
                          std::string_view address, std::string_view credential_id,
                          std::optional<store::Time> credential_last_used) {
  return {.name = std::string(computer_name),
          .role = service::Role::kAgent,
          .source = service::Source::kAgent,
          .address = std::string(address),
          .computer = computer_id,
          .credential_id = std::string(credential_id),
          .credential_last_used = credential_last_used};
}

}  // namespace

Result<NewEnrollmentToken> Machines::IssueEnrollmentToken(const service::Actor& admin,
                                                          std::string_view description,
                                                          int64_t max_uses,
                                                          std::chrono::seconds lifetime) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "issue enrollment tokens"));
  LOCKBOX_RETURN_IF_ERROR(internal::CheckLifetime("an enrollment token", lifetime,
                                                  options_.max_enrollment_token_lifetime));
  LOCKBOX_RETURN_IF_ERROR(internal::CheckText("the description", description));
  if (max_uses < 1 || max_uses > kMaxEnrollmentUses) {
    return Status::InvalidArgument("an enrollment token allows 1 to " +
                                   std::to_string(kMaxEnrollmentUses) + " enrollments; " +
                                   std::to_string(max_uses) + " was asked");
  }
  LOCKBOX_ASSIGN_OR_RETURN(IssuedToken token, NewToken(TokenKind::kEnrollment));
  const store::Time now = options_.now();
  NewEnrollmentToken out{.record = {.id = token.id,
                                    .token_hash = token.hash,
                                    .description = std::string(description),
                                    .created_by = admin.name,
                                    .created_at = now,
                                    .expires_at = now + lifetime,
                                    .max_uses = max_uses,
                                    .uses = 0,
                                    .revoked_at = std::nullopt},
                         .token = std::move(token.text)};
  LOCKBOX_RETURN_IF_ERROR(store_.CreateEnrollmentToken(out.record));
  LOCKBOX_RETURN_IF_ERROR(service::AuditAdminChange(
      log_, admin, now,
      {.what = "enrollment token issued",
       .details = "token " + out.record.id + ", " + std::to_string(max_uses) + " uses, expires " +
                  FormatUtc(out.record.expires_at) + ", \"" + out.record.description + "\"",
       .end_user = "",
       .computer = ""}));
  return out;
}

Status Machines::RevokeEnrollmentToken(const service::Actor& admin, std::string_view id) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "revoke enrollment tokens"));
  const store::Time now = options_.now();
  LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome outcome,
                           store_.RevokeEnrollmentToken(id, now));
  if (outcome == store::WriteOutcome::kUnchanged) return Status::Ok();
  return service::AuditAdminChange(log_, admin, now,
                                   {.what = "enrollment token revoked",
                                    .details = "token " + std::string(id),
                                    .end_user = "",
                                    .computer = ""});
}

Result<std::vector<store::EnrollmentToken>> Machines::ListEnrollmentTokens(
    const service::Actor& admin) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "list enrollment tokens"));
  return store_.ListEnrollmentTokens();
}

Status Machines::RevokeComputer(const service::Actor& admin, const Guid& computer_id) {
  LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(admin, "revoke machine credentials"));
  LOCKBOX_ASSIGN_OR_RETURN(const store::Computer computer, store_.GetComputer(computer_id));
  LOCKBOX_ASSIGN_OR_RETURN(const auto credentials, store_.ListMachineCredentials(computer_id));
  const store::Time now = options_.now();
  std::string revoked;
  for (const store::MachineCredential& c : credentials) {
    if (c.revoked_at) continue;
    LOCKBOX_RETURN_IF_ERROR(store_.RevokeMachineCredential(c.id, now).status());
    revoked += (revoked.empty() ? "" : ", ") + c.id;
  }
  if (revoked.empty()) return Status::Ok();
  return service::AuditAdminChange(log_, admin, now,
                                   {.what = "machine credential revoked",
                                    .details = "credential " + revoked,
                                    .end_user = "",
                                    .computer = service::AuditName(computer)});
}

Result<std::optional<store::Computer>> Machines::FindComputer(const MachineInfo& machine) {
  std::vector<store::Computer> matches;
  for (const std::string& hardware_id : machine.hardware_ids) {
    LOCKBOX_ASSIGN_OR_RETURN(auto found, store_.FindComputersByHardwareId(hardware_id));
    for (store::Computer& c : found) {
      const bool known = std::any_of(matches.begin(), matches.end(),
                                     [&](const store::Computer& m) { return m.id == c.id; });
      if (!known) matches.push_back(std::move(c));
    }
  }
  if (matches.empty()) return std::optional<store::Computer>();
  if (matches.size() == 1) return std::optional<store::Computer>(std::move(matches[0]));
  std::string names;
  for (const store::Computer& c : matches) {
    names += (names.empty() ? "" : ", ") + service::AuditName(c);
  }
  return Status::InvalidArgument("the hardware IDs of " + machine.name + " match " +
                                 std::to_string(matches.size()) + " computers (" + names +
                                 "), so it is unclear which one enrolls: an administrator must "
                                 "remove the stale one");
}

Result<Enrollment> Machines::Enroll(std::string_view enrollment_token, const MachineInfo& machine,
                                    std::string_view address) {
  LOCKBOX_ASSIGN_OR_RETURN(const std::string token_id,
                           TokenId(TokenKind::kEnrollment, enrollment_token));
  const store::Time now = options_.now();
  const auto record = store_.GetEnrollmentToken(token_id);
  LOCKBOX_RETURN_IF_ERROR(
      internal::CheckPresented("enrollment token", record, enrollment_token, now));
  LOCKBOX_RETURN_IF_ERROR(CheckMachine(machine));
  LOCKBOX_ASSIGN_OR_RETURN(auto existing, FindComputer(machine));
  // Taken last, in one statement, so that a malformed request spends no use and two agents
  // cannot both take the last one.
  LOCKBOX_ASSIGN_OR_RETURN(const bool used, store_.UseEnrollmentToken(token_id, now));
  if (!used) {
    return Status::Unauthenticated("enrollment token " + token_id +
                                   " allows no more enrollments"
                                   " (its " +
                                   std::to_string(record->max_uses) +
                                   " uses are taken, or it just expired or was revoked): ask an "
                                   "administrator for a new one");
  }
  store::Computer computer{.id = Guid{},
                           .name = machine.name,
                           .domain = machine.domain,
                           .os = machine.os,
                           .hardware_ids = machine.hardware_ids,
                           .last_contact = now};
  if (existing) {
    computer.id = existing->id;
  } else {
    LOCKBOX_ASSIGN_OR_RETURN(computer.id, NewComputerId());
  }
  LOCKBOX_RETURN_IF_ERROR(store_.UpsertComputer(computer).status());
  LOCKBOX_ASSIGN_OR_RETURN(IssuedToken credential, NewToken(TokenKind::kMachine));
  LOCKBOX_RETURN_IF_ERROR(store_.CreateMachineCredential({.id = credential.id,
                                                          .token_hash = credential.hash,
                                                          .computer_id = computer.id,
                                                          .enrollment_token_id = token_id,
                                                          .created_at = now,
                                                          .revoked_at = std::nullopt,
                                                          .last_used = std::nullopt,
                                                          .computer_name = computer.name}));
  LOCKBOX_RETURN_IF_ERROR(service::AuditAdminChange(
      log_, AgentActor(computer.id, computer.name, address, credential.id, std::nullopt), now,
      {.what = existing ? "machine re-enrolled" : "machine enrolled",
       .details = "credential " + credential.id + " with enrollment token " + token_id +
                  (existing ? "; earlier credentials revoked" : ""),
       .end_user = "",
       .computer = service::AuditName(computer)}));
  return Enrollment{computer.id, existing.has_value(), credential.id, std::move(credential.text)};
}

Result<service::Actor> Machines::Authenticate(std::string_view credential,
                                              std::string_view address) {
  LOCKBOX_ASSIGN_OR_RETURN(const std::string id, TokenId(TokenKind::kMachine, credential));
  const store::Time now = options_.now();
  const auto record = store_.GetMachineCredential(id);
  LOCKBOX_RETURN_IF_ERROR(internal::CheckPresented("machine credential", record, credential, now));
  // last_used is written with the computer's contact time (service::ContactRecorder): a
  // write here would cost every check-in a commit.
  return AgentActor(record->computer_id, record->computer_name, address, id, record->last_used);
}

}  // namespace lockbox::auth
