// Store: where Lockbox keeps computers, volumes, escrowed recovery secrets and the audit log.
//
// One interface, two backends: a SQLite file (the default, for a single server) and
// PostgreSQL (for several server instances sharing one store). Open either with OpenStore():
//
//   LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes master, store::LoadMasterKey(key_path));
//   LOCKBOX_ASSIGN_OR_RETURN(auto db, store::OpenStore("/var/lib/lockbox/lockbox.db", master));
//   LOCKBOX_ASSIGN_OR_RETURN(auto outcome, db->EscrowRecoveryKey(key, password));
//
// Every method is one transaction: it happens entirely or not at all, and a write is durable
// when the method returns. A Store may be shared by threads. Secrets (recovery passwords, key
// packages, TPM owner authorisation) are sealed with AES-256-GCM, bound to the record they
// belong to, under a data key wrapped by the master key (docs/store.md); they come back only
// from the Open* methods, as SecretBytes. Nothing here knows of HTTP or roles: callers decide
// who may do what, and write the audit entry before they open a secret. Accounts and
// credentials are kept for the auth part, hashed (records.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "recovery/key_id.h"
#include "store/records.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::store {

// Computes an audit entry's hash from its other fields (sequence and prev_hash included).
// It may be called more than once for one append (a retried transaction), so it must only
// compute.
using AuditHasher = std::function<std::vector<uint8_t>(const AuditEntry&)>;

class Store {
 public:
  virtual ~Store() = default;

  // --- Computers: created or updated as agents report; kUnchanged when nothing differs but
  // last_contact, which is written anyway (it moves at every report; the outcome tells
  // whether what the agent describes changed).
  virtual Result<WriteOutcome> UpsertComputer(const Computer& computer) = 0;
  virtual Result<Computer> GetComputer(const Guid& id) = 0;  // kNotFound
  // Computers whose name matches `name` ignoring ASCII case (names are not unique).
  virtual Result<std::vector<Computer>> FindComputersByName(std::string_view name) = 0;
  virtual Result<std::vector<Computer>> FindComputersByHardwareId(std::string_view id) = 0;
  // The computer directory: computers whose name, or a word of one of whose volumes'
  // descriptions ("PC-07 BACKUP 6/7/2023"), starts with `prefix`, ignoring ASCII case; by name,
  // at most `max_results`. An indexed range scan, so fast for any number of computers.
  virtual Result<std::vector<Computer>> SearchComputers(std::string_view prefix,
                                                        size_t max_results) = 0;
  // Every computer, a page at a time in ID order: up to `max_results` whose ID is greater
  // than `after` (nullopt: from the first).
  virtual Result<std::vector<Computer>> ListComputers(const std::optional<Guid>& after,
                                                      size_t max_results) = 0;

  // --- Volumes: the computer must exist (kNotFound otherwise).
  virtual Result<WriteOutcome> UpsertVolume(const Volume& volume) = 0;
  virtual Result<Volume> GetVolume(const Guid& id) = 0;
  virtual Result<std::vector<Volume>> ListVolumes(const Guid& computer_id) = 0;

  // --- Recovery keys.
  // Stores `recovery_password` (sealed) for key.key_id on key.volume_id, which must exist.
  // Escrowing the same key again is kUnchanged and changes nothing (not even escrowed_at);
  // the same key ID with another password or volume is kConflict and changes nothing.
  // key.state, key.verification and key.source are taken for a new key only.
  virtual Result<WriteOutcome> EscrowRecoveryKey(const RecoveryKey& key,
                                                 const crypto::SecretBytes& recovery_password) = 0;
  virtual Result<RecoveryKey> GetRecoveryKey(const Guid& key_id) = 0;
  // Every key whose ID starts with `prefix` (none, one, or several), in key-ID order. An
  // indexed range scan, so fast for any number of keys.
  virtual Result<std::vector<RecoveryKey>> FindRecoveryKeys(
      const recovery::KeyIdPrefix& prefix) = 0;
  virtual Result<std::vector<RecoveryKey>> ListRecoveryKeys(const Guid& volume_id) = 0;
  // Every key in `state`, oldest state change first (the disclosed keys awaiting rotation).
  virtual Result<std::vector<RecoveryKey>> ListKeysInState(KeyState state) = 0;
  // Moves a key forward: active -> disclosed -> retired, or active -> retired. Setting the
  // state it has is a no-op; going back is kInvalidArgument.
  virtual Status SetKeyState(const Guid& key_id, KeyState state, Time at) = 0;
  virtual Status SetKeyVerification(const Guid& key_id, Verification verification) = 0;
  // The recovery password, opened. kWrongKey if its seal does not match its record.
  virtual Result<crypto::SecretBytes> OpenRecoveryPassword(const Guid& key_id) = 0;

  // --- Key packages (one per recovery key; same idempotency as EscrowRecoveryKey).
  virtual Result<WriteOutcome> StoreKeyPackage(const Guid& key_id,
                                               const crypto::SecretBytes& key_package) = 0;
  virtual Result<crypto::SecretBytes> OpenKeyPackage(const Guid& key_id) = 0;

  // --- TPM owner authorisation, one per computer: the newest `changed_at` wins; an older
  // one is kStale, the same time with another value kConflict.
  virtual Result<WriteOutcome> StoreTpmOwnerAuth(const Guid& computer_id,
                                                 const crypto::SecretBytes& owner_auth,
                                                 Time changed_at) = 0;
  virtual Result<crypto::SecretBytes> OpenTpmOwnerAuth(const Guid& computer_id) = 0;

  // --- Who uses which computer (for end users recovering their own keys).
  virtual Status RecordComputerUser(const Guid& computer_id, std::string_view user,
                                    Time seen_at) = 0;
  virtual Result<std::vector<ComputerUser>> ListComputerUsers(const Guid& computer_id) = 0;
  virtual Result<std::vector<Guid>> FindComputersByUser(std::string_view user) = 0;

  // --- Check-ins (the escrow service's fast path for reports that repeat the last one).
  virtual Result<CheckIn> GetCheckIn(const Guid& computer_id) = 0;  // kNotFound
  // Stores the digest unless one of the computer's keys is disclosed (then clears it); a key
  // that becomes disclosed clears its computer's digest.
  virtual Status SetReportDigest(const Guid& computer_id, std::span<const uint8_t> digest) = 0;
  // Moves contact times forward (never back), for many computers in one transaction: the
  // computers' last_contact, exactly; the last_seen of the users listed (unknown ones are
  // ignored) and the last_used of the machine credentials named, only once the stored time is
  // kUseRefreshInterval old. Those two say who used a computer and whether a credential is
  // still in use, which a day tells as well as a second, and an agent reports every 90
  // minutes: refreshing them daily saves two of the three random page writes of a contact.
  static constexpr std::chrono::hours kUseRefreshInterval{24};
  // Whether a contact at `at` refreshes a use stored at `stored` (nullopt: never used): the
  // rule RecordContacts applies, for callers that already know the stored time.
  static bool UseIsStale(std::optional<Time> stored, Time at) {
    return !stored || *stored <= at - kUseRefreshInterval;
  }
  virtual Status RecordContacts(const std::vector<Contact>& contacts) = 0;

  // --- Audit log: append and read only.
  // Appends `entry` with the next sequence number and prev_hash set to the last entry's hash
  // (empty for the first), then `hasher` fills in hash. Returns the entry as stored.
  virtual Result<AuditEntry> AppendAudit(const AuditEntry& entry, const AuditHasher& hasher) = 0;
  // Up to `max_entries` entries from sequence `first` on, in order.
  virtual Result<std::vector<AuditEntry>> ReadAudit(int64_t first, size_t max_entries) = 0;
  // The entries `query` matches, from sequence query.first on, in order, at most
  // query.max_entries.
  virtual Result<std::vector<AuditEntry>> FindAudit(const AuditQuery& query) = 0;

  // --- Compliance history: one snapshot a day, the last one written that day wins.
  virtual Status RecordCompliance(const ComplianceSnapshot& snapshot) = 0;
  // The snapshots of days since `since` (inclusive), oldest first.
  virtual Result<std::vector<ComplianceSnapshot>> ListCompliance(Time since) = 0;

  // --- Runtime settings: one row per name; putting a name again replaces its row.
  virtual Status PutSetting(const Setting& setting) = 0;
  virtual Result<std::vector<Setting>> ListSettings() = 0;  // by name

  // --- Accounts (src/auth). Names are compared exactly: the auth part normalises them.
  virtual Status CreateUser(const User& user) = 0;          // kAlreadyExists when the name is taken
  virtual Result<User> GetUser(std::string_view name) = 0;  // kNotFound
  virtual Result<std::vector<User>> ListUsers() = 0;        // by name
  // Replaces every field of the user named user.name (kNotFound when there is none).
  virtual Status UpdateUser(const User& user) = 0;
  // A failed sign-in, counted in one statement so that servers sharing the store count
  // together: failed_logins goes up by one, and when it reaches `max_failures` the user is
  // locked until now + lock_for and the count starts again. Returns the user as stored.
  virtual Result<User> RecordFailedLogin(std::string_view name, Time now, int64_t max_failures,
                                         std::chrono::seconds lock_for) = 0;
  // A successful sign-in: the failure count and any lock cleared, last_login = now.
  virtual Status RecordLogin(std::string_view name, Time now) = 0;

  // --- Browser sessions: rows exist while sessions live.
  virtual Status CreateSession(const Session& session) = 0;
  virtual Result<Session> GetSession(std::string_view id) = 0;  // kNotFound
  virtual Result<std::vector<Session>> ListSessions(std::string_view user_name) = 0;
  virtual Status TouchSession(std::string_view id, Time last_seen) = 0;
  virtual Status DeleteSession(std::string_view id) = 0;  // kNotFound
  // Returns how many sessions were deleted.
  virtual Result<int64_t> DeleteUserSessions(std::string_view user_name) = 0;
  // Deletes sessions past their absolute expiry (expires_at <= now) or idle since
  // `idle_cutoff` (last_seen <= idle_cutoff).
  virtual Result<int64_t> DeleteExpiredSessions(Time now, Time idle_cutoff) = 0;

  // --- API tokens, enrollment tokens and machine credentials: kept after revocation (for
  // listing and audit), with revoked_at set. Revoking a revoked one is kUnchanged.
  virtual Status CreateApiToken(const ApiToken& token) = 0;  // its user must exist
  virtual Result<ApiToken> GetApiToken(std::string_view id) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokens() = 0;  // by creation time
  virtual Result<WriteOutcome> RevokeApiToken(std::string_view id, Time at) = 0;
  virtual Status TouchApiToken(std::string_view id, Time used_at) = 0;

  virtual Status CreateEnrollmentToken(const EnrollmentToken& token) = 0;
  virtual Result<EnrollmentToken> GetEnrollmentToken(std::string_view id) = 0;
  virtual Result<std::vector<EnrollmentToken>> ListEnrollmentTokens() = 0;
  virtual Result<WriteOutcome> RevokeEnrollmentToken(std::string_view id, Time at) = 0;
  // Takes one use of the token in one statement: true when it was not revoked, not expired at
  // `now` and not used up (so two agents cannot both take the last use); false otherwise.
  virtual Result<bool> UseEnrollmentToken(std::string_view id, Time now) = 0;

  // Stores `credential` (its computer must exist) and revokes, at credential.created_at, every
  // other live credential of that computer: one computer, one credential.
  virtual Status CreateMachineCredential(const MachineCredential& credential) = 0;
  virtual Result<MachineCredential> GetMachineCredential(std::string_view id) = 0;
  virtual Result<std::vector<MachineCredential>> ListMachineCredentials(
      const Guid& computer_id) = 0;
  virtual Result<WriteOutcome> RevokeMachineCredential(std::string_view id, Time at) = 0;

  // --- Several calls as one transaction.
  // Runs `body`, and every call it makes to this store on this thread, as one write
  // transaction: all of it commits together, or none of it when `body` (or a call) fails. A
  // call of `body` may be retried (PostgreSQL serialisation failures run it again), so it must
  // start from scratch each time and act only through the store. Calls from other threads do
  // not join.
  virtual Status Atomically(const std::function<Status()>& body) = 0;
  // Runs `body`, and every read it makes of this store on this thread, in one read
  // transaction: one snapshot of the store, and the cost of beginning and ending a transaction
  // paid once (an agent's check-in reads its credential and its computer). A write inside it
  // fails (kInternal) and leaves the store as it was. Inside Atomically, or inside another
  // ReadTogether, `body` joins the transaction already open.
  virtual Status ReadTogether(const std::function<Status()>& body) = 0;

  // --- Master key rotation: re-wraps the data key under `new_master_key` (32 bytes). The
  // store must be opened with the new key from then on; sealed records are not touched.
  virtual Status RewrapDataKey(const crypto::SecretBytes& new_master_key) = 0;

  // --- Backup: a consistent copy of the whole store in the new file `destination` (mode
  // 0600, synced, then renamed into place; kAlreadyExists rather than replacing a file), taken
  // while other connections keep reading and writing. It holds the data key wrapped by the
  // master key, never the master key: it opens with OpenStore() and the same master key.
  // SQLite only; PostgreSQL is kUnsupported (back it up with pg_dump).
  virtual Status Backup(const std::string& destination) = 0;

  // Whether a read is answered from a local file without waiting for the network or for
  // another request's commit (SQLite in WAL mode: yes; PostgreSQL: no). Callers may then read
  // where they must not wait, such as on a server's I/O thread.
  virtual bool ReadsAreLocal() const = 0;
};

// Opens (creating if needed) the store at `url_or_path`: a "postgresql://" or "postgres://"
// URL (libpq's connection URI), anything else a SQLite file path. Applies pending schema
// migrations; refuses (kUnsupported) a store whose schema is newer than this code. A new store
// gets a fresh data key wrapped by `master_key`; an existing one must be opened with the
// master key that wrapped it (kWrongKey otherwise).
Result<std::unique_ptr<Store>> OpenStore(std::string_view url_or_path,
                                         const crypto::SecretBytes& master_key);

}  // namespace lockbox::store
