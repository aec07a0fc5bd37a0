#include "cli/master_key_rotation.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "crypto/secret.h"
#include "store/master_key.h"
#include "util/files.h"
#include "util/text.h"
#include "util/utc_time.h"

namespace lockbox::cli {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

// An exclusive flock on the folder holding the master key file, released when destroyed.
class KeyFolderLock {
 public:
  static Result<KeyFolderLock> Take(const std::string& key_path, bool wait) {
    const std::string folder = FolderOf(key_path);
    KeyFolderLock lock(open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (lock.fd_ < 0) {
      return Status::IoError("cannot open " + folder + ": " + std::strerror(errno));
    }
    while (flock(lock.fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
      if (errno == EINTR) continue;
      if (errno == EWOULDBLOCK) {
        return Status::IoError("another `lockbox rotate-master-key` is working on " + folder +
                               ": wait for it to finish");
      }
      return Status::IoError("cannot lock " + folder + ": " + std::strerror(errno));
    }
    return lock;
  }
  KeyFolderLock(KeyFolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  KeyFolderLock& operator=(KeyFolderLock&&) = delete;
  ~KeyFolderLock() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  explicit KeyFolderLock(int fd) : fd_(fd) {}
  int fd_;
};

Result<std::unique_ptr<store::Store>> OpenWith(const config::ServerConfig& cfg,
                                               const std::string& key_path) {
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes key, store::LoadMasterKey(key_path));
  return store::OpenStore(cfg.ResolvePath(cfg.store), key);
}

// Steps 3 and 4: keeps `old_key` as K.old-<time K.new was written> and moves K.new to K.
// Running it again after an interruption finds its own K.old-... and goes on.
Result<std::string> Retire(const std::string& key_path, const crypto::SecretBytes& old_key) {
  const std::string next = NewKeyPath(key_path);
  struct stat st {};
  if (stat(next.c_str(), &st) != 0) {
    return Status::IoError("cannot stat " + next + ": " + std::strerror(errno));
  }
  const std::string retired =
      RetiredKeyPath(key_path, store::Time(std::chrono::seconds(st.st_mtim.tv_sec)));
  const Status written = store::WriteMasterKeyFile(retired, old_key);
  if (written.code() == ErrorCode::kAlreadyExists) {
    LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes there, store::LoadMasterKey(retired));
    if (!crypto::ConstantTimeEqual(there.span(), old_key.span())) {
      return Status::AlreadyExists(retired + " exists and holds another key: move it away and " +
                                   "run `lockbox rotate-master-key` again to finish");
    }
  } else {
    LOCKBOX_RETURN_IF_ERROR(written);
  }
  LOCKBOX_RETURN_IF_ERROR(SyncFolderOf(retired));
  if (rename(next.c_str(), key_path.c_str()) != 0) {
    return Status::IoError("cannot rename " + next + " to " + key_path + ": " +
                           std::strerror(errno));
  }
  LOCKBOX_RETURN_IF_ERROR(SyncFolderOf(key_path));
  return retired;
}

struct Resolved {
  std::unique_ptr<store::Store> store;  // opened with K as it is now
  std::optional<std::string> retired;   // set when an interrupted rotation was completed
};

// With the lock held and K.new present: removes K.new if the store does not use it, or
// completes the rotation if it does.
Result<Resolved> ResolveInterrupted(const config::ServerConfig& cfg, const std::string& key_path,
                                    std::ostream& notes) {
  const std::string next = NewKeyPath(key_path);
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes old_key, store::LoadMasterKey(key_path));
  auto with_old = store::OpenStore(cfg.ResolvePath(cfg.store), old_key);
  if (with_old.ok()) {
    // Stopped before step 2: K.new never wrapped anything.
    if (unlink(next.c_str()) != 0) {
      return Status::IoError("cannot remove " + next + ": " + std::strerror(errno));
    }
    LOCKBOX_RETURN_IF_ERROR(SyncFolderOf(next));
    notes << "lockbox: " << next << " was left by an interrupted `lockbox rotate-master-key`"
          << " that had not changed the store (it still opens with " << key_path
          << "); removed it. The master key was not rotated.\n";
    return Resolved{std::move(with_old).value(), std::nullopt};
  }
  if (with_old.status().code() != ErrorCode::kWrongKey) return with_old.status();
  auto with_new = OpenWith(cfg, next);
  if (!with_new.ok()) {
    if (with_new.status().code() != ErrorCode::kWrongKey) return with_new.status();
    return Status::WrongKey("neither " + key_path + " nor " + next +
                            " opens the store: put back the master key file it was last " +
                            "re-wrapped with (from your key backup)");
  }
  LOCKBOX_ASSIGN_OR_RETURN(std::string retired, Retire(key_path, old_key));
  notes << "lockbox: completed an interrupted `lockbox rotate-master-key`: the store had been "
        << "re-wrapped under " << next << ", which is now " << key_path << ". The old key is in "
        << retired << ": destroy it once no backup needs it.\n";
  return Resolved{std::move(with_new).value(), std::move(retired)};
}

}  // namespace

std::string NewKeyPath(const std::string& key_path) { return key_path + ".new"; }

std::string RetiredKeyPath(const std::string& key_path, store::Time started) {
  // 2026-12-01T07:52:22Z -> 20261201T075222Z: no ':' (scp and others read it as host:path).
  std::string stamp = FormatUtc(started);
  std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });
  return key_path + ".old-" + stamp;
}

Result<std::unique_ptr<store::Store>> OpenStoreCompletingRotation(const config::ServerConfig& cfg,
                                                                  std::ostream& notes) {
  const std::string key_path = cfg.ResolvePath(cfg.master_key_file);
  if (!Exists(NewKeyPath(key_path))) {
    auto opened = OpenWith(cfg, key_path);
    // A rotation may have passed step 2 since K.new was looked for.
    if (opened.ok() || opened.status().code() != ErrorCode::kWrongKey ||
        !Exists(NewKeyPath(key_path))) {
      return opened;
    }
  }
  // A rotation is running or was interrupted: wait for it, then see what it left.
  LOCKBOX_ASSIGN_OR_RETURN(KeyFolderLock lock, KeyFolderLock::Take(key_path, /*wait=*/true));
  if (!Exists(NewKeyPath(key_path))) return OpenWith(cfg, key_path);
  LOCKBOX_ASSIGN_OR_RETURN(Resolved resolved, ResolveInterrupted(cfg, key_path, notes));
  return std::move(resolved.store);
}

Result<RotationResult> RotateMasterKey(const config::ServerConfig& cfg, std::ostream& notes) {
  const std::string key_path = cfg.ResolvePath(cfg.master_key_file);
  const std::string next = NewKeyPath(key_path);
  LOCKBOX_ASSIGN_OR_RETURN(KeyFolderLock lock, KeyFolderLock::Take(key_path, /*wait=*/false));
  std::unique_ptr<store::Store> db;
  if (Exists(next)) {
    LOCKBOX_ASSIGN_OR_RETURN(Resolved resolved, ResolveInterrupted(cfg, key_path, notes));
    if (resolved.retired) return RotationResult{*resolved.retired, true};
    db = std::move(resolved.store);
  } else {
    LOCKBOX_ASSIGN_OR_RETURN(db, OpenWith(cfg, key_path));
  }
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes old_key, store::LoadMasterKey(key_path));

  // Step 1.
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes new_key, store::CreateMasterKeyFile(next));
  Status synced = SyncFolderOf(next);
  struct stat st {};
  if (synced.ok() && stat(next.c_str(), &st) == 0 &&
      Exists(RetiredKeyPath(key_path, store::Time(std::chrono::seconds(st.st_mtim.tv_sec))))) {
    synced = Status::AlreadyExists(
        "the master key was rotated less than a second ago: wait a "
        "second and run the command again");
  }
  if (!synced.ok()) {
    unlink(next.c_str());  // the store does not use it yet
    return synced;
  }
  // Step 2. Whether a failed commit changed the store is unknown, so K.new stays for the next
  // command to sort out.
  const Status rewrapped = db->RewrapDataKey(new_key);
  if (!rewrapped.ok()) {
    return rewrapped.WithContext("re-wrapping the data key failed; " + next +
                                 " is kept, and the next lockbox command on this data dir " +
                                 "completes or undoes the rotation");
  }
  // Steps 3 and 4.
  auto retired = Retire(key_path, old_key);
  if (!retired.ok()) {
    return retired.status().WithContext("the store is re-wrapped under " + next +
                                        ", but the key files were not switched; the next "
                                        "lockbox command on this data dir finishes that");
  }
  return RotationResult{std::move(retired).value(), false};
}

}  // namespace lockbox::cli
