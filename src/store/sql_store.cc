// Store on top of the internal Database interface: every operation written once, in the SQL
// both backends speak. Each public method is one Transact() call.
#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>

#include "crypto/aead.h"
#include "store/database.h"
#include "store/read_cache.h"
#include "store/schema.h"
#include "store/sealing.h"
#include "store/search.h"
#include "store/store.h"

namespace lockbox::store {
namespace {

using internal::Database;
using internal::Row;
using internal::Transaction;
using internal::TxMode;
using internal::Value;

Value Text(const Guid& id) { return id.ToString(); }
Value Text(std::string_view s) { return std::string(s); }
template <typename Enum>
Value Name(Enum e) {
  return std::string(NameOf(e));
}
Value Seconds(Time t) { return int64_t{t.time_since_epoch().count()}; }
Value Seconds(const std::optional<Time>& t) { return t ? Seconds(*t) : Value(std::monostate{}); }

// The key ID as the lower-case hex digits a typed prefix is compared with.
std::string KeyHex(const Guid& key_id) {
  std::string hex = key_id.ToString();
  std::erase(hex, '-');
  return hex;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Reads typed columns out of a row, remembering the first one that does not decode (a GUID
// or enum name the schema should never hold), so a record is decoded first and checked once.
class Decoder {
 public:
  explicit Decoder(const Row& row) : row_(row) {}

  const std::string& Str(size_t i) const { return row_.Text(i); }
  Guid Id(size_t i) {
    auto id = Guid::Parse(row_.Text(i));
    if (!id.ok()) return Fail(i, Guid{});
    return *id;
  }
  const std::vector<uint8_t>& Bytes(size_t i) const { return row_.Bytes(i); }
  int64_t Int(size_t i) const { return row_.Int(i); }
  bool Bool(size_t i) const { return row_.Int(i) != 0; }
  Time At(size_t i) const { return Time(std::chrono::seconds(row_.Int(i))); }
  std::optional<Time> MaybeAt(size_t i) const {
    return row_.IsNull(i) ? std::nullopt : std::optional<Time>(At(i));
  }
  template <typename Enum>
  Enum EnumAt(size_t i) {
    const std::optional<Enum> e = Parse<Enum>(row_.Text(i));
    return e ? *e : Fail(i, Enum{});
  }

  Status status(std::string_view record) const {
    if (bad_column_ < 0) return Status::Ok();
    return Status::Corrupt(std::string(record) + " has an unreadable value in column " +
                           std::to_string(bad_column_) +
                           ": the database was edited by hand or damaged");
  }

 private:
  template <typename T>
  T Fail(size_t i, T fallback) {
    if (bad_column_ < 0) bad_column_ = static_cast<int>(i);
    return fallback;
  }

  const Row& row_;
  int bad_column_ = -1;
};

template <typename T>
void SortUnique(std::vector<T>& v, auto key) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  v.erase(std::unique(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) == key(b); }),
          v.end());
}

Computer Normalized(Computer c) {
  SortUnique(c.hardware_ids, [](const std::string& s) { return s; });
  return c;
}

// The computer with no contact time: what UpsertComputer compares.
Computer WithoutContact(Computer c) {
  c.last_contact.reset();
  return c;
}

Volume Normalized(Volume v) {
  SortUnique(v.protectors, [](const Protector& p) { return p.id.ToString(); });
  return v;
}

// --- Reading records; each takes the transaction it runs in.

Status NotInStore(std::string_view what, std::string_view id) {
  return Status::NotFound(std::string(what) + " " + std::string(id) + " is not in the store");
}

Status MustExist(Transaction& tx, std::string_view select_one, std::string_view id,
                 std::string_view what) {
  const Value params[] = {Text(id)};
  LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(select_one, params));
  return rows.empty() ? NotInStore(what, id) : Status::Ok();
}

Status ComputerMustExist(Transaction& tx, const Guid& id) {
  return MustExist(tx, "SELECT 1 FROM computers WHERE id = $1", id.ToString(), "computer");
}

Result<std::optional<Computer>> LoadComputer(Transaction& tx, const Guid& id) {
  const Value params[] = {Text(id)};
  LOCKBOX_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT c.name, c.domain, c.os, t.last_contact FROM computers c"
               " LEFT JOIN computer_contacts t ON t.slot = c.contact_slot WHERE c.id = $1",
               params));
  if (rows.empty()) return std::optional<Computer>();
  Decoder d(rows[0]);
  Computer c{.id = id,
             .name = d.Str(0),
             .domain = d.Str(1),
             .os = d.Str(2),
             .hardware_ids = {},
             .last_contact = d.MaybeAt(3)};
  LOCKBOX_ASSIGN_OR_RETURN(
      auto ids,
      tx.Query("SELECT hardware_id FROM computer_hardware_ids WHERE computer_id = $1", params));
  for (const Row& r : ids) c.hardware_ids.push_back(r.Text(0));
  return std::optional<Computer>(Normalized(std::move(c)));
}

// Loads the computers whose ids the first column of `rows` holds.
Result<std::vector<Computer>> LoadComputers(Transaction& tx, const std::vector<Row>& rows) {
  std::vector<Computer> out;
  for (const Row& r : rows) {
    Decoder d(r);
    const Guid id = d.Id(0);
    LOCKBOX_RETURN_IF_ERROR(d.status("a computer row"));
    LOCKBOX_ASSIGN_OR_RETURN(auto c, LoadComputer(tx, id));
    if (c) out.push_back(std::move(*c));
  }
  return out;
}

constexpr const char* kVolumeColumns =
    "id, computer_id, drive_letter, type, description, encryption_method, protection, "
    "conversion";

// `columns` ("a, b, c") with each name prefixed: Prefixed("v.", "a, b") is "v.a, v.b".
std::string Prefixed(std::string_view prefix, std::string_view columns) {
  std::string out(prefix);
  for (const char c : columns) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

// A volume from a row of kVolumeColumns.
Result<Volume> DecodeVolume(Transaction& tx, const Row& row) {
  Decoder d(row);
  Volume v{.id = d.Id(0),
           .computer_id = d.Id(1),
           .drive_letter = d.Str(2),
           .type = d.EnumAt<VolumeType>(3),
           .description = d.Str(4),
           .encryption_method = d.Str(5),
           .protection = d.EnumAt<ProtectionStatus>(6),
           .conversion = d.EnumAt<ConversionStatus>(7),
           .protectors = {}};
  LOCKBOX_RETURN_IF_ERROR(d.status("volume " + row.Text(0)));
  const Value params[] = {Text(v.id)};
  LOCKBOX_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT protector_id, type FROM volume_protectors WHERE volume_id = $1", params));
  for (const Row& r : rows) {
    Decoder p(r);
    v.protectors.push_back({p.Id(0), p.EnumAt<ProtectorType>(1)});
    LOCKBOX_RETURN_IF_ERROR(p.status("a protector of volume " + v.id.ToString()));
  }
  return Normalized(std::move(v));
}

Result<std::optional<Volume>> LoadVolume(Transaction& tx, const Guid& id) {
  const Value params[] = {Text(id)};
  LOCKBOX_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string("SELECT ") + kVolumeColumns + " FROM volumes WHERE id = $1", params));
  if (rows.empty()) return std::optional<Volume>();
  LOCKBOX_ASSIGN_OR_RETURN(auto v, DecodeVolume(tx, rows[0]));
  return std::optional<Volume>(std::move(v));
}

constexpr const char* kKeyColumns =
    "key_id, volume_id, created_at, state, verification, escrowed_at, source, "
    "state_changed_at";

Result<std::vector<RecoveryKey>> DecodeKeys(const std::vector<Row>& rows) {
  std::vector<RecoveryKey> keys;
  for (const Row& row : rows) {
    Decoder d(row);
    keys.push_back({.key_id = d.Id(0),
                    .volume_id = d.Id(1),
                    .created_at = d.MaybeAt(2),
                    .state = d.EnumAt<KeyState>(3),
                    .verification = d.EnumAt<Verification>(4),
                    .escrowed_at = d.At(5),
                    .source = d.Str(6),
                    .state_changed_at = d.MaybeAt(7)});
    LOCKBOX_RETURN_IF_ERROR(d.status("recovery key " + row.Text(0)));
  }
  return keys;
}

// Moves computer $1's contact time to $2 (computer_contacts, at the computer's slot).
constexpr const char* kSetContactOfComputer =
    "UPDATE computer_contacts SET last_contact = $2"
    " WHERE slot = (SELECT contact_slot FROM computers WHERE id = $1)";

// The keys of computer $1 in state $2 (disclosed: awaiting rotation), as FROM and WHERE.
constexpr const char* kKeysOfComputerInState =
    " FROM volumes v JOIN recovery_keys k ON k.volume_id = v.id"
    " WHERE v.computer_id = $1 AND k.state = $2";

// A key of the volume now awaits rotation: its computer's last report digest is cleared, so
// that no check-in is answered without the rotation. The store keeps that invariant (a
// digest is stored only beside no disclosed key) for GetCheckIn, which then reads the
// computer's row alone.
// Adds the computer whose digest it cleared, if any, to `cleared`.
Status ForgetReportOfVolume(Transaction& tx, const Guid& volume_id,
                            std::vector<std::string>& cleared) {
  const Value id[] = {Text(volume_id)};
  LOCKBOX_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("UPDATE computers SET report_digest = NULL WHERE id = (SELECT computer_id FROM"
               " volumes WHERE id = $1) AND report_digest IS NOT NULL RETURNING id",
               id));
  for (const Row& row : rows) cleared.push_back(row.Text(0));
  return Status::Ok();
}

Result<RecoveryKey> LoadKey(Transaction& tx, const Guid& key_id) {
  const Value params[] = {Text(key_id)};
  LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string("SELECT ") + kKeyColumns +
                                                   " FROM recovery_keys WHERE key_id = $1",
                                               params));
  if (rows.empty()) {
    return Status::NotFound("no recovery key with ID " + key_id.ToString() + " is escrowed");
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto keys, DecodeKeys(rows));
  return std::move(keys[0]);
}

// Whether a secret sent again matches the one sealed: kUnchanged, else kConflict. A seal that
// does not open under its own binding is an error, never a silent overwrite.
Result<WriteOutcome> CompareSealed(const crypto::Aead& aead, const std::vector<uint8_t>& sealed,
                                   const std::string& binding,
                                   const crypto::SecretBytes& candidate) {
  LOCKBOX_ASSIGN_OR_RETURN(auto stored, aead.Open(sealed, binding));
  return crypto::ConstantTimeEqual(stored.span(), candidate.span()) ? WriteOutcome::kUnchanged
                                                                    : WriteOutcome::kConflict;
}

// --- Accounts and credentials. Booleans are stored as 0/1.

Value Flag(bool b) { return int64_t{b ? 1 : 0}; }

constexpr const char* kUserColumns =
    "name, display_name, role, service_account, password_hash, must_change_password, disabled,"
    " failed_logins, locked_until, last_login, created_at, password_changed_at, directory";

std::vector<Value> UserRow(const User& u) {
  return {Text(u.name),
          Text(u.display_name),
          Text(u.role),
          Flag(u.service_account),
          Text(u.password_hash),
          Flag(u.must_change_password),
          Flag(u.disabled),
          int64_t{u.failed_logins},
          Seconds(u.locked_until),
          Seconds(u.last_login),
          Seconds(u.created_at),
          Seconds(u.password_changed_at),
          Text(u.directory)};
}

Result<User> DecodeUser(const Row& row) {
  const Decoder d(row);
  return User{.name = d.Str(0),
              .display_name = d.Str(1),
              .role = d.Str(2),
              .service_account = d.Bool(3),
              .password_hash = d.Str(4),
              .must_change_password = d.Bool(5),
              .disabled = d.Bool(6),
              .failed_logins = d.Int(7),
              .locked_until = d.MaybeAt(8),
              .last_login = d.MaybeAt(9),
              .created_at = d.At(10),
              .password_changed_at = d.MaybeAt(11),
              .directory = d.Str(12)};
}

constexpr const char* kSessionColumns =
    "id, token_hash, csrf_hash, user_name, address, created_at, last_seen, expires_at";

Result<Session> DecodeSession(const Row& row) {
  const Decoder d(row);
  return Session{.id = d.Str(0),
                 .token_hash = d.Bytes(1),
                 .csrf_hash = d.Bytes(2),
                 .user_name = d.Str(3),
                 .address = d.Str(4),
                 .created_at = d.At(5),
                 .last_seen = d.At(6),
                 .expires_at = d.At(7)};
}

constexpr const char* kApiTokenColumns =
    "id, token_hash, user_name, role, description, created_by, created_at, expires_at,"
    " revoked_at, last_used";

Result<ApiToken> DecodeApiToken(const Row& row) {
  const Decoder d(row);
  return ApiToken{.id = d.Str(0),
                  .token_hash = d.Bytes(1),
                  .user_name = d.Str(2),
                  .role = d.Str(3),
                  .description = d.Str(4),
                  .created_by = d.Str(5),
                  .created_at = d.At(6),
                  .expires_at = d.At(7),
                  .revoked_at = d.MaybeAt(8),
                  .last_used = d.MaybeAt(9)};
}

constexpr const char* kEnrollmentTokenColumns =
    "id, token_hash, description, created_by, created_at, expires_at, max_uses, uses,"
    " revoked_at";

Result<EnrollmentToken> DecodeEnrollmentToken(const Row& row) {
  const Decoder d(row);
  return EnrollmentToken{.id = d.Str(0),
                         .token_hash = d.Bytes(1),
                         .description = d.Str(2),
                         .created_by = d.Str(3),
                         .created_at = d.At(4),
                         .expires_at = d.At(5),
                         .max_uses = d.Int(6),
                         .uses = d.Int(7),
                         .revoked_at = d.MaybeAt(8)};
}

// In each cache of reads, a record each for as many computers as the report memo holds
// (api::Services).
constexpr size_t kCachedRecords = 1'000'000;
constexpr const char* kMachineCredentialColumns =
    "id, token_hash, computer_id, enrollment_token_id, created_at, revoked_at, last_used";
// A credential with its computer's name (MachineCredential::computer_name).
constexpr const char* kMachineCredentialSelect =
    "SELECT m.id, m.token_hash, m.computer_id, m.enrollment_token_id, m.created_at,"
    " m.revoked_at, m.last_used, c.name"
    " FROM machine_credentials m JOIN computers c ON c.id = m.computer_id";

Result<MachineCredential> DecodeMachineCredential(const Row& row) {
  Decoder d(row);
  MachineCredential c{.id = d.Str(0),
                      .token_hash = d.Bytes(1),
                      .computer_id = d.Id(2),
                      .enrollment_token_id = d.Str(3),
                      .created_at = d.At(4),
                      .revoked_at = d.MaybeAt(5),
                      .last_used = d.MaybeAt(6),
                      .computer_name = d.Str(7)};
  LOCKBOX_RETURN_IF_ERROR(d.status("machine credential " + c.id));
  return c;
}

// Every row of `rows` decoded, or the first failure.
template <typename T>
Result<std::vector<T>> DecodeAll(const std::vector<Row>& rows, Result<T> (*decode)(const Row&)) {
  std::vector<T> out;
  for (const Row& row : rows) {
    LOCKBOX_ASSIGN_OR_RETURN(T value, decode(row));
    out.push_back(std::move(value));
  }
  return out;
}

constexpr const char* kAuditColumns =
    "sequence, time, actor, role, source, computer, key_id, key_type, reason, end_user, result,"
    " prev_hash, hash";

std::vector<AuditEntry> DecodeAudit(const std::vector<Row>& rows) {
  std::vector<AuditEntry> entries;
  for (const Row& r : rows) {
    const Decoder d(r);
    entries.push_back({r.Int(0), d.At(1), d.Str(2), d.Str(3), d.Str(4), d.Str(5), d.Str(6),
                       d.Str(7), d.Str(8), d.Str(9), d.Str(10), r.Bytes(11), r.Bytes(12)});
  }
  return entries;
}

// A result count as a LIMIT value.
Value Limit(size_t max_results) {
  return static_cast<int64_t>(std::min<size_t>(max_results, std::numeric_limits<int64_t>::max()));
}

// Placeholders "$1, $2, ..., $n".
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 1; i <= n; ++i) out += (i > 1 ? ", $" : "$") + std::to_string(i);
  return out;
}

// The credential tables: their SQL names and how a person names one of their rows.
struct CredentialTable {
  const char* table;
  const char* used_column;  // updated by Touch*
  const char* what;         // "API token"
};
constexpr CredentialTable kSessions{"sessions", "last_seen", "session"};
constexpr CredentialTable kApiTokens{"api_tokens", "last_used", "API token"};
constexpr CredentialTable kEnrollmentTokens{"enrollment_tokens", "", "enrollment token"};
constexpr CredentialTable kMachineCredentials{"machine_credentials", "last_used",
                                              "machine credential"};

Status NotFoundIn(const CredentialTable& t, std::string_view id) {
  return Status::NotFound(std::string(t.what) + " " + std::string(id) + " does not exist");
}

// T for a transaction body returning Result<T>.
template <typename F>
using BodyValue = std::remove_cvref_t<
    decltype(std::declval<std::remove_reference_t<F>&>()(std::declval<Transaction&>()).value())>;

using Binder = std::function<Result<std::string>(const Row&)>;

// For secrets sealed to (key ID, volume): the binding from a row whose first column is the
// volume.
Binder BoundToKeyAndVolume(const Guid& key_id,
                           std::string (*binding)(const Guid& key_id, const Guid& volume_id)) {
  return [key_id, binding](const Row& row) -> Result<std::string> {
    Decoder d(row);
    const Guid volume_id = d.Id(0);
    LOCKBOX_RETURN_IF_ERROR(d.status("the sealed secret of key " + key_id.ToString()));
    return binding(key_id, volume_id);
  };
}

class SqlStore;

// What writes changed of the records a SQLite store keeps in memory (ReadCache): their IDs.
struct CachedChanges {
  std::vector<std::string> credentials;  // machine credentials
  std::vector<std::string> check_ins;    // computers whose report digest changed

  void Add(const CachedChanges& more) {
    credentials.insert(credentials.end(), more.credentials.begin(), more.credentials.end());
    check_ins.insert(check_ins.end(), more.check_ins.begin(), more.check_ins.end());
  }
};
// The caches' epochs at a moment: a read that began after it kept only what it read since.
struct CacheEpochs {
  uint64_t credentials = 0;
  uint64_t check_ins = 0;
};

// What a SQLite store keeps of its reads (docs/store.md, "Records in memory").
struct ReadCaches {
  internal::ReadCache<MachineCredential> credentials{kCachedRecords};
  internal::ReadCache<CheckIn> check_ins{kCachedRecords};
  // Database::OutsideWrites when both were last emptied for it.
  std::atomic<uint64_t> outside_writes_seen{0};

  CacheEpochs Epochs() const {
    return {.credentials = credentials.Epoch(), .check_ins = check_ins.Epoch()};
  }
  void Forget(const CachedChanges& changed) {
    for (const std::string& id : changed.credentials) credentials.Forget(id);
    for (const std::string& id : changed.check_ins) check_ins.Forget(id);
  }
  // Empties both if the database has seen another process's commits since they last were.
  void CatchUp(uint64_t outside_writes) {
    if (outside_writes == outside_writes_seen.load()) return;
    credentials.Clear();
    check_ins.Clear();
    outside_writes_seen.store(outside_writes);
  }
};

// The transaction the calling thread runs inside Store::Atomically, and whose store it is:
// every call of that store on this thread joins it.
struct CurrentTransaction {
  const SqlStore* store = nullptr;
  Transaction* tx = nullptr;
  TxMode mode = TxMode::kWrite;
  // What its writes changed, forgotten from the caches when it ends.
  CachedChanges* changes = nullptr;
  // The caches' epochs just before it began: what it reads is no older than that.
  CacheEpochs epochs;
};
thread_local CurrentTransaction current_transaction;

class SqlStore : public Store {
 public:
  SqlStore(std::unique_ptr<Database> db, crypto::Aead master, crypto::Aead data)
      : db_(std::move(db)), master_(std::move(master)), data_(std::move(data)) {
    // Not for a store several servers share: another's writes would not reach the caches.
    if (db_->ReadsAreLocal()) caches_ = std::make_unique<ReadCaches>();
  }

  Result<WriteOutcome> UpsertComputer(const Computer& computer) override {
    const Computer c = Normalized(computer);
    CachedChanges changed;  // the credentials read with the computer's old name; its digest
    auto outcome = Write([&](Transaction& tx) -> Result<WriteOutcome> {
      LOCKBOX_ASSIGN_OR_RETURN(auto existing, LoadComputer(tx, c.id));
      const bool same = existing && WithoutContact(*existing) == WithoutContact(c);
      if (existing && existing->last_contact != c.last_contact) {
        const Value contact[] = {Text(c.id), Seconds(c.last_contact)};
        LOCKBOX_RETURN_IF_ERROR(tx.Exec(kSetContactOfComputer, contact));
      }
      if (same) return WriteOutcome::kUnchanged;  // when only the contact time moved, too
      if (existing) {
        changed.check_ins.push_back(c.id.ToString());
        const Value row[] = {Text(c.id), Text(c.name), Text(c.domain), Text(c.os)};
        LOCKBOX_RETURN_IF_ERROR(
            tx.Exec("UPDATE computers SET name = $2, domain = $3, os = $4, report_digest = NULL"
                    " WHERE id = $1",
                    row));
      } else {
        // The next free slot (computers are never deleted, so none is ever reused).
        const Value contact[] = {Seconds(c.last_contact)};
        LOCKBOX_ASSIGN_OR_RETURN(
            auto slot, tx.Query("INSERT INTO computer_contacts (slot, last_contact)"
                                " SELECT COALESCE(MAX(slot), 0) + 1, $1 FROM computer_contacts"
                                " RETURNING slot",
                                contact));
        if (slot.empty()) return Status::Internal("no contact slot was made for a new computer");
        const Value row[] = {Text(c.id), Text(c.name), Text(c.domain), Text(c.os), slot[0].Int(0)};
        LOCKBOX_RETURN_IF_ERROR(
            tx.Exec("INSERT INTO computers (id, name, domain, os, contact_slot)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    row));
      }
      if (!existing || existing->hardware_ids != c.hardware_ids) {
        if (existing) {
          const Value id[] = {Text(c.id)};
          LOCKBOX_RETURN_IF_ERROR(
              tx.Exec("DELETE FROM computer_hardware_ids WHERE computer_id = $1", id));
        }
        for (const std::string& hw : c.hardware_ids) {
          const Value pair[] = {Text(c.id), Text(hw)};
          LOCKBOX_RETURN_IF_ERROR(tx.Exec(
              "INSERT INTO computer_hardware_ids (computer_id, hardware_id) VALUES ($1, $2)",
              pair));
        }
      }
      if (!existing || existing->name != c.name) {
        LOCKBOX_RETURN_IF_ERROR(internal::WriteComputerWords(
            tx, c.id, c.name,
            existing ? std::optional<std::string_view>(existing->name) : std::nullopt));
      }
      if (existing && existing->name != c.name && caches_) {
        const Value id[] = {Text(c.id)};
        LOCKBOX_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT id FROM machine_credentials WHERE computer_id = $1", id));
        for (const Row& row : rows) changed.credentials.push_back(row.Text(0));
      }
      return existing ? WriteOutcome::kUpdated : WriteOutcome::kCreated;
    });
    Changed(std::move(changed));
    return outcome;
  }

  Result<Computer> GetComputer(const Guid& id) override {
    return Read([&](Transaction& tx) -> Result<Computer> {
      LOCKBOX_ASSIGN_OR_RETURN(auto c, LoadComputer(tx, id));
      if (!c) return Status::NotFound("computer " + id.ToString() + " is not in the store");
      return std::move(*c);
    });
  }

  Result<std::vector<Computer>> FindComputersByName(std::string_view name) override {
    return Read([&](Transaction& tx) -> Result<std::vector<Computer>> {
      const Value params[] = {Text(name)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query("SELECT id FROM computers WHERE lower(name) = lower($1) ORDER BY id", params));
      return LoadComputers(tx, rows);
    });
  }

  Result<std::vector<Computer>> FindComputersByHardwareId(std::string_view id) override {
    return Read([&](Transaction& tx) -> Result<std::vector<Computer>> {
      const Value params[] = {Text(id)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT computer_id FROM computer_hardware_ids"
                                                   " WHERE hardware_id = $1 ORDER BY computer_id",
                                                   params));
      return LoadComputers(tx, rows);
    });
  }

  Result<std::vector<Computer>> SearchComputers(std::string_view prefix,
                                                size_t max_results) override {
    return Read([&](Transaction& tx) -> Result<std::vector<Computer>> {
      // Every word_hex starting with the prefix's hex lies in [hex, hex + "g"): see search.h.
      const std::string hex = internal::SearchWordHex(prefix);
      const Value params[] = {
          hex, hex + "g",
          static_cast<int64_t>(std::min<size_t>(max_results, std::numeric_limits<int64_t>::max()))};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                               tx.Query("SELECT DISTINCT c.id, c.name FROM search_words w"
                                        " JOIN computers c ON c.id = w.computer_id"
                                        " WHERE w.word_hex >= $1 AND w.word_hex < $2"
                                        " ORDER BY c.name, c.id LIMIT $3",
                                        params));
      return LoadComputers(tx, rows);
    });
  }

  Result<std::vector<Computer>> ListComputers(const std::optional<Guid>& after,
                                              size_t max_results) override {
    return Read([&](Transaction& tx) -> Result<std::vector<Computer>> {
      const Value params[] = {after ? after->ToString() : std::string(), Limit(max_results)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query("SELECT id FROM computers WHERE id > $1 ORDER BY id LIMIT $2", params));
      return LoadComputers(tx, rows);
    });
  }

  Result<WriteOutcome> UpsertVolume(const Volume& volume) override {
    const Volume v = Normalized(volume);
    CachedChanges changed;  // the computer's digest, cleared below
    auto outcome = Write([&](Transaction& tx) -> Result<WriteOutcome> {
      // Whether the computer exists and the volume as stored, in one statement.
      const Value ids[] = {Text(v.computer_id), Text(v.id)};
      static const std::string kLoad = "SELECT " + Prefixed("v.", kVolumeColumns) +
                                       " FROM computers c LEFT JOIN volumes v ON v.id = $2"
                                       " WHERE c.id = $1";
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(kLoad, ids));
      if (rows.empty()) {
        return NotInStore("computer", v.computer_id.ToString())
            .WithContext("volume " + v.id.ToString());
      }
      std::optional<Volume> existing;
      if (!rows[0].IsNull(0)) {
        LOCKBOX_ASSIGN_OR_RETURN(existing, DecodeVolume(tx, rows[0]));
      }
      if (existing && *existing == v) return WriteOutcome::kUnchanged;
      const Value row[] = {Text(v.id),         Text(v.computer_id), Text(v.drive_letter),
                           Name(v.type),       Text(v.description), Text(v.encryption_method),
                           Name(v.protection), Name(v.conversion)};
      LOCKBOX_RETURN_IF_ERROR(
          tx.Exec(std::string("INSERT INTO volumes (") + kVolumeColumns +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                      " ON CONFLICT (id) DO UPDATE SET computer_id = excluded.computer_id,"
                      " drive_letter = excluded.drive_letter, type = excluded.type,"
                      " description = excluded.description,"
                      " encryption_method = excluded.encryption_method,"
                      " protection = excluded.protection, conversion = excluded.conversion",
                  row));
      // A new volume has no protectors or search words yet: nothing to delete (volumes are
      // never deleted, so no rows of an earlier one with the same ID remain).
      if (!existing || existing->protectors != v.protectors) {
        const Value id[] = {Text(v.id)};
        if (existing) {
          LOCKBOX_RETURN_IF_ERROR(
              tx.Exec("DELETE FROM volume_protectors WHERE volume_id = $1", id));
        }
        for (const Protector& p : v.protectors) {
          const Value prow[] = {Text(v.id), Text(p.id), Name(p.type)};
          LOCKBOX_RETURN_IF_ERROR(tx.Exec(
              "INSERT INTO volume_protectors (volume_id, protector_id, type) VALUES ($1, $2, $3)",
              prow));
        }
      }
      if (!existing || existing->description != v.description ||
          existing->computer_id != v.computer_id) {
        LOCKBOX_RETURN_IF_ERROR(internal::WriteVolumeWords(tx, v, existing ? &*existing : nullptr));
      }
      // A changed volume: the computer's next report is processed in full, not matched
      // against the last one (which no longer describes what is stored). A digest that is
      // NULL already (the computer was written in this report) is left alone.
      const Value computer[] = {Text(v.computer_id)};
      LOCKBOX_RETURN_IF_ERROR(tx.Exec(
          "UPDATE computers SET report_digest = NULL WHERE id = $1 AND report_digest IS NOT NULL",
          computer));
      changed.check_ins.push_back(v.computer_id.ToString());
      return existing ? WriteOutcome::kUpdated : WriteOutcome::kCreated;
    });
    Changed(std::move(changed));
    return outcome;
  }

  Result<Volume> GetVolume(const Guid& id) override {
    return Read([&](Transaction& tx) -> Result<Volume> {
      LOCKBOX_ASSIGN_OR_RETURN(auto v, LoadVolume(tx, id));
      if (!v) return Status::NotFound("volume " + id.ToString() + " is not in the store");
      return std::move(*v);
    });
  }

  Result<std::vector<Volume>> ListVolumes(const Guid& computer_id) override {
    return Read([&](Transaction& tx) -> Result<std::vector<Volume>> {
      const Value params[] = {Text(computer_id)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                               tx.Query(std::string("SELECT ") + kVolumeColumns +
                                            " FROM volumes WHERE computer_id = $1 ORDER BY id",
                                        params));
      std::vector<Volume> out;
      for (const Row& r : rows) {
        LOCKBOX_ASSIGN_OR_RETURN(auto v, DecodeVolume(tx, r));
        out.push_back(std::move(v));
      }
      return out;
    });
  }

  Result<WriteOutcome> EscrowRecoveryKey(const RecoveryKey& key,
                                         const crypto::SecretBytes& recovery_password) override {
    const std::string binding = internal::RecoveryPasswordBinding(key.key_id, key.volume_id);
    CachedChanges changed;  // the digest of a computer whose key arrives disclosed
    auto outcome = Write([&](Transaction& tx) -> Result<WriteOutcome> {
      // Whether the volume exists and the key as stored, in one statement.
      const Value ids[] = {Text(key.volume_id), Text(key.key_id)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows, tx.Query("SELECT k.volume_id, k.sealed_password FROM volumes v"
                              " LEFT JOIN recovery_keys k ON k.key_id = $2 WHERE v.id = $1",
                              ids));
      if (rows.empty()) {
        return NotInStore("volume", key.volume_id.ToString())
            .WithContext("escrowing recovery key " + key.key_id.ToString());
      }
      if (!rows[0].IsNull(0)) {
        if (rows[0].Text(0) != key.volume_id.ToString()) return WriteOutcome::kConflict;
        return CompareSealed(data_, rows[0].Bytes(1), binding, recovery_password);
      }
      LOCKBOX_ASSIGN_OR_RETURN(auto sealed, data_.Seal(recovery_password.span(), binding));
      const Value row[] = {Text(key.key_id),         KeyHex(key.key_id), Text(key.volume_id),
                           Seconds(key.created_at),  Name(key.state),    Name(key.verification),
                           Seconds(key.escrowed_at), Text(key.source),   std::move(sealed)};
      LOCKBOX_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO recovery_keys (key_id, key_hex, volume_id, created_at, state,"
                  " verification, escrowed_at, source, sealed_password)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                  row));
      if (key.state == KeyState::kDisclosed) {
        LOCKBOX_RETURN_IF_ERROR(ForgetReportOfVolume(tx, key.volume_id, changed.check_ins));
      }
      return WriteOutcome::kCreated;
    });
    Changed(std::move(changed));
    return outcome;
  }

  Result<RecoveryKey> GetRecoveryKey(const Guid& key_id) override {
    return Read([&](Transaction& tx) { return LoadKey(tx, key_id); });
  }

  Result<std::vector<RecoveryKey>> FindRecoveryKeys(const recovery::KeyIdPrefix& prefix) override {
    return Read([&](Transaction& tx) -> Result<std::vector<RecoveryKey>> {
      // Every key ID starting with the prefix's text lies in [text, text + "g"): the hex
      // digits and hyphens after it are all below 'g'. A range the key ID's index answers
      // directly. Matches keeps exactly the keys of the prefix whatever a PostgreSQL
      // collation makes of the hyphens.
      const std::string text = prefix.text();
      const Value params[] = {text, text + "g"};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                               tx.Query(std::string("SELECT ") + kKeyColumns +
                                            " FROM recovery_keys WHERE key_id >= $1 AND key_id < $2"
                                            " ORDER BY key_id",
                                        params));
      LOCKBOX_ASSIGN_OR_RETURN(auto keys, DecodeKeys(rows));
      std::erase_if(keys, [&](const RecoveryKey& k) { return !prefix.Matches(k.key_id); });
      return keys;
    });
  }

  Result<std::vector<RecoveryKey>> ListRecoveryKeys(const Guid& volume_id) override {
    return Read([&](Transaction& tx) -> Result<std::vector<RecoveryKey>> {
      const Value params[] = {Text(volume_id)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows, tx.Query(std::string("SELECT ") + kKeyColumns +
                                  " FROM recovery_keys WHERE volume_id = $1 ORDER BY key_id",
                              params));
      return DecodeKeys(rows);
    });
  }

  Result<std::vector<RecoveryKey>> ListKeysInState(KeyState state) override {
    return Read([&](Transaction& tx) -> Result<std::vector<RecoveryKey>> {
      const Value params[] = {Name(state)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string("SELECT ") + kKeyColumns +
                                                       " FROM recovery_keys WHERE state = $1"
                                                       " ORDER BY state_changed_at, key_id",
                                                   params));
      return DecodeKeys(rows);
    });
  }

  Status SetKeyState(const Guid& key_id, KeyState state, Time at) override {
    CachedChanges changed;  // the digest of the disclosed key's computer
    Status status =
        Write([&](Transaction& tx) -> Result<WriteOutcome> {
          LOCKBOX_ASSIGN_OR_RETURN(auto key, LoadKey(tx, key_id));
          if (key.state == state) return WriteOutcome::kUnchanged;
          // States only move forward: active < disclosed < retired.
          if (state < key.state) {
            return Status::InvalidArgument("recovery key " + key_id.ToString() + " is " +
                                           std::string(NameOf(key.state)) + " and cannot become " +
                                           std::string(NameOf(state)) + " again");
          }
          const Value params[] = {Name(state), Seconds(at), Text(key_id)};
          LOCKBOX_RETURN_IF_ERROR(tx.Exec(
              "UPDATE recovery_keys SET state = $1, state_changed_at = $2 WHERE key_id = $3",
              params));
          if (state == KeyState::kDisclosed) {
            LOCKBOX_RETURN_IF_ERROR(ForgetReportOfVolume(tx, key.volume_id, changed.check_ins));
          }
          return WriteOutcome::kUpdated;
        }).status();
    Changed(std::move(changed));
    return status;
  }

  Status SetKeyVerification(const Guid& key_id, Verification verification) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             const Value params[] = {Name(verification), Text(key_id)};
             LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                                      tx.Query("UPDATE recovery_keys SET verification = $1"
                                               " WHERE key_id = $2 RETURNING key_id",
                                               params));
             if (rows.empty()) {
               return Status::NotFound("no recovery key with ID " + key_id.ToString() +
                                       " is escrowed");
             }
             return WriteOutcome::kUpdated;
           })
        .status();
  }

  Result<crypto::SecretBytes> OpenRecoveryPassword(const Guid& key_id) override {
    return OpenSealed("SELECT volume_id, sealed_password FROM recovery_keys WHERE key_id = $1",
                      key_id, "no recovery key with ID " + key_id.ToString() + " is escrowed",
                      BoundToKeyAndVolume(key_id, internal::RecoveryPasswordBinding));
  }

  Result<WriteOutcome> StoreKeyPackage(const Guid& key_id,
                                       const crypto::SecretBytes& key_package) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
      LOCKBOX_ASSIGN_OR_RETURN(auto key, LoadKey(tx, key_id));
      const std::string binding = internal::KeyPackageBinding(key_id, key.volume_id);
      const Value id[] = {Text(key_id)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows, tx.Query("SELECT sealed_package FROM key_packages WHERE key_id = $1", id));
      if (!rows.empty()) return CompareSealed(data_, rows[0].Bytes(0), binding, key_package);
      LOCKBOX_ASSIGN_OR_RETURN(auto sealed, data_.Seal(key_package.span(), binding));
      const Value row[] = {Text(key_id), Text(key.volume_id), internal::NowSeconds(),
                           std::move(sealed)};
      LOCKBOX_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO key_packages (key_id, volume_id, stored_at,"
                  " sealed_package) VALUES ($1, $2, $3, $4)",
                  row));
      return WriteOutcome::kCreated;
    });
  }

  Result<crypto::SecretBytes> OpenKeyPackage(const Guid& key_id) override {
    return OpenSealed("SELECT volume_id, sealed_package FROM key_packages WHERE key_id = $1",
                      key_id, "no key package is stored for recovery key " + key_id.ToString(),
                      BoundToKeyAndVolume(key_id, internal::KeyPackageBinding));
  }

  Result<WriteOutcome> StoreTpmOwnerAuth(const Guid& computer_id,
                                         const crypto::SecretBytes& owner_auth,
                                         Time changed_at) override {
    const std::string binding = internal::TpmOwnerAuthBinding(computer_id, changed_at);
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
      LOCKBOX_RETURN_IF_ERROR(ComputerMustExist(tx, computer_id));
      const Value id[] = {Text(computer_id)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query("SELECT changed_at, sealed_auth FROM tpm_owner_auth WHERE computer_id = $1",
                   id));
      if (!rows.empty()) {
        const Time stored_at = Decoder(rows[0]).At(0);
        if (stored_at > changed_at) return WriteOutcome::kStale;
        if (stored_at == changed_at) {
          return CompareSealed(data_, rows[0].Bytes(1), binding, owner_auth);
        }
      }
      LOCKBOX_ASSIGN_OR_RETURN(auto sealed, data_.Seal(owner_auth.span(), binding));
      const Value row[] = {Text(computer_id), Seconds(changed_at), std::move(sealed)};
      LOCKBOX_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO tpm_owner_auth (computer_id, changed_at, sealed_auth)"
                  " VALUES ($1, $2, $3) ON CONFLICT (computer_id) DO UPDATE"
                  " SET changed_at = excluded.changed_at, sealed_auth = excluded.sealed_auth",
                  row));
      return rows.empty() ? WriteOutcome::kCreated : WriteOutcome::kUpdated;
    });
  }

  Result<crypto::SecretBytes> OpenTpmOwnerAuth(const Guid& computer_id) override {
    return OpenSealed("SELECT changed_at, sealed_auth FROM tpm_owner_auth WHERE computer_id = $1",
                      computer_id,
                      "no TPM owner authorisation is stored for computer " + computer_id.ToString(),
                      [&](const Row& row) -> Result<std::string> {
                        return internal::TpmOwnerAuthBinding(computer_id, Decoder(row).At(0));
                      });
  }

  Status RecordComputerUser(const Guid& computer_id, std::string_view user, Time seen_at) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             const Value row[] = {Text(computer_id), AsciiLower(user), Seconds(seen_at)};
             // Selected from the computer's row, so a missing computer writes nothing.
             LOCKBOX_ASSIGN_OR_RETURN(
                 auto rows,
                 tx.Query(
                     "INSERT INTO computer_users (computer_id, user_name, first_seen, last_seen)"
                     " SELECT $1, $2, $3, $3 FROM computers WHERE id = $1"
                     " ON CONFLICT (computer_id, user_name) DO UPDATE SET"
                     " first_seen = CASE WHEN excluded.first_seen < computer_users.first_seen"
                     " THEN excluded.first_seen ELSE computer_users.first_seen END,"
                     " last_seen = CASE WHEN excluded.last_seen > computer_users.last_seen"
                     " THEN excluded.last_seen ELSE computer_users.last_seen END"
                     " RETURNING computer_id",
                     row));
             if (rows.empty()) return NotInStore("computer", computer_id.ToString());
             return WriteOutcome::kUpdated;
           })
        .status();
  }

  Result<CheckIn> GetCheckIn(const Guid& computer_id) override {
    const std::string id_text = computer_id.ToString();
    // Kept only with a digest: a computer without one is told to report in full, which writes.
    const auto worth_keeping = [](const CheckIn& c) { return !c.report_digest.empty(); };
    return ReadThrough(&ReadCaches::check_ins, &CacheEpochs::check_ins, id_text, worth_keeping,
                       [&] { return ReadCheckIn(computer_id); });
  }

  Status SetReportDigest(const Guid& computer_id, std::span<const uint8_t> digest) override {
    Status status =
        Write([&](Transaction& tx) -> Result<WriteOutcome> {
          const Value params[] = {Text(computer_id), Name(KeyState::kDisclosed),
                                  std::vector<uint8_t>(digest.begin(), digest.end())};
          // Not beside a key awaiting rotation: that computer's reports are processed in
          // full until the key is replaced (see GetCheckIn).
          static const std::string kSet =
              std::string("UPDATE computers SET report_digest = CASE WHEN EXISTS (SELECT 1") +
              kKeysOfComputerInState + ") THEN NULL ELSE $3 END WHERE id = $1 RETURNING id";
          LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(kSet, params));
          if (rows.empty()) return NotInStore("computer", computer_id.ToString());
          return WriteOutcome::kUpdated;
        }).status();
    Changed({.credentials = {}, .check_ins = {computer_id.ToString()}});
    return status;
  }

  Status RecordContacts(const std::vector<Contact>& contacts) override {
    std::vector<std::string> refreshed;  // the credentials whose last use may be refreshed
    for (const Contact& c : contacts) {
      if (!c.credential_id.empty()) refreshed.push_back(c.credential_id);
    }
    Status status =
        Write([&](Transaction& tx) -> Result<WriteOutcome> {
          for (const Contact& c : contacts) {
            const Value computer[] = {Text(c.computer_id), Seconds(c.at)};
            // A stored use time at or before this is refreshed (kUseRefreshInterval).
            const Value stale = Seconds(c.at - kUseRefreshInterval);
            // Never back: a contact recorded late is older than the stored one.
            static const std::string kForward = std::string(kSetContactOfComputer) +
                                                " AND (last_contact IS NULL OR last_contact < $2)";
            LOCKBOX_RETURN_IF_ERROR(tx.Exec(kForward, computer));
            for (const std::string& user : c.users) {
              const Value seen[] = {Text(c.computer_id), AsciiLower(user), Seconds(c.at), stale};
              LOCKBOX_RETURN_IF_ERROR(
                  tx.Exec("UPDATE computer_users SET last_seen = $3 WHERE computer_id = $1 AND"
                          " user_name = $2 AND last_seen <= $4",
                          seen));
            }
            if (c.credential_id.empty()) continue;
            const Value used[] = {Text(c.credential_id), Seconds(c.at), stale};
            LOCKBOX_RETURN_IF_ERROR(
                tx.Exec("UPDATE machine_credentials SET last_used = $2 WHERE id = $1 AND"
                        " (last_used IS NULL OR last_used <= $3)",
                        used));
          }
          return WriteOutcome::kUpdated;
        }).status();
    Changed({.credentials = std::move(refreshed), .check_ins = {}});
    return status;
  }

  Result<std::vector<ComputerUser>> ListComputerUsers(const Guid& computer_id) override {
    return Read([&](Transaction& tx) -> Result<std::vector<ComputerUser>> {
      const Value params[] = {Text(computer_id)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT user_name, first_seen, last_seen FROM"
                                                   " computer_users WHERE computer_id = $1",
                                                   params));
      std::vector<ComputerUser> users;
      for (const Row& r : rows) {
        const Decoder d(r);
        users.push_back({d.Str(0), d.At(1), d.At(2)});
      }
      SortUnique(users, [](const ComputerUser& u) { return u.user; });
      return users;
    });
  }

  Result<std::vector<Guid>> FindComputersByUser(std::string_view user) override {
    return Read([&](Transaction& tx) -> Result<std::vector<Guid>> {
      const Value params[] = {AsciiLower(user)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows, tx.Query("SELECT computer_id FROM computer_users WHERE user_name = $1"
                              " ORDER BY computer_id",
                              params));
      std::vector<Guid> ids;
      for (const Row& r : rows) {
        Decoder d(r);
        ids.push_back(d.Id(0));
        LOCKBOX_RETURN_IF_ERROR(d.status("a computer_users row"));
      }
      return ids;
    });
  }

  Result<AuditEntry> AppendAudit(const AuditEntry& entry, const AuditHasher& hasher) override {
    return Write([&](Transaction& tx) -> Result<AuditEntry> {
      LOCKBOX_ASSIGN_OR_RETURN(
          auto last, tx.Query("SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1"));
      AuditEntry e = entry;
      e.sequence = last.empty() ? 1 : last[0].Int(0) + 1;
      e.prev_hash = last.empty() ? std::vector<uint8_t>{} : last[0].Bytes(1);
      e.hash = hasher(e);
      const Value row[] = {e.sequence, Seconds(e.time), e.actor,    e.role,   e.source,
                           e.computer, e.key_id,        e.key_type, e.reason, e.end_user,
                           e.result,   e.prev_hash,     e.hash};
      LOCKBOX_RETURN_IF_ERROR(tx.Exec(
          "INSERT INTO audit (sequence, time, actor, role, source, computer, key_id, key_type,"
          " reason, end_user, result, prev_hash, hash)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
          row));
      return e;
    });
  }

  Result<std::vector<AuditEntry>> ReadAudit(int64_t first, size_t max_entries) override {
    return Read([&](Transaction& tx) -> Result<std::vector<AuditEntry>> {
      const Value params[] = {first, Limit(max_entries)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string("SELECT ") + kAuditColumns +
                                                       " FROM audit WHERE sequence >= $1"
                                                       " ORDER BY sequence LIMIT $2",
                                                   params));
      return DecodeAudit(rows);
    });
  }

  Result<std::vector<AuditEntry>> FindAudit(const AuditQuery& query) override {
    // Only the conditions asked for, each with its value bound: Bind() returns its placeholder.
    std::vector<Value> params;
    auto bind = [&params](Value value) {
      params.push_back(std::move(value));
      return "$" + std::to_string(params.size());
    };
    std::string where = "sequence >= " + bind(query.first);
    if (query.since) where += " AND time >= " + bind(Seconds(*query.since));
    if (query.until) where += " AND time < " + bind(Seconds(*query.until));
    if (!query.source.empty()) where += " AND source = " + bind(query.source);
    if (!query.key_type.empty()) where += " AND key_type = " + bind(query.key_type);
    // Prefixes are compared with substr, not LIKE, so that a '%' or '_' typed is itself.
    auto starts_with = [&](std::string_view column, std::string prefix) {
      const std::string length = bind(static_cast<int64_t>(prefix.size()));
      return "substr(" + std::string(column) + ", 1, CAST(" + length +
             " AS INTEGER)) = " + bind(std::move(prefix));
    };
    if (!query.result.empty()) {
      where += " AND (result = " + bind(query.result) + " OR " +
               starts_with("result", query.result + ":") + ")";
    }
    if (!query.user.empty()) {
      const std::string user = bind(AsciiLower(query.user));
      where += " AND (lower(actor) = " + user + " OR lower(end_user) = " + user + ")";
    }
    if (!query.computer.empty()) {
      // The audit log names a computer "NAME (GUID)" (service::AuditName).
      if (auto id = Guid::Parse(query.computer); id.ok()) {
        where += " AND computer LIKE " + bind("%(" + id->ToString() + ")");  // no wildcard in it
      } else {
        where += " AND " + starts_with("lower(computer)", AsciiLower(query.computer) + " (");
      }
    }
    const std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit WHERE " + where +
                            " ORDER BY sequence LIMIT " + bind(Limit(query.max_entries));
    return Read([&](Transaction& tx) -> Result<std::vector<AuditEntry>> {
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
      return DecodeAudit(rows);
    });
  }

  Status RecordCompliance(const ComplianceSnapshot& snapshot) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             const Value row[] = {Seconds(snapshot.day), snapshot.compliant, snapshot.noncompliant,
                                  snapshot.unknown};
             LOCKBOX_RETURN_IF_ERROR(
                 tx.Exec("INSERT INTO compliance_snapshots (day, compliant, noncompliant, unknown)"
                         " VALUES ($1, $2, $3, $4) ON CONFLICT (day) DO UPDATE SET"
                         " compliant = excluded.compliant, noncompliant = excluded.noncompliant,"
                         " unknown = excluded.unknown",
                         row));
             return WriteOutcome::kUpdated;
           })
        .status();
  }

  Result<std::vector<ComplianceSnapshot>> ListCompliance(Time since) override {
    return Read([&](Transaction& tx) -> Result<std::vector<ComplianceSnapshot>> {
      const Value params[] = {Seconds(since)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                               tx.Query("SELECT day, compliant, noncompliant, unknown"
                                        " FROM compliance_snapshots WHERE day >= $1 ORDER BY day",
                                        params));
      std::vector<ComplianceSnapshot> out;
      for (const Row& r : rows) {
        const Decoder d(r);
        out.push_back({d.At(0), r.Int(1), r.Int(2), r.Int(3)});
      }
      return out;
    });
  }

  Status PutSetting(const Setting& setting) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             const Value row[] = {Text(setting.name), Text(setting.value), Text(setting.changed_by),
                                  Seconds(setting.changed_at)};
             LOCKBOX_RETURN_IF_ERROR(
                 tx.Exec("INSERT INTO settings (name, value, changed_by, changed_at)"
                         " VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET"
                         " value = excluded.value, changed_by = excluded.changed_by,"
                         " changed_at = excluded.changed_at",
                         row));
             return WriteOutcome::kUpdated;
           })
        .status();
  }

  Result<std::vector<Setting>> ListSettings() override {
    return Read([&](Transaction& tx) -> Result<std::vector<Setting>> {
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query("SELECT name, value, changed_by, changed_at FROM settings ORDER BY name"));
      std::vector<Setting> out;
      for (const Row& r : rows) {
        const Decoder d(r);
        out.push_back({r.Text(0), r.Text(1), r.Text(2), d.At(3)});
      }
      return out;
    });
  }

  Status CreateUser(const User& user) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             const Value name[] = {Text(user.name)};
             LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                                      tx.Query("SELECT 1 FROM users WHERE name = $1", name));
             if (!rows.empty()) {
               return Status::AlreadyExists("a user named " + user.name +
                                            " exists: choose another name");
             }
             const std::vector<Value> row = UserRow(user);
             LOCKBOX_RETURN_IF_ERROR(tx.Exec(std::string("INSERT INTO users (") + kUserColumns +
                                                 ") VALUES (" + Placeholders(row.size()) + ")",
                                             row));
             return WriteOutcome::kCreated;
           })
        .status();
  }

  Result<User> GetUser(std::string_view name) override {
    return GetOne<User>(
        std::string("SELECT ") + kUserColumns + " FROM users WHERE name = $1", name, DecodeUser,
        [&] { return Status::NotFound("there is no user named " + std::string(name)); });
  }

  Result<std::vector<User>> ListUsers() override {
    return GetAll<User>(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name", {},
                        DecodeUser);
  }

  Status UpdateUser(const User& user) override {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             const std::vector<Value> row = UserRow(user);
             LOCKBOX_ASSIGN_OR_RETURN(
                 auto rows,
                 tx.Query("UPDATE users SET display_name = $2, role = $3, service_account = $4,"
                          " password_hash = $5, must_change_password = $6, disabled = $7,"
                          " failed_logins = $8, locked_until = $9, last_login = $10,"
                          " created_at = $11, password_changed_at = $12, directory = $13"
                          " WHERE name = $1 RETURNING name",
                          row));
             if (rows.empty()) return Status::NotFound("there is no user named " + user.name);
             return WriteOutcome::kUpdated;
           })
        .status();
  }

  Result<User> RecordFailedLogin(std::string_view name, Time now, int64_t max_failures,
                                 std::chrono::seconds lock_for) override {
    return Write([&](Transaction& tx) -> Result<User> {
      const Value params[] = {Text(name), max_failures, Seconds(now + lock_for)};
      // One statement, so that concurrent failures (other threads, other servers) all count.
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query(std::string("UPDATE users SET failed_logins = CASE WHEN failed_logins + 1 >= "
                               "$2 THEN 0 ELSE failed_logins + 1 END,"
                               " locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3"
                               " ELSE locked_until END WHERE name = $1 RETURNING ") +
                       kUserColumns,
                   params));
      if (rows.empty()) return Status::NotFound("there is no user named " + std::string(name));
      return DecodeUser(rows[0]);
    });
  }

  Status RecordLogin(std::string_view name, Time now) override {
    return UpdateOne(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login = $2"
        " WHERE name = $1 RETURNING name",
        name, Seconds(now), Status::NotFound("there is no user named " + std::string(name)));
  }

  Status CreateSession(const Session& session) override {
    return Insert("sessions", kSessionColumns,
                  {Text(session.id), session.token_hash, session.csrf_hash, Text(session.user_name),
                   Text(session.address), Seconds(session.created_at), Seconds(session.last_seen),
                   Seconds(session.expires_at)});
  }

  Result<Session> GetSession(std::string_view id) override {
    return GetOne<Session>(
        std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id = $1", id,
        DecodeSession, [&] { return NotFoundIn(kSessions, id); });
  }

  Result<std::vector<Session>> ListSessions(std::string_view user_name) override {
    return GetAll<Session>(std::string("SELECT ") + kSessionColumns +
                               " FROM sessions WHERE user_name = $1 ORDER BY created_at, id",
                           {Text(user_name)}, DecodeSession);
  }

  Status TouchSession(std::string_view id, Time last_seen) override {
    return Touch(kSessions, id, last_seen);
  }

  Status DeleteSession(std::string_view id) override {
    return UpdateOne("DELETE FROM sessions WHERE id = $1 RETURNING id", id, std::monostate{},
                     NotFoundIn(kSessions, id));
  }

  Result<int64_t> DeleteUserSessions(std::string_view user_name) override {
    return CountRows("DELETE FROM sessions WHERE user_name = $1 RETURNING id", {Text(user_name)});
  }

  Result<int64_t> DeleteExpiredSessions(Time now, Time idle_cutoff) override {
    return CountRows("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2 RETURNING id",
                     {Seconds(now), Seconds(idle_cutoff)});
  }

  Status CreateApiToken(const ApiToken& t) override {
    return Insert("api_tokens", kApiTokenColumns,
                  {Text(t.id), t.token_hash, Text(t.user_name), Text(t.role), Text(t.description),
                   Text(t.created_by), Seconds(t.created_at), Seconds(t.expires_at),
                   Seconds(t.revoked_at), Seconds(t.last_used)},
                  [&](Transaction& tx) {
                    return MustExist(tx, "SELECT 1 FROM users WHERE name = $1", t.user_name,
                                     "user");
                  });
  }

  Result<ApiToken> GetApiToken(std::string_view id) override {
    return GetOne<ApiToken>(
        std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens WHERE id = $1", id,
        DecodeApiToken, [&] { return NotFoundIn(kApiTokens, id); });
  }

  Result<std::vector<ApiToken>> ListApiTokens() override {
    return GetAll<ApiToken>(
        std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens ORDER BY created_at, id", {},
        DecodeApiToken);
  }

  Result<WriteOutcome> RevokeApiToken(std::string_view id, Time at) override {
    return Revoke(kApiTokens, id, at);
  }

  Status TouchApiToken(std::string_view id, Time used_at) override {
    return Touch(kApiTokens, id, used_at);
  }

  Status CreateEnrollmentToken(const EnrollmentToken& t) override {
    return Insert(
        "enrollment_tokens", kEnrollmentTokenColumns,
        {Text(t.id), t.token_hash, Text(t.description), Text(t.created_by), Seconds(t.created_at),
         Seconds(t.expires_at), t.max_uses, t.uses, Seconds(t.revoked_at)});
  }

  Result<EnrollmentToken> GetEnrollmentToken(std::string_view id) override {
    return GetOne<EnrollmentToken>(
        std::string("SELECT ") + kEnrollmentTokenColumns + " FROM enrollment_tokens WHERE id = $1",
        id, DecodeEnrollmentToken, [&] { return NotFoundIn(kEnrollmentTokens, id); });
  }

  Result<std::vector<EnrollmentToken>> ListEnrollmentTokens() override {
    return GetAll<EnrollmentToken>(std::string("SELECT ") + kEnrollmentTokenColumns +
                                       " FROM enrollment_tokens ORDER BY created_at, id",
                                   {}, DecodeEnrollmentToken);
  }

  Result<WriteOutcome> RevokeEnrollmentToken(std::string_view id, Time at) override {
    return Revoke(kEnrollmentTokens, id, at);
  }

  Result<bool> UseEnrollmentToken(std::string_view id, Time now) override {
    LOCKBOX_ASSIGN_OR_RETURN(
        const int64_t taken,
        CountRows("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = $1"
                  " AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses RETURNING id",
                  {Text(id), Seconds(now)}));
    return taken == 1;
  }

  Status CreateMachineCredential(const MachineCredential& c) override {
    std::vector<std::string> revoked;  // the computer's earlier credentials
    Status status =
        Insert("machine_credentials", kMachineCredentialColumns,
               {Text(c.id), c.token_hash, Text(c.computer_id), Text(c.enrollment_token_id),
                Seconds(c.created_at), Seconds(c.revoked_at), Seconds(c.last_used)},
               [&](Transaction& tx) -> Status {
                 LOCKBOX_RETURN_IF_ERROR(ComputerMustExist(tx, c.computer_id));
                 const Value params[] = {Text(c.computer_id), Seconds(c.created_at)};
                 LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                                          tx.Query("UPDATE machine_credentials SET revoked_at = $2"
                                                   " WHERE computer_id = $1 AND revoked_at IS NULL"
                                                   " RETURNING id",
                                                   params));
                 for (const Row& row : rows) revoked.push_back(row.Text(0));
                 return Status::Ok();
               });
    Changed({.credentials = std::move(revoked), .check_ins = {}});
    return status;
  }

  Result<MachineCredential> GetMachineCredential(std::string_view id) override {
    // Every agent request authenticates with this: the statement is composed once.
    static const std::string kSelect = std::string(kMachineCredentialSelect) + " WHERE m.id = $1";
    return ReadThrough(
        &ReadCaches::credentials, &CacheEpochs::credentials, id,
        [](const MachineCredential&) { return true; },
        [&] {
          return GetOne<MachineCredential>(kSelect, id, DecodeMachineCredential,
                                           [&] { return NotFoundIn(kMachineCredentials, id); });
        });
  }

  Result<std::vector<MachineCredential>> ListMachineCredentials(const Guid& computer_id) override {
    return GetAll<MachineCredential>(std::string(kMachineCredentialSelect) +
                                         " WHERE m.computer_id = $1 ORDER BY m.created_at, m.id",
                                     {Text(computer_id)}, DecodeMachineCredential);
  }

  Result<WriteOutcome> RevokeMachineCredential(std::string_view id, Time at) override {
    auto outcome = Revoke(kMachineCredentials, id, at);
    Changed({.credentials = {std::string(id)}, .check_ins = {}});
    return outcome;
  }

  Status RewrapDataKey(const crypto::SecretBytes& new_master_key) override {
    LOCKBOX_ASSIGN_OR_RETURN(auto new_master, crypto::Aead::Create(new_master_key.span()));
    const std::lock_guard<std::mutex> lock(master_mu_);
    LOCKBOX_RETURN_IF_ERROR(internal::RewrapDataKey(*db_, master_, new_master));
    master_ = std::move(new_master);
    return Status::Ok();
  }

  Status Backup(const std::string& destination) override { return db_->Backup(destination); }
  bool ReadsAreLocal() const override { return db_->ReadsAreLocal(); }

  Status Atomically(const std::function<Status()>& body) override {
    return Together(TxMode::kWrite, body);
  }
  Status ReadTogether(const std::function<Status()>& body) override {
    return Together(TxMode::kRead, body);
  }

 private:
  // Runs `body`, and every call it makes to this store on this thread, in one transaction of
  // `mode` (the one already open, if any).
  Status Together(TxMode mode, const std::function<Status()>& body) {
    if (current_transaction.store == this) {
      LOCKBOX_RETURN_IF_ERROR(MayJoin(mode));
      return body();
    }
    CachedChanges changed;
    const CacheEpochs epochs = caches_ ? caches_->Epochs() : CacheEpochs{};
    Status status = db_->Transact(mode, [&](Transaction& tx) -> Status {
      const CurrentTransaction outer = current_transaction;
      current_transaction = {this, &tx, mode, &changed, epochs};
      Status done = body();
      current_transaction = outer;
      return done;
    });
    if (caches_) caches_->Forget(changed);
    return status;
  }

  // GetCheckIn from the database.
  Result<CheckIn> ReadCheckIn(const Guid& computer_id) {
    return Read([&](Transaction& tx) -> Result<CheckIn> {
      // Check-ins are most of the traffic: the computer's row alone answers one, as a stored
      // digest means that none of its keys awaits rotation (ForgetReportOfVolume).
      const Value id[] = {Text(computer_id)};
      LOCKBOX_ASSIGN_OR_RETURN(auto computer,
                               tx.Query("SELECT report_digest FROM computers WHERE id = $1", id));
      if (computer.empty()) {
        return Status::NotFound("no computer " + computer_id.ToString() + " in the store");
      }
      CheckIn check_in;
      if (!computer[0].IsNull(0)) {
        check_in.report_digest = computer[0].Bytes(0);
        return check_in;
      }
      const Value params[] = {Text(computer_id), Name(KeyState::kDisclosed)};
      static const std::string kAwaiting = std::string("SELECT k.key_id") + kKeysOfComputerInState;
      LOCKBOX_ASSIGN_OR_RETURN(auto keys, tx.Query(kAwaiting, params));
      for (const Row& r : keys) {
        LOCKBOX_ASSIGN_OR_RETURN(Guid key_id, Guid::Parse(r.Text(0)));
        check_in.awaiting_rotation.push_back(key_id);
      }
      // Sorted here rather than by the statement, which would need a temporary b-tree.
      std::sort(check_in.awaiting_rotation.begin(), check_in.awaiting_rotation.end(),
                [](const Guid& a, const Guid& b) { return a.ToString() < b.ToString(); });
      return check_in;
    });
  }

  // --- The caches of reads (SQLite only; see "Records in memory" in docs/store.md).

  // After a write that changed what the caches keep: forgets it once the write has committed
  // (or failed). That is now, unless the write joined a transaction (Together), which forgets
  // it when it ends.
  void Changed(const CachedChanges& changed) {
    if (!caches_) return;
    if (current_transaction.store == this) {
      current_transaction.changes->Add(changed);
      return;
    }
    caches_->Forget(changed);
  }
  // Answers from the cache `which` if it holds `id`; else `read()`s, keeping what
  // `worth_keeping`.
  // A write transaction reads past the cache, as it may read its own writes, which may yet be
  // rolled back; a read transaction (ReadTogether) reads a snapshot as old as its start, so
  // what it reads is kept only if nothing was forgotten since then (`epoch` of its epochs).
  // Once another process has written to the store, both caches start again empty.
  template <typename T, typename Keep, typename ReadFn>
  Result<T> ReadThrough(internal::ReadCache<T> ReadCaches::*which, uint64_t CacheEpochs::*epoch,
                        std::string_view id, const Keep& worth_keeping, const ReadFn& read) {
    if (!caches_) return read();
    caches_->CatchUp(db_->OutsideWrites());
    internal::ReadCache<T>* cache = &(*caches_.*which);
    uint64_t began = cache->Epoch();
    if (current_transaction.store == this) {
      if (current_transaction.mode == TxMode::kWrite) return read();
      began = current_transaction.epochs.*epoch;
    }
    if (auto cached = cache->Find(id)) return std::move(*cached);
    Result<T> record = read();
    if (record.ok() && worth_keeping(*record)) cache->Remember(id, *record, began);
    return record;
  }
  // Whether work of `mode` may join the transaction this thread has open: not a write inside
  // ReadTogether.
  static Status MayJoin(TxMode mode) {
    if (mode == TxMode::kWrite && current_transaction.mode == TxMode::kRead) {
      return Status::Internal("a store write was attempted inside ReadTogether, which only reads");
    }
    return Status::Ok();
  }

  // Runs `body` in a transaction (the caller's Atomically or ReadTogether one, if any) and
  // returns what it returned.
  template <typename T>
  Result<T> Run(TxMode mode, const std::function<Result<T>(Transaction&)>& body) {
    if (current_transaction.store == this) {
      LOCKBOX_RETURN_IF_ERROR(MayJoin(mode));
      return body(*current_transaction.tx);
    }
    std::optional<T> out;
    LOCKBOX_RETURN_IF_ERROR(db_->Transact(mode, [&](Transaction& tx) -> Status {
      auto result = body(tx);
      if (!result.ok()) return result.status();
      out = std::move(result).value();
      return Status::Ok();
    }));
    return std::move(*out);
  }
  template <typename F>
  Result<BodyValue<F>> Read(F&& body) {
    return Run<BodyValue<F>>(TxMode::kRead, std::forward<F>(body));
  }
  template <typename F>
  Result<BodyValue<F>> Write(F&& body) {
    return Run<BodyValue<F>>(TxMode::kWrite, std::forward<F>(body));
  }

  // --- Helpers for the account and credential tables.

  // The one row `query` selects by id ($1), decoded, or what `not_found()` says (made only
  // then: every authenticated request reads a credential).
  template <typename T, typename NotFound>
  Result<T> GetOne(std::string_view query, std::string_view id, Result<T> (*decode)(const Row&),
                   const NotFound& not_found) {
    return Read([&](Transaction& tx) -> Result<T> {
      const Value params[] = {Text(id)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(query, params));
      if (rows.empty()) return not_found();
      return decode(rows[0]);
    });
  }

  template <typename T>
  Result<std::vector<T>> GetAll(const std::string& query, const std::vector<Value>& params,
                                Result<T> (*decode)(const Row&)) {
    return Read([&](Transaction& tx) -> Result<std::vector<T>> {
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(query, params));
      return DecodeAll(rows, decode);
    });
  }

  // Inserts `row` into `columns` of `table`, after `check` (run in the same transaction).
  Status Insert(
      const char* table, const char* columns, const std::vector<Value>& row,
      const std::function<Status(Transaction&)>& check = [](Transaction&) {
        return Status::Ok();
      }) {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
             LOCKBOX_RETURN_IF_ERROR(check(tx));
             LOCKBOX_RETURN_IF_ERROR(tx.Exec(std::string("INSERT INTO ") + table + " (" + columns +
                                                 ") VALUES (" + Placeholders(row.size()) + ")",
                                             row));
             return WriteOutcome::kCreated;
           })
        .status();
  }

  // Runs `statement` (which RETURNs a row per row it changed) with `id` as $1 and, unless
  // NULL, `value` as $2; `not_found` when it changed nothing.
  Status UpdateOne(const std::string& statement, std::string_view id, Value value,
                   const Status& not_found) {
    std::vector<Value> params = {Text(id)};
    if (!std::holds_alternative<std::monostate>(value)) params.push_back(std::move(value));
    LOCKBOX_ASSIGN_OR_RETURN(const int64_t changed, CountRows(statement, params));
    return changed == 0 ? not_found : Status::Ok();
  }

  // How many rows `statement` (with a RETURNING clause) returned.
  Result<int64_t> CountRows(const std::string& statement, const std::vector<Value>& params) {
    return Write([&](Transaction& tx) -> Result<int64_t> {
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(statement, params));
      return static_cast<int64_t>(rows.size());
    });
  }

  Status Touch(const CredentialTable& t, std::string_view id, Time at) {
    return UpdateOne(std::string("UPDATE ") + t.table + " SET " + t.used_column +
                         " = $2 WHERE id = $1 RETURNING id",
                     id, Seconds(at), NotFoundIn(t, id));
  }

  Result<WriteOutcome> Revoke(const CredentialTable& t, std::string_view id, Time at) {
    return Write([&](Transaction& tx) -> Result<WriteOutcome> {
      const Value params[] = {Text(id), Seconds(at)};
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows, tx.Query(std::string("SELECT revoked_at FROM ") + t.table + " WHERE id = $1",
                              std::span<const Value>(params, 1)));
      if (rows.empty()) return NotFoundIn(t, id);
      if (!rows[0].IsNull(0)) return WriteOutcome::kUnchanged;
      LOCKBOX_RETURN_IF_ERROR(
          tx.Exec(std::string("UPDATE ") + t.table + " SET revoked_at = $2 WHERE id = $1", params));
      return WriteOutcome::kUpdated;
    });
  }

  // Reads one sealed column (the query's second) and opens it with the binding `bind` makes
  // from the row.
  Result<crypto::SecretBytes> OpenSealed(const char* query, const Guid& id,
                                         const std::string& not_found, const Binder& bind) {
    return Read([&](Transaction& tx) -> Result<crypto::SecretBytes> {
      const Value params[] = {Text(id)};
      LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query(query, params));
      if (rows.empty()) return Status::NotFound(not_found);
      LOCKBOX_ASSIGN_OR_RETURN(const std::string binding, bind(rows[0]));
      return data_.Open(rows[0].Bytes(1), binding);
    });
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<ReadCaches> caches_;  // SQLite only (see the constructor)
  std::mutex master_mu_;
  crypto::Aead master_;  // kept only to re-wrap the data key
  const crypto::Aead data_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url_or_path,
                                         const crypto::SecretBytes& master_key) {
  auto master = crypto::Aead::Create(master_key.span());
  if (!master.ok()) return master.status().WithContext("master key");
  LOCKBOX_ASSIGN_OR_RETURN(auto db, internal::OpenDatabase(url_or_path));
  LOCKBOX_RETURN_IF_ERROR(internal::Migrate(*db));
  LOCKBOX_ASSIGN_OR_RETURN(auto data, internal::LoadDataKey(*db, *master));
  return std::unique_ptr<Store>(
      std::make_unique<SqlStore>(std::move(db), std::move(master).value(), std::move(data)));
}

}  // namespace lockbox::store
