#include "service/escrow_writes.h"

#include "recovery/check.h"
#include "service/computers.h"

namespace lockbox::service {
namespace {

std::string_view PasswordText(const crypto::SecretBytes& password) {
  return {reinterpret_cast<const char*>(password.data()), password.size()};
}

}  // namespace

Status CheckText(std::string_view what, std::string_view value, bool required) {
  if (required && value.empty()) {
    return Status::InvalidArgument(std::string(what) + " is empty: it is required");
  }
  if (value.size() > kMaxTextBytes) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(value.size()) +
                                   " bytes long; at most " + std::to_string(kMaxTextBytes) +
                                   " are accepted");
  }
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " contains a control character");
    }
  }
  return Status::Ok();
}

Status CheckGuid(std::string_view what, const Guid& id) {
  if (!id.IsZero()) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " is missing (all zero)");
}

Status CheckRecoveryPassword(const Guid& key_id, const crypto::SecretBytes& password) {
  const recovery::CheckReport report = recovery::Check(PasswordText(password));
  if (report.valid) return Status::Ok();
  std::string problem;
  if (!report.syntax_error.empty()) {
    problem = "is not 8 blocks of 6 digits";
  } else {
    for (const recovery::BlockCheck& block : report.blocks) {
      if (block.ok()) continue;
      problem += problem.empty() ? "" : "; ";
      problem +=
          "block " + std::to_string(block.number) +
          (block.problem == recovery::BlockProblem::kTooLarge ? " is above 720885 (11 x 65535)"
                                                              : " is not divisible by 11");
    }
  }
  return Status::InvalidArgument("the recovery password of key " + key_id.ToString() + " " +
                                 problem + ": it was read or copied wrongly; nothing was stored");
}

Status CheckKeyPackage(const Guid& key_id, const crypto::SecretBytes& key_package) {
  if (key_package.size() <= kMaxKeyPackageBytes) return Status::Ok();
  return Status::InvalidArgument("the key package of key " + key_id.ToString() + " is " +
                                 std::to_string(key_package.size()) + " bytes; at most " +
                                 std::to_string(kMaxKeyPackageBytes) + " are accepted");
}

Status CheckTpmOwnerAuth(const crypto::SecretBytes& owner_auth) {
  const size_t size = owner_auth.size();
  if (size > 0 && size <= kMaxTpmOwnerAuthBytes) return Status::Ok();
  return Status::InvalidArgument("the TPM owner authorisation is " + std::to_string(size) +
                                 " bytes; 1 to " + std::to_string(kMaxTpmOwnerAuthBytes) +
                                 " are accepted");
}

Result<recovery::RecoveryPassword> ParseCheckedPassword(const crypto::SecretBytes& password) {
  return recovery::RecoveryPassword::Parse(PasswordText(password));
}

Result<store::WriteOutcome> EscrowPassword(store::Store& store, const store::RecoveryKey& key,
                                           const recovery::RecoveryPassword& password) {
  std::string canonical = password.ToString();
  const crypto::SecretBytes sealed_text(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(canonical.data()), canonical.size()));
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(canonical.data()), canonical.size()));
  return store.EscrowRecoveryKey(key, sealed_text);
}

Status AuditConflict(audit::AuditLog& audit, const Actor& actor, store::Time now,
                     const store::Computer& computer, const std::string& key_id,
                     std::string_view kind) {
  store::AuditEntry entry = NewAuditEntry(actor, now);
  entry.computer = AuditName(computer);
  entry.key_id = key_id;
  entry.key_type = kind;
  entry.result = "escrow conflict: stored with other content; the stored one was kept";
  return audit.Append(entry).status();
}

}  // namespace lockbox::service
