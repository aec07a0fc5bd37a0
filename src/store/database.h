// Internal to the store: the small SQL interface both backends (SQLite, PostgreSQL) provide,
// so that the schema and every query are written once (sql_store.cc, schema.cc).
//
// Statements are single SQL statements with PostgreSQL-style placeholders $1, $2, ...; values
// are always bound, never spliced into the text. The SQL is the common subset of both
// databases; types are BIGINT, TEXT and BYTEA (SQLite stores blobs unchanged in a column it
// gives NUMERIC affinity, as it does BYTEA).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/status.h"

namespace lockbox::store::internal {

// A bound parameter or a result column: NULL, integer, text or bytes.
using Value = std::variant<std::monostate, int64_t, std::string, std::vector<uint8_t>>;

// One result row. Reading a column as another type than it holds gives the empty value: the
// schema is ours, so that is a bug the tests catch rather than a condition to handle.
class Row {
 public:
  explicit Row(std::vector<Value> columns) : columns_(std::move(columns)) {}
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(columns_.at(i)); }
  int64_t Int(size_t i) const;
  const std::string& Text(size_t i) const;
  const std::vector<uint8_t>& Bytes(size_t i) const;

 private:
  std::vector<Value> columns_;
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs one statement and returns its rows (none for statements that return none).
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         std::span<const Value> params = {}) = 0;
  Status Exec(std::string_view sql, std::span<const Value> params = {}) {
    return Query(sql, params).status();
  }
};

enum class TxMode { kRead, kWrite };

// The current time as stored in the schema's BIGINT time columns (seconds since the epoch).
int64_t NowSeconds();

class Database {
 public:
  virtual ~Database() = default;
  // Runs `body` in one transaction, committing when it returns ok and rolling back otherwise.
  // Write transactions are serialised; SQLite runs read transactions beside them, on
  // connections of their own, each seeing the last commit. When
  // concurrent writers collide (a PostgreSQL serialisation failure) the transaction is rolled
  // back and `body` runs again, so `body` must act only through the Transaction.
  virtual Status Transact(TxMode mode, const std::function<Status(Transaction&)>& body) = 0;
  // Store::Backup: a consistent copy of the database in the new file `destination`.
  virtual Status Backup(const std::string& destination) = 0;
  // Store::ReadsAreLocal.
  virtual bool ReadsAreLocal() const = 0;
  // A count that moves when this database finds that another process (another connection to
  // the same SQLite file) has committed since its own last write; it looks when it writes.
  // What was read from it before may be stale then. PostgreSQL: always 0 (its stores keep no
  // reads, being shared by several servers).
  virtual uint64_t OutsideWrites() const = 0;
};

// SQLite file at `path` (created with mode 0600 if absent): WAL, synchronous=FULL,
// foreign keys on, a 5 s busy timeout.
Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path);
// PostgreSQL at libpq connection URI `url`; transactions are SERIALIZABLE.
Result<std::unique_ptr<Database>> OpenPostgresDatabase(const std::string& url);
// Either of the above, chosen by the form of `url_or_path`.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url_or_path);

}  // namespace lockbox::store::internal
