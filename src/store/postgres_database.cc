// The PostgreSQL backend (libpq): one connection per Database, guarded by a mutex.
//
// Transactions are SERIALIZABLE, so the read-then-write logic of the store (is this key
// already escrowed? what is the last audit entry?) stays correct when several Lockbox servers
// share the database. PostgreSQL reports a collision as a serialisation failure; the whole
// transaction is then rolled back and run again, up to kMaxAttempts times. Parameters and
// results travel in binary form, so bytes need no escaping and integers no parsing.
#include <libpq-fe.h>

#include <array>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "store/database.h"

namespace lockbox::store::internal {
namespace {

constexpr int kMaxAttempts = 20;

// Type OIDs from PostgreSQL's pg_type.dat; stable across versions.
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kVarcharOid = 1043;

struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

// serialization_failure and deadlock_detected: the transaction may simply be run again.
bool IsRetryable(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

int64_t BigEndian(const char* p, int size) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  // Sign-extend values narrower than 64 bits.
  const int shift = 64 - 8 * size;
  return static_cast<int64_t>(v << shift) >> shift;
}

class PostgresTransaction : public Transaction {
 public:
  explicit PostgresTransaction(PGconn* conn) : conn_(conn) {}

  // True when the last failure was one that running the transaction again may cure.
  bool retryable() const { return retryable_; }

  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) override {
    std::vector<Oid> types(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    std::vector<std::array<char, 8>> ints(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        for (int b = 0; b < 8; ++b)
          ints[i][b] = static_cast<char>(static_cast<uint64_t>(*n) >> (56 - 8 * b));
        types[i] = kInt8Oid;
        values[i] = ints[i].data();
        lengths[i] = 8;
        formats[i] = 1;
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        types[i] = kTextOid;
        values[i] = s->data();
        lengths[i] = static_cast<int>(s->size());
        formats[i] = 1;  // binary text is the bytes themselves
      } else if (const auto* b = std::get_if<std::vector<uint8_t>>(&v)) {
        // A null pointer would send NULL: an empty value needs a real (unread) address.
        static const char kNothing = 0;
        types[i] = kByteaOid;
        values[i] = b->empty() ? &kNothing : reinterpret_cast<const char*>(b->data());
        lengths[i] = static_cast<int>(b->size());
        formats[i] = 1;
      }  // NULL: a null pointer, type left for the server to infer
    }
    const std::string text(sql);
    ResultPtr result(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()),
                                  types.data(), values.data(), lengths.data(), formats.data(),
                                  /*resultFormat=*/1));
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failure(result.get());
    return ReadRows(result.get());
  }

 private:
  Status Failure(const PGresult* result) {
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    retryable_ = sqlstate != nullptr && IsRetryable(sqlstate);
    // Only the primary message: the detail can quote row values.
    const std::string message =
        std::string("PostgreSQL: ") + (primary != nullptr ? primary : PQerrorMessage(conn_)) +
        (sqlstate != nullptr ? std::string(" (SQLSTATE ") + sqlstate + ")" : "");
    if (PQstatus(conn_) != CONNECTION_OK ||
        (sqlstate != nullptr && sqlstate[0] == '0' && sqlstate[1] == '8')) {
      return Status::IoError(message + ": check that the database server is running");
    }
    if (retryable_) return Status::IoError(message + ": too many concurrent writers, try again");
    return Status::Internal(message);
  }

  static Result<std::vector<Row>> ReadRows(const PGresult* result) {
    const int rows = PQntuples(result);
    const int cols = PQnfields(result);
    std::vector<Row> out;
    out.reserve(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      std::vector<Value> columns;
      columns.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(result, r, c)) {
          columns.emplace_back(std::monostate{});
          continue;
        }
        const char* data = PQgetvalue(result, r, c);
        const int size = PQgetlength(result, r, c);
        switch (PQftype(result, c)) {
          case kInt8Oid:
          case kInt4Oid:
          case kInt2Oid:
            columns.emplace_back(BigEndian(data, size));
            break;
          case kTextOid:
          case kVarcharOid:
            columns.emplace_back(std::string(data, static_cast<size_t>(size)));
            break;
          case kByteaOid:
            columns.emplace_back(std::vector<uint8_t>(data, data + size));
            break;
          default:
            return Status::Internal("PostgreSQL returned a column of type OID " +
                                    std::to_string(PQftype(result, c)) +
                                    ", which the store does not read");
        }
      }
      out.emplace_back(std::move(columns));
    }
    return out;
  }

  PGconn* conn_;
  bool retryable_ = false;
};

// libpq prints notices ("relation already exists, skipping") to stderr unless told otherwise.
void IgnoreNotice(void*, const char*) {}

class PostgresDatabase : public Database {
 public:
  explicit PostgresDatabase(PGconn* conn) : conn_(conn) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  Status Transact(TxMode mode, const std::function<Status(Transaction&)>& body) override {
    const std::lock_guard<std::mutex> lock(mu_);
    std::minstd_rand jitter(std::random_device{}());
    Status status;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      // A server restart breaks the connection; one reset per transaction heals it.
      if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
      PostgresTransaction connection(conn_);
      Transaction& tx = connection;
      status = tx.Exec(mode == TxMode::kWrite ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                              : "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY");
      if (!status.ok()) return status;
      status = body(tx);
      if (status.ok()) status = tx.Exec("COMMIT");
      if (status.ok()) return status;
      (void)tx.Exec("ROLLBACK");  // the original failure is what matters
      if (!connection.retryable()) return status;
      // Back off a little, randomly, so colliding writers do not collide again in step.
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter() % (5 * attempt) + 1));
    }
    return status;
  }

  bool ReadsAreLocal() const override { return false; }
  uint64_t OutsideWrites() const override { return 0; }

  Status Backup(const std::string&) override {
    return Status::Unsupported(
        "the store is PostgreSQL, which Lockbox does not copy itself: back it up with pg_dump "
        "(e.g. `pg_dump --format=custom --file=lockbox.dump DBNAME`) and keep the master key "
        "apart from the dump");
  }

 private:
  std::mutex mu_;
  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgresDatabase(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  auto db = std::make_unique<PostgresDatabase>(conn);  // finishes `conn` whatever happens
  if (conn == nullptr) return Status::Internal("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names host and port, never the password.
    return Status::IoError(std::string("cannot connect to PostgreSQL: ") + PQerrorMessage(conn));
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace lockbox::store::internal
