// Data migration: bringing recovery data from MBAM or Active Directory into Lockbox, as MBAM's
// Write-MbamRecoveryInformation, Write-MbamTPMInformation and Write-MbamComputerUser did.
//
//   service::MigrationService migration(store, audit_log, options);
//   LOCKBOX_ASSIGN_OR_RETURN(service::MigrationResult result,
//                            migration.WriteRecoveryInformation(actor, items));
//   for (const service::MigrationItemResult& item : result.items) ...  // one per item
//
// A batch holds at most kMaxMigrationItems items. Each item is checked and written on its own:
// a bad one is reported (kInvalid, with what was wrong) and the rest go on. Writing is
// idempotent, so a rerun of the same export changes nothing and says so; a secret already
// stored with other content is kept, reported as a conflict and audited. Every batch is one
// audit entry with its counts. Computers and volumes are created as needed; see
// docs/service.md for how a computer is found.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "crypto/secret.h"
#include "service/options.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::service {

inline constexpr size_t kMaxMigrationItems = 1000;

// The computer an item belongs to, as the source names it.
struct MigratedComputer {
  std::string name;    // "PC-07" (the sAMAccountName without its "$", or MBAM's name)
  std::string domain;  // "contoso.example"; may be empty
  // Active Directory's objectGUID of the computer, when known. Without it the computer is
  // found by name and domain, or given an ID derived from them (DerivedComputerId).
  std::optional<Guid> id;
};

struct MigratedRecoveryInformation {
  MigratedComputer computer;
  Guid volume_id;  // msFVE-VolumeGuid
  Guid key_id;     // msFVE-RecoveryGuid: the recovery-password protector's GUID
  crypto::SecretBytes recovery_password;
  std::optional<crypto::SecretBytes> key_package;  // msFVE-KeyPackage
  std::optional<store::Time> created_at;           // when the protector was made
  std::optional<store::VolumeType> volume_type;    // for a volume Lockbox does not know yet
};

struct MigratedTpmInformation {
  MigratedComputer computer;
  crypto::SecretBytes owner_auth;
  store::Time changed_at{};  // the newest value wins; required
};

struct MigratedComputerUsers {
  MigratedComputer computer;
  std::vector<std::string> users;  // "contoso\\alice"; stored lower case
};

enum class MigrationOutcome {
  kCreated,    // new: a secret, a user of the computer
  kUpdated,    // something added to what was there (a key package; a newer TPM value)
  kUnchanged,  // all of it was stored already
  kConflict,   // a secret stored with other content: the stored one kept, audited
  kStale,      // a TPM value older than the stored one: ignored
  kInvalid,    // nothing written: `message` says what was wrong
};
// "created", "updated", "unchanged", "conflict", "stale", "invalid".
std::string_view NameOf(MigrationOutcome outcome);

struct MigrationItemResult {
  MigrationOutcome outcome = MigrationOutcome::kInvalid;
  Guid computer_id;     // the computer the item went to; zero when it was invalid
  std::string message;  // for kInvalid and kConflict; never a secret
};

struct MigrationResult {
  std::vector<MigrationItemResult> items;  // one per item, in order
  size_t Count(MigrationOutcome outcome) const;
};

// The ID a computer named `name` in `domain` gets when the source gives none: a name-based
// UUID (RFC 9562 version 8, from SHA-256 of the lower-cased names), so a rerun finds the
// same record.
Guid DerivedComputerId(std::string_view name, std::string_view domain);

// What the Write operations below refuse an item for (kInvalidArgument saying why, never a
// secret), checked without writing: for dry runs, and by the Write operations themselves.
Status CheckMigrated(const MigratedRecoveryInformation& item);
Status CheckMigrated(const MigratedTpmInformation& item);
Status CheckMigrated(const MigratedComputerUsers& item);

class MigrationService {
 public:
  // `store`, `audit` and `options` must outlive the service.
  MigrationService(store::Store& store, audit::AuditLog& audit, const ServiceOptions& options)
      : store_(store), audit_(audit), options_(options) {}

  // Roles data-migration and admin. kPermissionDenied for others, kInvalidArgument for a
  // batch of more than kMaxMigrationItems (nothing written then). A store failure stops the
  // batch with its error: a batch is one store transaction, so nothing of it was written, and
  // rerunning it is safe.
  Result<MigrationResult> WriteRecoveryInformation(
      const Actor& actor, const std::vector<MigratedRecoveryInformation>& items);
  Result<MigrationResult> WriteTpmInformation(const Actor& actor,
                                              const std::vector<MigratedTpmInformation>& items);
  Result<MigrationResult> WriteComputerUsers(const Actor& actor,
                                             const std::vector<MigratedComputerUsers>& items);

 private:
  // The stored computer the item names, created if there is none.
  Result<store::Computer> FindOrCreateComputer(const MigratedComputer& computer);
  // One item each: kInvalidArgument when the item is invalid (nothing of it was written);
  // other errors are the store's.
  Result<MigrationItemResult> WriteRecoveryItem(const Actor& actor, store::Time now,
                                                const MigratedRecoveryInformation& item);
  Result<MigrationItemResult> WriteTpmItem(const Actor& actor, store::Time now,
                                           const MigratedTpmInformation& item);
  Result<MigrationItemResult> WriteUsersItem(store::Time now, const MigratedComputerUsers& item);

  store::Store& store_;
  audit::AuditLog& audit_;
  const ServiceOptions& options_;
};

}  // namespace lockbox::service
