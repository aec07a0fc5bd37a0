#include "service/migration.h"

#include <algorithm>
#include <array>

#include "crypto/sha256.h"
#include "service/computers.h"
#include "service/escrow_writes.h"
#include "util/ascii.h"
#include "util/text.h"

namespace lockbox::service {
namespace {

constexpr std::array<MigrationOutcome, 6> kOutcomes = {
    MigrationOutcome::kCreated,  MigrationOutcome::kUpdated, MigrationOutcome::kUnchanged,
    MigrationOutcome::kConflict, MigrationOutcome::kStale,   MigrationOutcome::kInvalid};

MigrationOutcome FromWrite(store::WriteOutcome outcome) {
  switch (outcome) {
    case store::WriteOutcome::kCreated:
      return MigrationOutcome::kCreated;
    case store::WriteOutcome::kUpdated:
      return MigrationOutcome::kUpdated;
    case store::WriteOutcome::kUnchanged:
      return MigrationOutcome::kUnchanged;
    case store::WriteOutcome::kConflict:
      return MigrationOutcome::kConflict;
    case store::WriteOutcome::kStale:
      return MigrationOutcome::kStale;
  }
  return MigrationOutcome::kInvalid;
}

Status CheckComputer(const MigratedComputer& computer) {
  LOCKBOX_RETURN_IF_ERROR(CheckText("the computer name", computer.name, true));
  LOCKBOX_RETURN_IF_ERROR(CheckText("the domain", computer.domain, false));
  return computer.id ? CheckGuid("the computer's ID", *computer.id) : Status::Ok();
}

// "12 items: 10 created, 1 unchanged, 1 conflict": the counts that are not zero.
std::string Summary(const MigrationResult& result) {
  std::string out = std::to_string(result.items.size()) + " items";
  for (const MigrationOutcome outcome : kOutcomes) {
    const size_t n = result.Count(outcome);
    if (n == 0) continue;
    out += (out.find(':') == std::string::npos ? ": " : ", ") + std::to_string(n) + " " +
           std::string(NameOf(outcome));
  }
  return out;
}

std::string ErrorText(const Status& status) {
  return std::string(ErrorCodeName(status.code())) + ": " + status.message();
}

// Runs `write` on each item (after the role and size checks) in one store transaction, then
// appends the batch's audit entry. An invalid item is reported and the batch goes on; any
// other error stops it and undoes the batch. A refused batch is audited too: someone tried.
// One transaction per batch, not one per store call: the import's rate is bound by commits.
template <typename Item, typename Write>
Result<MigrationResult> RunBatch(store::Store& store, audit::AuditLog& audit, const Actor& actor,
                                 store::Time now, std::string_view what, std::string_view key_type,
                                 const std::vector<Item>& items, const Write& write) {
  store::AuditEntry entry = NewAuditEntry(actor, now);
  entry.key_type = key_type;
  entry.result = "migrated " + std::string(what) + ": ";
  Status refusal = Authorize(actor, Operation::kMigrate);
  if (refusal.ok() && items.size() > kMaxMigrationItems) {
    refusal = Status::InvalidArgument("the batch has " + std::to_string(items.size()) +
                                      " items; at most " + std::to_string(kMaxMigrationItems) +
                                      " are accepted: split it; nothing was written");
  }
  if (!refusal.ok()) {
    entry.result += "refused: " + ErrorText(refusal);
    (void)audit.Append(entry);  // the refusal reaches the caller either way
    return refusal;
  }
  MigrationResult result;
  Status stopped;
  // The body may run again (a PostgreSQL serialisation failure): it starts from scratch.
  const Status committed = store.Atomically([&]() -> Status {
    result.items.clear();
    stopped = Status::Ok();
    for (const Item& item : items) {
      Result<MigrationItemResult> written = write(item);
      if (written.ok()) {
        result.items.push_back(std::move(written).value());
      } else if (written.status().code() == ErrorCode::kInvalidArgument) {
        result.items.push_back({MigrationOutcome::kInvalid, Guid{}, written.status().message()});
      } else {
        stopped = written.status();
        return stopped;
      }
    }
    return Status::Ok();
  });
  if (stopped.ok()) stopped = committed;  // the commit itself failed
  entry.result += Summary(result);
  if (!stopped.ok()) {
    entry.result += "; stopped at item " + std::to_string(result.items.size() + 1) + " of " +
                    std::to_string(items.size()) +
                    ", nothing of the batch written: " + ErrorText(stopped);
  }
  const Status appended = audit.Append(entry).status();
  if (!stopped.ok()) return stopped;
  LOCKBOX_RETURN_IF_ERROR(appended);
  return result;
}

}  // namespace

std::string_view NameOf(MigrationOutcome outcome) {
  switch (outcome) {
    case MigrationOutcome::kCreated:
      return "created";
    case MigrationOutcome::kUpdated:
      return "updated";
    case MigrationOutcome::kUnchanged:
      return "unchanged";
    case MigrationOutcome::kConflict:
      return "conflict";
    case MigrationOutcome::kStale:
      return "stale";
    case MigrationOutcome::kInvalid:
      return "invalid";
  }
  return "unknown";
}

size_t MigrationResult::Count(MigrationOutcome outcome) const {
  return static_cast<size_t>(std::count_if(
      items.begin(), items.end(), [&](const auto& item) { return item.outcome == outcome; }));
}

Guid DerivedComputerId(std::string_view name, std::string_view domain) {
  // Neither name may hold a control character (CheckText), so "\n" separates them
  // unambiguously.
  const std::string text = "lockbox computer\n" + LowerAscii(domain) + "\n" + LowerAscii(name);
  crypto::Sha256Digest digest =
      crypto::Sha256({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0f) | 0x80);  // version 8 (RFC 9562, 5.8)
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3f) | 0x80);  // variant 10
  const std::string hex = ToHex(std::span<const uint8_t>(digest.data(), 16));
  return Guid::Parse(hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                     hex.substr(16, 4) + "-" + hex.substr(20, 12))
      .value();
}

Status CheckMigrated(const MigratedRecoveryInformation& item) {
  LOCKBOX_RETURN_IF_ERROR(CheckComputer(item.computer));
  LOCKBOX_RETURN_IF_ERROR(CheckGuid("the volume GUID", item.volume_id));
  LOCKBOX_RETURN_IF_ERROR(CheckGuid("the recovery key ID", item.key_id));
  LOCKBOX_RETURN_IF_ERROR(CheckRecoveryPassword(item.key_id, item.recovery_password));
  if (item.key_package) LOCKBOX_RETURN_IF_ERROR(CheckKeyPackage(item.key_id, *item.key_package));
  return Status::Ok();
}

Status CheckMigrated(const MigratedTpmInformation& item) {
  LOCKBOX_RETURN_IF_ERROR(CheckComputer(item.computer));
  LOCKBOX_RETURN_IF_ERROR(CheckTpmOwnerAuth(item.owner_auth));
  if (item.changed_at.time_since_epoch().count() <= 0) {
    return Status::InvalidArgument(
        "the time the TPM owner authorisation changed is missing: the newest value wins, so "
        "it is required");
  }
  return Status::Ok();
}

Status CheckMigrated(const MigratedComputerUsers& item) {
  LOCKBOX_RETURN_IF_ERROR(CheckComputer(item.computer));
  if (item.users.empty() || item.users.size() > kMaxUsers) {
    return Status::InvalidArgument("the item names " + std::to_string(item.users.size()) +
                                   " users; 1 to " + std::to_string(kMaxUsers) + " are accepted");
  }
  for (const std::string& user : item.users) {
    LOCKBOX_RETURN_IF_ERROR(CheckText("a user name", user, true));
  }
  return Status::Ok();
}

Result<store::Computer> MigrationService::FindOrCreateComputer(const MigratedComputer& computer) {
  Guid id;
  if (computer.id) {
    id = *computer.id;
  } else {
    id = DerivedComputerId(computer.name, computer.domain);
    LOCKBOX_ASSIGN_OR_RETURN(auto named, store_.FindComputersByName(computer.name));
    // A domain not given matches any; names and domains are compared ignoring ASCII case.
    std::erase_if(named, [&](const store::Computer& c) {
      return !computer.domain.empty() && LowerAscii(c.domain) != LowerAscii(computer.domain);
    });
    const auto derived = std::find_if(named.begin(), named.end(),
                                      [&](const store::Computer& c) { return c.id == id; });
    if (derived != named.end()) return *derived;
    if (named.size() == 1) return named[0];
    if (named.size() > 1) {
      return Status::InvalidArgument(
          std::to_string(named.size()) + " computers are named " + computer.name +
          (computer.domain.empty() ? "" : " in domain " + computer.domain) +
          ": give the computer's ID (its objectGUID) to say which");
    }
  }
  auto existing = store_.GetComputer(id);
  if (existing.ok() || existing.status().code() != ErrorCode::kNotFound) return existing;
  const store::Computer created{.id = id,
                                .name = computer.name,
                                .domain = computer.domain,
                                .os = "",
                                .hardware_ids = {},
                                .last_contact = std::nullopt};
  LOCKBOX_RETURN_IF_ERROR(store_.UpsertComputer(created).status());
  return created;
}

Result<MigrationItemResult> MigrationService::WriteRecoveryItem(
    const Actor& actor, store::Time now, const MigratedRecoveryInformation& item) {
  LOCKBOX_RETURN_IF_ERROR(CheckMigrated(item));
  LOCKBOX_ASSIGN_OR_RETURN(const auto password, ParseCheckedPassword(item.recovery_password));

  // A volume Lockbox knows stays with its computer: BitLocker's volume GUID is surer than a
  // name in an export.
  store::Computer computer;
  auto volume = store_.GetVolume(item.volume_id);
  if (volume.ok()) {
    LOCKBOX_ASSIGN_OR_RETURN(computer, store_.GetComputer(volume->computer_id));
  } else if (volume.status().code() == ErrorCode::kNotFound) {
    LOCKBOX_ASSIGN_OR_RETURN(computer, FindOrCreateComputer(item.computer));
    // What the export does not say: protection unknown, no protectors listed (the key may be
    // an old one), encrypted (it has a recovery password). The agent's first report
    // replaces all of it.
    const store::Volume created{.id = item.volume_id,
                                .computer_id = computer.id,
                                .drive_letter = "",
                                .type = item.volume_type.value_or(store::VolumeType::kFixed),
                                .description = "",
                                .encryption_method = "",
                                .protection = store::ProtectionStatus::kUnknown,
                                .conversion = store::ConversionStatus::kEncrypted,
                                .protectors = {}};
    LOCKBOX_RETURN_IF_ERROR(store_.UpsertVolume(created).status());
  } else {
    return volume.status();
  }

  MigrationItemResult result{MigrationOutcome::kUnchanged, computer.id, ""};
  const store::RecoveryKey key{.key_id = item.key_id,
                               .volume_id = item.volume_id,
                               .created_at = item.created_at,
                               .state = store::KeyState::kActive,
                               .verification = store::Verification::kUnknown,
                               .escrowed_at = now,
                               .source = "migration:" + actor.name,
                               .state_changed_at = std::nullopt};
  LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome escrowed,
                           EscrowPassword(store_, key, password));
  if (escrowed == store::WriteOutcome::kConflict) {
    LOCKBOX_RETURN_IF_ERROR(
        AuditConflict(audit_, actor, now, computer, item.key_id.ToString(), "recovery_password"));
    result.outcome = MigrationOutcome::kConflict;
    result.message = "key " + item.key_id.ToString() +
                     " is stored with another recovery password or on another volume: the "
                     "stored one was kept";
    return result;
  }
  result.outcome = FromWrite(escrowed);
  if (!item.key_package) return result;
  LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome packaged,
                           store_.StoreKeyPackage(item.key_id, *item.key_package));
  if (packaged == store::WriteOutcome::kConflict) {
    LOCKBOX_RETURN_IF_ERROR(
        AuditConflict(audit_, actor, now, computer, item.key_id.ToString(), "key_package"));
    result.outcome = MigrationOutcome::kConflict;
    result.message = "key " + item.key_id.ToString() +
                     " has another key package stored: the stored one was kept";
  } else if (packaged == store::WriteOutcome::kCreated &&
             result.outcome == MigrationOutcome::kUnchanged) {
    result.outcome = MigrationOutcome::kUpdated;  // a package for a key escrowed without one
  }
  return result;
}

Result<MigrationItemResult> MigrationService::WriteTpmItem(const Actor& actor, store::Time now,
                                                           const MigratedTpmInformation& item) {
  LOCKBOX_RETURN_IF_ERROR(CheckMigrated(item));
  LOCKBOX_ASSIGN_OR_RETURN(const store::Computer computer, FindOrCreateComputer(item.computer));
  LOCKBOX_ASSIGN_OR_RETURN(const store::WriteOutcome stored,
                           store_.StoreTpmOwnerAuth(computer.id, item.owner_auth, item.changed_at));
  MigrationItemResult result{FromWrite(stored), computer.id, ""};
  if (stored == store::WriteOutcome::kConflict) {
    LOCKBOX_RETURN_IF_ERROR(AuditConflict(audit_, actor, now, computer, "", "tpm_owner_auth"));
    result.message =
        "another TPM owner authorisation with the same change time is stored: it was kept";
  }
  return result;
}

Result<MigrationItemResult> MigrationService::WriteUsersItem(store::Time now,
                                                             const MigratedComputerUsers& item) {
  LOCKBOX_RETURN_IF_ERROR(CheckMigrated(item));
  LOCKBOX_ASSIGN_OR_RETURN(const store::Computer computer, FindOrCreateComputer(item.computer));
  LOCKBOX_ASSIGN_OR_RETURN(const auto known, store_.ListComputerUsers(computer.id));
  MigrationItemResult result{MigrationOutcome::kUnchanged, computer.id, ""};
  for (const std::string& user : item.users) {
    const std::string name = LowerAscii(user);
    if (std::none_of(known.begin(), known.end(),
                     [&](const store::ComputerUser& u) { return u.user == name; })) {
      result.outcome = MigrationOutcome::kCreated;
    }
    LOCKBOX_RETURN_IF_ERROR(store_.RecordComputerUser(computer.id, name, now));
  }
  return result;
}

Result<MigrationResult> MigrationService::WriteRecoveryInformation(
    const Actor& actor, const std::vector<MigratedRecoveryInformation>& items) {
  const store::Time now = options_.now();
  return RunBatch(
      store_, audit_, actor, now, "recovery information", "recovery_password", items,
      [&](const MigratedRecoveryInformation& item) { return WriteRecoveryItem(actor, now, item); });
}

Result<MigrationResult> MigrationService::WriteTpmInformation(
    const Actor& actor, const std::vector<MigratedTpmInformation>& items) {
  const store::Time now = options_.now();
  return RunBatch(
      store_, audit_, actor, now, "TPM information", "tpm_owner_auth", items,
      [&](const MigratedTpmInformation& item) { return WriteTpmItem(actor, now, item); });
}

Result<MigrationResult> MigrationService::WriteComputerUsers(
    const Actor& actor, const std::vector<MigratedComputerUsers>& items) {
  const store::Time now = options_.now();
  return RunBatch(store_, audit_, actor, now, "computer users", "", items,
                  [&](const MigratedComputerUsers& item) { return WriteUsersItem(now, item); });
}

}  // namespace lockbox::service
