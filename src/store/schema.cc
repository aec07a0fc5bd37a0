// The store's schema, as an ordered list of migrations. A released migration is never edited:
// a change to the schema is a new migration at the end of the list.
//
// Conventions (docs/store.md describes the tables): GUIDs are TEXT in canonical lower-case
// form; times are BIGINT seconds since the Unix epoch; enums are TEXT names (records.cc);
// sealed secrets are BYTEA (nonce || ciphertext || tag). Statements stay in the SQL that both
// SQLite and PostgreSQL accept.
#include "store/schema.h"

#include <string>
#include <vector>

#include "store/search.h"

namespace lockbox::store::internal {
namespace {

struct Migration {
  int version;
  const char* description;
  std::vector<const char*> statements;
  // Run after the statements, in the same transaction: fills in what SQL cannot compute the
  // same way in both databases.
  Status (*backfill)(Transaction& tx) = nullptr;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "computers, volumes, recovery keys, key packages, TPM owner auth, users, audit",
       {
           // The data key that seals every secret, wrapped by the master key.
           "CREATE TABLE data_keys ("
           " id BIGINT PRIMARY KEY,"
           " wrapped BYTEA NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " rewrapped_at BIGINT)",

           "CREATE TABLE computers ("
           " id TEXT PRIMARY KEY,"
           " name TEXT NOT NULL,"
           " domain TEXT NOT NULL,"
           " os TEXT NOT NULL,"
           " last_contact BIGINT)",
           "CREATE INDEX computers_by_name ON computers (lower(name))",

           "CREATE TABLE computer_hardware_ids ("
           " computer_id TEXT NOT NULL REFERENCES computers (id) ON DELETE CASCADE,"
           " hardware_id TEXT NOT NULL,"
           " PRIMARY KEY (computer_id, hardware_id))",
           "CREATE INDEX computer_hardware_ids_by_id ON computer_hardware_ids (hardware_id)",

           "CREATE TABLE volumes ("
           " id TEXT PRIMARY KEY,"
           " computer_id TEXT NOT NULL REFERENCES computers (id),"
           " drive_letter TEXT NOT NULL,"
           " type TEXT NOT NULL,"
           " description TEXT NOT NULL,"
           " encryption_method TEXT NOT NULL,"
           " protection TEXT NOT NULL,"
           " conversion TEXT NOT NULL)",
           "CREATE INDEX volumes_by_computer ON volumes (computer_id)",

           "CREATE TABLE volume_protectors ("
           " volume_id TEXT NOT NULL REFERENCES volumes (id) ON DELETE CASCADE,"
           " protector_id TEXT NOT NULL,"
           " type TEXT NOT NULL,"
           " PRIMARY KEY (volume_id, protector_id))",

           // key_hex: the key ID as 32 lower-case hex digits, so that a typed prefix is a
           // range scan on its index (key_hex >= 'prefix' AND key_hex < 'prefix' || 'g').
           "CREATE TABLE recovery_keys ("
           " key_id TEXT PRIMARY KEY,"
           " key_hex TEXT NOT NULL,"
           " volume_id TEXT NOT NULL REFERENCES volumes (id),"
           " created_at BIGINT,"
           " state TEXT NOT NULL,"
           " verification TEXT NOT NULL,"
           " escrowed_at BIGINT NOT NULL,"
           " source TEXT NOT NULL,"
           " state_changed_at BIGINT,"
           " sealed_password BYTEA NOT NULL)",
           "CREATE UNIQUE INDEX recovery_keys_by_hex ON recovery_keys (key_hex)",
           "CREATE INDEX recovery_keys_by_volume ON recovery_keys (volume_id)",

           "CREATE TABLE key_packages ("
           " key_id TEXT PRIMARY KEY REFERENCES recovery_keys (key_id),"
           " volume_id TEXT NOT NULL,"
           " stored_at BIGINT NOT NULL,"
           " sealed_package BYTEA NOT NULL)",

           "CREATE TABLE tpm_owner_auth ("
           " computer_id TEXT PRIMARY KEY REFERENCES computers (id),"
           " changed_at BIGINT NOT NULL,"
           " sealed_auth BYTEA NOT NULL)",

           "CREATE TABLE computer_users ("
           " computer_id TEXT NOT NULL REFERENCES computers (id) ON DELETE CASCADE,"
           " user_name TEXT NOT NULL,"
           " first_seen BIGINT NOT NULL,"
           " last_seen BIGINT NOT NULL,"
           " PRIMARY KEY (computer_id, user_name))",
           "CREATE INDEX computer_users_by_user ON computer_users (user_name)",

           // Append-only: the store has no statement that updates or deletes a row here.
           "CREATE TABLE audit ("
           " sequence BIGINT PRIMARY KEY,"
           " time BIGINT NOT NULL,"
           " actor TEXT NOT NULL,"
           " role TEXT NOT NULL,"
           " source TEXT NOT NULL,"
           " computer TEXT NOT NULL,"
           " key_id TEXT NOT NULL,"
           " key_type TEXT NOT NULL,"
           " reason TEXT NOT NULL,"
           " end_user TEXT NOT NULL,"
           " result TEXT NOT NULL,"
           " prev_hash BYTEA NOT NULL,"
           " hash BYTEA NOT NULL)",
       }},
      {2,
       "users, sessions, API tokens, enrollment tokens, machine credentials",
       {
           // Booleans are BIGINT 0/1. Nothing here is a usable secret: passwords are argon2id
           // hashes, tokens the SHA-256 of their text.
           "CREATE TABLE users ("
           " name TEXT PRIMARY KEY,"
           " display_name TEXT NOT NULL,"
           " role TEXT NOT NULL,"
           " service_account BIGINT NOT NULL,"
           " password_hash TEXT NOT NULL,"
           " must_change_password BIGINT NOT NULL,"
           " disabled BIGINT NOT NULL,"
           " failed_logins BIGINT NOT NULL,"
           " locked_until BIGINT,"
           " last_login BIGINT,"
           " created_at BIGINT NOT NULL,"
           " password_changed_at BIGINT)",

           "CREATE TABLE sessions ("
           " id TEXT PRIMARY KEY,"
           " token_hash BYTEA NOT NULL,"
           " csrf_hash BYTEA NOT NULL,"
           " user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
           " address TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " last_seen BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL)",
           "CREATE INDEX sessions_by_user ON sessions (user_name)",

           "CREATE TABLE api_tokens ("
           " id TEXT PRIMARY KEY,"
           " token_hash BYTEA NOT NULL,"
           " user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
           " role TEXT NOT NULL,"
           " description TEXT NOT NULL,"
           " created_by TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " revoked_at BIGINT,"
           " last_used BIGINT)",
           "CREATE INDEX api_tokens_by_user ON api_tokens (user_name)",

           "CREATE TABLE enrollment_tokens ("
           " id TEXT PRIMARY KEY,"
           " token_hash BYTEA NOT NULL,"
           " description TEXT NOT NULL,"
           " created_by TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " max_uses BIGINT NOT NULL,"
           " uses BIGINT NOT NULL,"
           " revoked_at BIGINT)",

           "CREATE TABLE machine_credentials ("
           " id TEXT PRIMARY KEY,"
           " token_hash BYTEA NOT NULL,"
           " computer_id TEXT NOT NULL REFERENCES computers (id) ON DELETE CASCADE,"
           " enrollment_token_id TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " revoked_at BIGINT,"
           " last_used BIGINT)",
           "CREATE INDEX machine_credentials_by_computer ON machine_credentials (computer_id)",
       }},
      {3,
       "search words of computer names and volume descriptions",
       {
           // See search.h. volume_id is '' for the word of the computer's name.
           "CREATE TABLE search_words ("
           " word_hex TEXT NOT NULL,"
           " computer_id TEXT NOT NULL REFERENCES computers (id) ON DELETE CASCADE,"
           " volume_id TEXT NOT NULL)",
           "CREATE UNIQUE INDEX search_words_by_word ON search_words"
           " (word_hex, computer_id, volume_id)",
           "CREATE INDEX search_words_by_computer ON search_words (computer_id, volume_id)",
           "CREATE INDEX search_words_by_volume ON search_words (volume_id)",
       },
       BackfillSearchWords},
      {4,
       "the digest of each computer's last report, for check-ins that change nothing",
       {"ALTER TABLE computers ADD COLUMN report_digest BYTEA"}},
      {5,
       "audit by time and key state for the reports; daily compliance snapshots",
       {
           "CREATE INDEX audit_by_time ON audit (time)",
           "CREATE INDEX recovery_keys_by_state ON recovery_keys (state, state_changed_at)",
           // day: midnight UTC, seconds since the epoch.
           "CREATE TABLE compliance_snapshots ("
           " day BIGINT PRIMARY KEY,"
           " compliant BIGINT NOT NULL,"
           " noncompliant BIGINT NOT NULL,"
           " unknown BIGINT NOT NULL)",
       }},
      {6,
       "runtime settings an admin changes over the config's defaults",
       {
           // value: the service's text form (service/settings.h); changed_by: the admin.
           "CREATE TABLE settings ("
           " name TEXT PRIMARY KEY,"
           " value TEXT NOT NULL,"
           " changed_by TEXT NOT NULL,"
           " changed_at BIGINT NOT NULL)",
       }},
      {7,
       "users signed in through a directory (Active Directory)",
       {"ALTER TABLE users ADD COLUMN directory TEXT NOT NULL DEFAULT ''"}},
      {8,
       "one index fewer to write for each search word",
       // A volume's words are deleted through search_words_by_computer (its computer is
       // known), so the index by volume only cost a page write per word.
       {"DROP INDEX search_words_by_volume"}},
      {9,
       "check-ins read a computer's volumes and awaited rotations from indexes alone",
       // A check-in looks up the volumes of its computer and their disclosed keys: with the
       // columns it reads in the indexes, neither lookup visits the table's rows.
       {
           "CREATE INDEX volumes_by_computer_with_id ON volumes (computer_id, id)",
           "DROP INDEX volumes_by_computer",
           "CREATE INDEX recovery_keys_by_volume_state ON recovery_keys (volume_id, state, key_id)",
           "DROP INDEX recovery_keys_by_volume",
       }},
      {10,
       "a computer with a key awaiting rotation keeps no report digest",
       // From now on the store keeps it so (sql_store.cc, ForgetReportOfVolume), and a check-in
       // reads the computer's row alone; digests stored before beside a disclosed key go.
       {"UPDATE computers SET report_digest = NULL WHERE report_digest IS NOT NULL AND id IN"
        " (SELECT v.computer_id FROM volumes v JOIN recovery_keys k ON k.volume_id = v.id"
        " WHERE k.state = 'disclosed')"}},
      {11,
       "contact times in a table of their own, many to a page",
       // Every check-in moves its computer's contact time: in computers' rows (some 30 to a
       // page) a second of check-ins at a million computers dirtied about a page each; here
       // (several hundred to a page) they share pages. slot: the computer's row in
       // computer_contacts (INTEGER PRIMARY KEY: in SQLite the row's own key, no index);
       // existing computers get theirs in the order of their IDs, the order contacts are
       // written in (service::ContactRecorder).
       {
           "CREATE TABLE computer_contacts ("
           " slot INTEGER PRIMARY KEY,"
           " last_contact BIGINT)",
           "ALTER TABLE computers ADD COLUMN contact_slot BIGINT",
           "UPDATE computers SET contact_slot = n.slot FROM"
           " (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS slot FROM computers) AS n"
           " WHERE computers.id = n.id",
           "INSERT INTO computer_contacts (slot, last_contact)"
           " SELECT contact_slot, last_contact FROM computers",
           "CREATE UNIQUE INDEX computers_by_contact_slot ON computers (contact_slot)",
           "ALTER TABLE computers DROP COLUMN last_contact",
       }},
      {12,
       "search words lose their index by computer",
       // The words of what a computer or volume had before are deleted each by its own key,
       // through the index by word (search.cc), so the index by computer only cost a page
       // write per word. Drive letters ("C:"), which stores written before commit 41e879b
       // (2026-12-01) hold as words of volumes, go too: nothing would find them to delete
       // later.
       {"DROP INDEX search_words_by_computer"},
       DeleteDriveLetterWords},
      {13,
       "recovery keys lose their index by hex digits",
       // A typed prefix is a range of key IDs (sql_store.cc, FindRecoveryKeys): the key ID's
       // own index answers it, in the same order, so the one on key_hex only cost a page
       // write per escrowed key. The column stays, written as before.
       {"DROP INDEX recovery_keys_by_hex"}},
  };
  return kMigrations;
}

Result<int> CurrentVersion(Transaction& tx) {
  LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT MAX(version) FROM schema_version"));
  return rows.empty() || rows[0].IsNull(0) ? 0 : static_cast<int>(rows[0].Int(0));
}

Result<int> ReadVersion(Database& db) {
  int version = 0;
  LOCKBOX_RETURN_IF_ERROR(db.Transact(TxMode::kRead, [&](Transaction& tx) -> Status {
    LOCKBOX_ASSIGN_OR_RETURN(version, CurrentVersion(tx));
    return Status::Ok();
  }));
  return version;
}

Status CreateVersionTable(Database& db) {
  return db.Transact(TxMode::kWrite, [](Transaction& tx) {
    return tx.Exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version BIGINT PRIMARY KEY,"
        " description TEXT NOT NULL,"
        " applied_at BIGINT NOT NULL)");
  });
}

Status Apply(Database& db, const Migration& m) {
  return db.Transact(TxMode::kWrite, [&](Transaction& tx) -> Status {
    LOCKBOX_ASSIGN_OR_RETURN(const int current, CurrentVersion(tx));
    if (current >= m.version) return Status::Ok();  // another server was first
    for (const char* statement : m.statements) LOCKBOX_RETURN_IF_ERROR(tx.Exec(statement));
    if (m.backfill != nullptr) LOCKBOX_RETURN_IF_ERROR(m.backfill(tx));
    const Value params[] = {int64_t{m.version}, std::string(m.description), NowSeconds()};
    return tx.Exec(
        "INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)",
        params);
  });
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(Database& db) {
  // Two servers creating the table at once: one of them fails, and finds it made.
  if (Status created = CreateVersionTable(db); !created.ok()) {
    LOCKBOX_RETURN_IF_ERROR(CreateVersionTable(db).WithContext("creating schema_version"));
  }
  LOCKBOX_ASSIGN_OR_RETURN(const int current, ReadVersion(db));
  if (current > LatestSchemaVersion()) {
    return Status::Unsupported("the store is at schema version " + std::to_string(current) +
                               ", newer than this Lockbox knows (" +
                               std::to_string(LatestSchemaVersion()) +
                               "): upgrade Lockbox before opening it");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    if (Status applied = Apply(db, m); !applied.ok()) {
      // The same race for a migration: fine if someone else applied it meanwhile.
      LOCKBOX_ASSIGN_OR_RETURN(const int now, ReadVersion(db));
      if (now < m.version) {
        return applied.WithContext("applying schema migration " + std::to_string(m.version));
      }
    }
  }
  return Status::Ok();
}

}  // namespace lockbox::store::internal
