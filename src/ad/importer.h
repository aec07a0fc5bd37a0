// Importer: the work of `lockbox import ad` (MBAM's Read-ADRecoveryInformation |
// Write-MbamRecoveryInformation, Read-ADTpmInformation | Write-MbamTpmInformation and
// Write-MbamComputerUser in one). It reads from a bound ldap::Connection, under a search base:
//
//   1. computers (one level, or the whole subtree with `recurse`);
//   2. their msFVE-RecoveryInformation children, page by page;
//   3. TPM owner information: msTPM-OwnerInformation on each computer, and the
//      msTPM-InformationObject a computer links to (msTPM-TpmInformationForComputer);
//   4. the users of computers: the user each computer's managedBy names and the user owning
//      it (nTSecurityDescriptor's owner: who joined it to the domain), as DOMAIN\name, and
//      those a CSV file names;
//
// and writes each kind to a MigrationSink (migration_sink.h: the store through
// service::MigrationService, or a server's data-migration API) in batches (idempotent: a rerun
// changes nothing; a key stored with other content is kept and reported as changed). An
// object that cannot be imported is listed in the summary with why, and the rest go on.
//
//   ad::StoreSink sink(migration, actor);
//   ad::Importer importer(directory, &sink);
//   LOCKBOX_ASSIGN_OR_RETURN(ad::ImportSummary summary, importer.Run(options, progress));
//
// Without a sink (a dry run) everything is read and checked, nothing written.
//
// Incremental sync: each pass returns where it began (ImportSummary::sync_point); given that
// back as ImportOptions::since, the next pass reads only the recovery and TPM objects, and
// takes the users and TPM values only of the computers, changed since (uSNChanged). USNs are
// a domain controller's own count, valid while its invocation ID stays (a DC restored from a
// backup gets a new one): when it differs, the pass reads everything again.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ad/migration_sink.h"
#include "ad/objects.h"
#include "ad/users_csv.h"
#include "ldap/connection.h"
#include "service/migration.h"
#include "service/roles.h"

namespace lockbox::ad {

// Where a pass began on a domain controller.
struct SyncPoint {
  std::string invocation_id;  // the DC's invocationId (hex of its 16 bytes)
  int64_t highest_usn = 0;    // its highestCommittedUSN: everything up to it is read
  bool operator==(const SyncPoint&) const = default;
};

struct ImportOptions {
  std::string search_base;    // "OU=Workstations,DC=corp,DC=example"
  bool recurse = false;       // computers in the whole subtree, not only directly below
  std::optional<Time> after;  // only recovery objects created (whenCreated) at or after
  bool key_packages = true;
  int page_size = 1000;
  // More users of computers, from a CSV file (users_csv.h) named `users_csv_name`; a line's
  // computer must be among those read.
  std::vector<ComputerUsersLine> users_csv;
  std::string users_csv_name;
  // Only what changed after this point of an earlier pass (when it is of the same DC).
  std::optional<SyncPoint> since;
};

// How the items of one kind went; for a dry run only `read` and `invalid` count.
struct OutcomeCounts {
  size_t read = 0;       // items made from the directory
  size_t created = 0;    // new in Lockbox
  size_t updated = 0;    // added to (a key package to a stored key, a newer TPM value)
  size_t unchanged = 0;  // stored already
  size_t changed = 0;    // stored with other content: the stored one was kept (conflict)
  size_t stale = 0;      // a TPM value older than the stored one
  size_t invalid = 0;    // refused: listed in `skipped`
};

struct SkippedObject {
  std::string dn;
  std::string reason;  // never a secret
};

struct ImportSummary {
  bool dry_run = false;
  bool incremental = false;     // only changes since ImportOptions::since were read
  SyncPoint sync_point;         // where this pass began: `since` for the next
  size_t computers = 0;         // computers read (changed ones, when incremental)
  size_t recovery_objects = 0;  // msFVE-RecoveryInformation objects read
  OutcomeCounts keys;
  OutcomeCounts tpm;
  OutcomeCounts users;
  std::vector<SkippedObject> skipped;  // objects not imported (and keys kept unchanged)
};

using ProgressHandler = std::function<void(const ImportSummary& so_far)>;

class Importer {
 public:
  // `directory` is bound; `sink` null for a dry run. Both must outlive the importer.
  Importer(ldap::Connection& directory, MigrationSink* sink) : directory_(directory), sink_(sink) {}

  // The whole import. Errors are the directory's or the store's, and kPermissionDenied when
  // recovery objects exist but the bind account cannot read a single recovery password
  // (nothing is written then); the message says how to grant the right.
  Result<ImportSummary> Run(const ImportOptions& options, const ProgressHandler& progress);

 private:
  struct State;
  Result<SyncPoint> ReadSyncPoint();
  Status ReadComputers(State& state);
  Status ReadRecoveryInformation(State& state);
  Status ReadTpmObjects(State& state);
  // For the accounts the filter `clauses` match ("(objectSid=...)", a few per search): under
  // key_of(entry), "CORP\alice", or "" for one that is not a user (a group, a computer).
  Result<std::map<std::string, std::string>> FindAccounts(
      State& state, const std::string& base, std::vector<std::string> clauses,
      const std::function<std::string(const ldap::Entry&)>& key_of);
  Status LinkUsers(State& state);

  ldap::Connection& directory_;
  MigrationSink* sink_;
};

}  // namespace lockbox::ad
