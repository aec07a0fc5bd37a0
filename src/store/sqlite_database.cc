// The SQLite backend: one writing connection, guarded by a mutex, and a few reading ones.
//
// Reads run on a connection of their own, taken from a small pool: in WAL mode readers see
// the last commit and run beside the writer, also while it syncs, so a check-in or a lookup
// never waits for another request's commit. Every connection maps the file into memory
// (mmap_size), so reading a page costs no system call.
//
// Durability: WAL with synchronous=FULL syncs the log at every commit, so a transaction that
// returned ok survives a power cut. Write transactions start with BEGIN IMMEDIATE, taking the
// write lock up front: two writers never both read and then fail to upgrade (SQLITE_BUSY
// without waiting); they queue on the busy timeout instead.
//
// Group commit: a commit costs one sync of the log (milliseconds on a disk), so write
// transactions that arrive while one is running are run together: the next writer to find no
// group running takes every waiting body, runs each inside its own SAVEPOINT (a body that
// fails is rolled back alone, exactly as its own transaction would be), commits once, and then
// wakes them all. No caller returns before the commit that holds its writes has synced, so
// each write is as durable when acknowledged as without grouping; only the syncs are shared.
//
// Checkpoints: SQLite would copy the log back into the database file inside the COMMIT that
// takes it past 1000 pages, on the writer, holding up every write queued behind it. The
// writer's automatic checkpoint is off instead (its WAL hook only counts pages), and a thread
// of the store's own, on a connection of its own, runs a PASSIVE checkpoint when the log has
// grown past kCheckpointPages or a second after the last commit it has not yet copied, and a
// last one when the store closes. A checkpoint only moves pages that are already synced in
// the log (and syncs the log again first, with synchronous=FULL), so durability is unchanged:
// a commit is acknowledged after the log sync, as before. PASSIVE never waits for readers or
// the writer; what it cannot copy yet, the next one does. When a checkpoint has copied the
// whole log, the writer starts writing the log from its beginning again, so it stays small.
// No checkpoint runs while a transaction commits, in this process or in another: SQLite up
// to 3.51.2 (Debian 12 has 3.40.1) has a race, the WAL-reset bug, in which a checkpoint that
// starts while another connection's commit restarts the log later skips part of a
// transaction, so its pages never reach the file and the store is corrupt. It needs a
// checkpoint beside a busy writer, which is what this design runs: it happened here while
// seeding a million keys on a loaded machine ("database disk image is malformed"). So every
// commit and every checkpoint hold the writers' lock (WriterLock): the writer's mutex in this
// process, and an flock on the store's lock file (lockbox.db-lock) against the others that
// open the same store (the `lockbox` commands an admin runs while the server serves).
// Backup uses SQLite's online backup API in a single step: the copy is the snapshot one read
// transaction sees, while other connections keep writing (WAL lets readers and a writer run
// together). It is written to a temporary file beside the destination and renamed into place
// only when complete and synced.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/database.h"
#include "util/files.h"

namespace lockbox::store::internal {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Connections for reads: enough for the cores of a small server to read at once; a reader
// waits for a free one beyond that.
constexpr size_t kReaders = 4;
// How much of the file each connection maps: a memory-mapped page is read without a copy or
// a system call. Address space only; the kernel shares the pages between connections. SQLite
// maps at most its build's SQLITE_MAX_MMAP_SIZE (2 GiB in Debian's), about a million
// computers' worth of store; pages beyond it are read with pread.
constexpr const char* kMmapPragma = "PRAGMA mmap_size=68719476736";
// A log this long (in 4 KiB pages, 16 MiB) is checkpointed at once, not when the second is
// up. A page written again before its checkpoint is copied once: four times SQLite's own
// threshold (1000) copies each hot page (index roots, the tails of tables) a quarter as often,
// while the log's index still fits in its first hash table (4096 frames), which every page
// read looks up.
constexpr int kCheckpointPages = 4000;
constexpr std::chrono::seconds kCheckpointInterval{1};
// The writer's page cache. A transaction whose changed pages outgrow it writes some of them to
// the log before its commit (a cache spill), out of order, and again if they change once more;
// SQLite's default (2 MiB, some 500 pages) is outgrown by one second's contact times of a busy
// server (a page each) and by a group of 64 reports (some 15 pages each). 128 MiB holds 32,768
// pages; it is memory only as far as the writer uses it.
constexpr const char* kWriterCachePragma = "PRAGMA cache_size=-131072";

// What kind of failure an SQLite result code is, and what to do about it.
Status SqliteError(sqlite3* db, int rc, std::string_view during) {
  std::string message = std::string(during) + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errmsg(db) != nullptr) {
    message += std::string(" (") + sqlite3_errmsg(db) + ")";
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::IoError(message + ": another process held the store for more than " +
                             std::to_string(kBusyTimeoutMs / 1000) + " s; try again");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corrupt(message + ": restore the store from a backup");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IoError(message);
    default:
      return Status::Internal(message);
  }
}

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using ConnectionPtr = std::unique_ptr<sqlite3, ConnectionCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// A prepared statement and where its placeholders $1, $2, ... are bound.
struct Prepared {
  StatementPtr stmt;
  std::vector<int> parameter_index;  // [i]: the bind index of $<i+1>
};

// Prepared statements of one connection, by SQL text: the store runs the same few dozen
// statements over and over, and preparing one costs more than running it.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  // The statement for `sql`, reset and unbound, or why it cannot be prepared.
  Result<const Prepared*> Get(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return &it->second;
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Prepared prepared{.stmt = StatementPtr(raw), .parameter_index = {}};
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "preparing a statement");
    const int count = sqlite3_bind_parameter_count(raw);
    for (int i = 1; i <= count; ++i) {
      const std::string name = "$" + std::to_string(i);
      const int index = sqlite3_bind_parameter_index(raw, name.c_str());
      if (index == 0) return Status::Internal("a statement does not use placeholder " + name);
      prepared.parameter_index.push_back(index);
    }
    return &statements_.emplace(std::string(sql), std::move(prepared)).first->second;
  }

 private:
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };

  sqlite3* db_;
  std::unordered_map<std::string, Prepared, SqlHash, std::equal_to<>> statements_;
};

class SqliteTransaction : public Transaction {
 public:
  SqliteTransaction(sqlite3* db, StatementCache& cache) : db_(db), cache_(cache) {}

  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) override {
    LOCKBOX_ASSIGN_OR_RETURN(const Prepared* prepared, cache_.Get(sql));
    sqlite3_stmt* stmt = prepared->stmt.get();
    // Reset and unbound when done, whatever happened: a statement left stepping would hold
    // the database's read snapshot open.
    struct Reset {
      sqlite3_stmt* stmt;
      ~Reset() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } reset{stmt};
    LOCKBOX_RETURN_IF_ERROR(Bind(*prepared, params));
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) rows.push_back(ReadRow(stmt));
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "running a statement");
    return rows;
  }

 private:
  // Binds params[i] to the placeholder named $<i+1>, wherever the statement uses it.
  Status Bind(const Prepared& prepared, std::span<const Value> params) {
    sqlite3_stmt* stmt = prepared.stmt.get();
    if (prepared.parameter_index.size() != params.size()) {
      return Status::Internal("a statement has " + std::to_string(prepared.parameter_index.size()) +
                              " placeholders but " + std::to_string(params.size()) +
                              " values were given");
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = prepared.parameter_index[i];
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        const auto& b = std::get<std::vector<uint8_t>>(v);
        // A zero-length blob must not be bound from a null pointer (that would be NULL).
        static const uint8_t kNothing = 0;
        rc = sqlite3_bind_blob64(stmt, index, b.empty() ? &kNothing : b.data(), b.size(),
                                 SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "binding $" + std::to_string(i + 1));
    }
    return Status::Ok();
  }

  static Row ReadRow(sqlite3_stmt* stmt) {
    const int n = sqlite3_column_count(stmt);
    std::vector<Value> columns;
    columns.reserve(static_cast<size_t>(n));
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          columns.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_TEXT: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          columns.emplace_back(
              std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          break;
        }
        case SQLITE_BLOB: {
          const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, c));
          columns.emplace_back(std::vector<uint8_t>(data, data + sqlite3_column_bytes(stmt, c)));
          break;
        }
        default:  // NULL; the schema has no REAL columns
          columns.emplace_back(std::monostate{});
      }
    }
    return Row(std::move(columns));
  }

  sqlite3* db_;
  StatementCache& cache_;
};

// A connection and its prepared statements, which are finalized before it closes.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db), statements_(std::in_place, db) {}
  ~Connection() {
    statements_.reset();
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  StatementCache& statements() { return *statements_; }

 private:
  sqlite3* db_;
  std::optional<StatementCache> statements_;
};

// Opens the store file at `path` (which exists) as one more connection: durable commits
// (synchronous=FULL), foreign keys enforced, the file memory-mapped.
Result<std::unique_ptr<Connection>> OpenConnection(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto connection = std::make_unique<Connection>(raw);  // closes `raw` even when opening failed
  if (rc != SQLITE_OK) {
    return SqliteError(raw, rc, "opening store file " + path).WithContext("SQLite");
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  SqliteTransaction connection_tx(raw, connection->statements());
  Transaction& tx = connection_tx;  // outside any transaction: pragmas apply to the connection
  LOCKBOX_RETURN_IF_ERROR(tx.Exec("PRAGMA synchronous=FULL"));
  LOCKBOX_RETURN_IF_ERROR(tx.Exec("PRAGMA foreign_keys=ON"));
  LOCKBOX_RETURN_IF_ERROR(tx.Exec(kMmapPragma));
  return connection;
}

// What commits and checkpoints hold, so that none of them runs beside another (the WAL-reset
// bug, at the top of the file): a mutex for this process and an flock on a lock file for all
// processes. flock locks belong to the open file, so threads of one process do not exclude
// each other with it; the mutex does that.
class WriterLock {
 public:
  // Opens (creating it, 0600) the lock file at `path`.
  static Result<std::unique_ptr<WriterLock>> Open(const std::string& path) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status::IoError("cannot open the store's lock file " + path + ": " +
                             std::strerror(errno));
    }
    return std::unique_ptr<WriterLock>(new WriterLock(fd, path));
  }
  ~WriterLock() { close(fd_); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Held while it lives.
  class Held {
   public:
    explicit Held(WriterLock& lock) : lock_(lock), in_process_(lock.mu_) {
      int rc;
      do rc = flock(lock_.fd_, LOCK_EX);
      while (rc != 0 && errno == EINTR);
      if (rc != 0) {
        status_ = Status::IoError("cannot lock the store's lock file " + lock_.path_ + ": " +
                                  std::strerror(errno));
      }
    }
    ~Held() {
      if (status_.ok()) (void)flock(lock_.fd_, LOCK_UN);
    }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    // Why the lock is not held, if it is not.
    const Status& status() const { return status_; }

   private:
    WriterLock& lock_;
    std::lock_guard<std::mutex> in_process_;
    Status status_{};
  };

 private:
  WriterLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  const int fd_;
  const std::string path_;
  std::mutex mu_;
};

// Copies the log back into the database file on a thread of its own (see the top of the file).
class Checkpointer {
 public:
  // `writers` must outlive the checkpointer.
  Checkpointer(std::unique_ptr<Connection> connection, WriterLock& writers)
      : connection_(std::move(connection)), writers_(writers), thread_([this] { Run(); }) {}
  // Stops the thread after a last checkpoint.
  ~Checkpointer() {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Becomes the WAL hook of the writing connection `db`: SQLite calls it after each commit
  // with the log's length in pages, instead of checkpointing there itself.
  void HookInto(sqlite3* db) {
    sqlite3_wal_hook(
        db,
        [](void* self, sqlite3*, const char*, int pages) {
          static_cast<Checkpointer*>(self)->Committed(pages);
          return SQLITE_OK;
        },
        this);
  }

 private:
  void Committed(int pages) {
    bool now;
    {
      const std::lock_guard<std::mutex> lock(mu_);
      committed_ = true;
      now = pages >= kCheckpointPages && !due_;
      due_ = due_ || now;
    }
    if (now) wake_.notify_one();
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      wake_.wait_for(lock, kCheckpointInterval, [&] { return stop_ || due_; });
      if (!committed_) continue;
      committed_ = false;
      due_ = false;
      lock.unlock();
      Checkpoint();
      lock.lock();
    }
    lock.unlock();
    Checkpoint();
  }

  // Best effort: a checkpoint that fails (SQLITE_BUSY while another one runs, a full disk, the
  // lock file) leaves the pages in the log, where readers find them and the next checkpoint
  // copies them.
  void Checkpoint() {
    const WriterLock::Held held(writers_);
    if (!held.status().ok()) return;
    (void)sqlite3_wal_checkpoint_v2(connection_->db(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                    nullptr);
  }

  std::unique_ptr<Connection> connection_;
  WriterLock& writers_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool committed_ = false;  // a commit since the last checkpoint began
  bool due_ = false;        // the log has passed kCheckpointPages
  std::thread thread_;      // last: starts when everything above is ready
};

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(std::unique_ptr<Connection> writer, std::unique_ptr<WriterLock> writers)
      : writers_(std::move(writers)), writer_(std::move(writer)), db_(writer_->db()) {}

  // Makes the file a WAL store, opens the reading connections and starts the checkpointer.
  Status Configure(const std::string& path) {
    SqliteTransaction connection(db_, writer_->statements());
    Transaction& tx = connection;  // outside any transaction: pragmas apply to the connection
    LOCKBOX_ASSIGN_OR_RETURN(auto mode, tx.Query("PRAGMA journal_mode=WAL"));
    if (mode.empty() || mode[0].Text(0) != "wal") {
      return Status::Unsupported(
          "SQLite could not switch the store to write-ahead logging (is it on a network file "
          "system?): put the store on a local disk");
    }
    // The SAVEPOINT around each write of a group keeps the pages it changes, as they were, in
    // a statement journal, so that a failing write can be rolled back alone. SQLite keeps
    // that journal in memory only up to 64 KiB and then in a temporary file, which a report
    // (some 20 pages) passes: every changed page was written once more, to a file nobody
    // reads, costing a system call each and the disk's bandwidth. In memory it costs a copy.
    LOCKBOX_RETURN_IF_ERROR(tx.Exec("PRAGMA temp_store=MEMORY"));
    LOCKBOX_RETURN_IF_ERROR(tx.Exec(kWriterCachePragma));
    for (size_t i = 0; i < kReaders; ++i) {
      LOCKBOX_ASSIGN_OR_RETURN(auto reader, OpenConnection(path));
      idle_readers_.push_back(reader.get());
      readers_.push_back(std::move(reader));
    }
    LOCKBOX_ASSIGN_OR_RETURN(auto checkpointing, OpenConnection(path));
    {
      // A connection opens the log at its first read, and a checkpoint on one that has not
      // opened it does nothing.
      SqliteTransaction first_read(checkpointing->db(), checkpointing->statements());
      LOCKBOX_RETURN_IF_ERROR(
          static_cast<Transaction&>(first_read).Exec("SELECT 1 FROM sqlite_master LIMIT 1"));
    }
    checkpointer_ = std::make_unique<Checkpointer>(std::move(checkpointing), *writers_);
    checkpointer_->HookInto(db_);  // replaces SQLite's automatic checkpoint on the writer
    return Status::Ok();
  }

  Status Transact(TxMode mode, const std::function<Status(Transaction&)>& body) override {
    if (mode == TxMode::kRead) {
      Connection* reader = TakeReader();
      SqliteTransaction connection(reader->db(), reader->statements());
      Transaction& tx = connection;
      Status status = tx.Exec("BEGIN");
      if (status.ok()) {
        status = body(tx);
        (void)tx.Exec(status.ok() ? "COMMIT" : "ROLLBACK");  // nothing was written either way
      }
      GiveBack(reader);
      return status;
    }
    PendingWrite me{.body = &body};
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (group_running_) {
        group_done_.wait(lock);
        continue;
      }
      group_running_ = true;
      std::vector<PendingWrite*> group;
      group.swap(queue_);
      lock.unlock();
      RunGroup(group);
      lock.lock();
      for (PendingWrite* write : group) write->done = true;
      group_running_ = false;
      group_done_.notify_all();
    }
    return me.status;
  }

  bool ReadsAreLocal() const override { return true; }
  uint64_t OutsideWrites() const override { return outside_writes_.load(); }

  Status Backup(const std::string& destination) override {
    struct stat st {};
    if (lstat(destination.c_str(), &st) == 0) {
      return Status::AlreadyExists(destination +
                                   " exists: choose a new file name for the backup (it never "
                                   "replaces a file)");
    }
    std::string temp = destination + ".partial-XXXXXX";
    std::vector<char> name(temp.begin(), temp.end());
    name.push_back('\0');
    const int fd = mkostemp(name.data(), O_CLOEXEC);  // mode 0600: the copy is as private
    if (fd < 0) {
      return Status::IoError("cannot create a file beside " + destination + ": " +
                             std::strerror(errno));
    }
    temp = name.data();
    Status status = CopyInto(temp);
    if (status.ok() && fsync(fd) != 0) {
      status = Status::IoError("cannot sync " + temp + ": " + std::strerror(errno));
    }
    close(fd);
    if (status.ok()) status = RenameNoReplace(temp, destination);
    if (!status.ok()) {
      unlink(temp.c_str());
      return status;
    }
    return SyncFolderOf(destination);
  }

 private:
  struct PendingWrite {
    const std::function<Status(Transaction&)>* body = nullptr;
    Status status{};
    bool done = false;
  };

  Connection* TakeReader() {
    std::unique_lock<std::mutex> lock(readers_mu_);
    reader_free_.wait(lock, [&] { return !idle_readers_.empty(); });
    Connection* reader = idle_readers_.back();
    idle_readers_.pop_back();
    return reader;
  }
  void GiveBack(Connection* reader) {
    {
      const std::lock_guard<std::mutex> lock(readers_mu_);
      idle_readers_.push_back(reader);
    }
    reader_free_.notify_one();
  }

  // Runs `group` in one write transaction, each body in its own savepoint, and sets each one's
  // status: its own failure, or the commit's.
  void RunGroup(const std::vector<PendingWrite*>& group) {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto fail_all = [&](const Status& status) {
      for (PendingWrite* write : group) {
        if (write->status.ok()) write->status = status;
      }
    };
    const WriterLock::Held held(*writers_);  // no checkpoint beside this commit
    if (!held.status().ok()) return fail_all(held.status());
    SqliteTransaction connection(db_, writer_->statements());
    Transaction& tx = connection;
    if (Status begun = tx.Exec("BEGIN IMMEDIATE"); !begun.ok()) return fail_all(begun);
    if (Status seen = SeeOutsideWrites(tx); !seen.ok()) {
      (void)tx.Exec("ROLLBACK");
      return fail_all(seen);
    }
    for (PendingWrite* write : group) {
      if (Status saved = tx.Exec("SAVEPOINT lockbox_write"); !saved.ok()) {
        (void)tx.Exec("ROLLBACK");
        return fail_all(saved);
      }
      write->status = (*write->body)(tx);
      if (write->status.ok()) {
        write->status = tx.Exec("RELEASE lockbox_write");
        continue;
      }
      if (sqlite3_get_autocommit(db_) != 0) {
        // SQLite rolled the whole transaction back (a full disk, an I/O error): the bodies
        // before this one were lost with it.
        return fail_all(write->status);
      }
      (void)tx.Exec("ROLLBACK TO lockbox_write");
      (void)tx.Exec("RELEASE lockbox_write");
    }
    if (Status committed = tx.Exec("COMMIT"); !committed.ok()) {
      (void)tx.Exec("ROLLBACK");
      fail_all(committed);
    }
  }

  // Moves outside_writes_ if another connection committed since the writer's last
  // transaction. Only the writer commits in this process (readers read, and a PASSIVE
  // checkpoint moves pages, not data), so such a commit is another process's. SQLite's
  // data_version of a connection changes exactly when another connection committed.
  Status SeeOutsideWrites(Transaction& tx) {
    LOCKBOX_ASSIGN_OR_RETURN(auto rows, tx.Query("PRAGMA data_version"));
    if (rows.empty()) return Status::Internal("PRAGMA data_version gave no value");
    const int64_t version = rows[0].Int(0);
    if (data_version_ && *data_version_ != version) outside_writes_.fetch_add(1);
    data_version_ = version;
    return Status::Ok();
  }

  // Copies the database into the (empty) SQLite file at `path`, leaving it one
  // self-contained file.
  Status CopyInto(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    ConnectionPtr copy(raw);
    if (rc != SQLITE_OK) return SqliteError(raw, rc, "opening the backup file " + path);
    {
      const std::lock_guard<std::mutex> lock(mu_);
      sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", db_, "main");
      if (backup == nullptr) {
        return SqliteError(copy.get(), sqlite3_errcode(copy.get()), "starting the backup");
      }
      // -1: every page in one step, so the copy is one consistent snapshot.
      for (int waited_ms = 0;; waited_ms += 50) {
        rc = sqlite3_backup_step(backup, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited_ms >= kBusyTimeoutMs) break;
        sqlite3_sleep(50);
      }
      const int finished = sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE) return SqliteError(copy.get(), rc, "copying the store");
      if (finished != SQLITE_OK) return SqliteError(copy.get(), finished, "finishing the backup");
    }
    // The store is in WAL mode and the copy would be too: a copy without a -wal file beside
    // it is what a backup should be.
    {
      StatementCache statements(copy.get());  // finalized before the copy closes
      SqliteTransaction connection(copy.get(), statements);
      Transaction& tx = connection;
      LOCKBOX_RETURN_IF_ERROR(tx.Exec("PRAGMA journal_mode=DELETE"));
    }
    rc = sqlite3_close(copy.release());
    if (rc != SQLITE_OK) return SqliteError(nullptr, rc, "closing the backup file " + path);
    return Status::Ok();
  }

  // First, so that it outlives every connection and the checkpointer.
  std::unique_ptr<WriterLock> writers_;
  // Readers are declared after the writer so that they close first.
  std::mutex mu_;  // the writing connection and its statements
  std::unique_ptr<Connection> writer_;
  sqlite3* db_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex readers_mu_;
  std::condition_variable reader_free_;
  std::vector<Connection*> idle_readers_;
  // Write transactions waiting for the next group, and whether a group is running.
  std::mutex queue_mu_;
  std::condition_variable group_done_;
  std::vector<PendingWrite*> queue_;
  bool group_running_ = false;
  // The writer's data_version at its last transaction (under mu_), and OutsideWrites.
  std::optional<int64_t> data_version_;
  std::atomic<uint64_t> outside_writes_{0};
  // Last, so it stops (after its last checkpoint) before any connection closes.
  std::unique_ptr<Checkpointer> checkpointer_;
};

// SQLite creates a missing file with the umask's permissions, and its WAL and shared-memory
// files copy the database file's: creating it 0600 first keeps all three private.
Status CreatePrivateFile(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IoError("cannot create store file " + path + ": " + std::strerror(errno));
  }
  close(fd);
  return Status::Ok();
}

// Process-wide settings, made before SQLite's first use. Memory statistics off: with them on,
// every allocation SQLite makes takes one global mutex, which readers on several threads
// contend for (a check-in's reads allocate some 20 times). Nothing here reads those figures.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path) {
  ConfigureSqliteOnce();
  LOCKBOX_RETURN_IF_ERROR(CreatePrivateFile(path));
  LOCKBOX_ASSIGN_OR_RETURN(auto writers, WriterLock::Open(path + "-lock"));
  LOCKBOX_ASSIGN_OR_RETURN(auto writer, OpenConnection(path));
  auto db = std::make_unique<SqliteDatabase>(std::move(writer), std::move(writers));
  LOCKBOX_RETURN_IF_ERROR(db->Configure(path));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace lockbox::store::internal
