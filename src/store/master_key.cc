#include "store/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/random.h"
#include "util/files.h"

namespace lockbox::store {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<crypto::SecretBytes> LoadMasterKey(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return Errno("cannot open master key file", path);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Errno("cannot stat master key file", path);
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("master key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::InvalidArgument("master key file " + path +
                                   " is readable or writable by group or others: chmod 600 it "
                                   "(and consider the key exposed)");
  }
  if (st.st_size != static_cast<off_t>(kMasterKeySize)) {
    return Status::InvalidArgument("master key file " + path + " has " +
                                   std::to_string(st.st_size) + " bytes, a master key has " +
                                   std::to_string(kMasterKeySize) + ": is this the right file?");
  }
  crypto::SecretBytes key(kMasterKeySize);
  size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = read(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot read master key file", path);
    done += static_cast<size_t>(n);
  }
  return key;
}

Result<crypto::SecretBytes> CreateMasterKeyFile(const std::string& path) {
  crypto::SecretBytes key(kMasterKeySize);
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(key.span()));
  LOCKBOX_RETURN_IF_ERROR(WriteMasterKeyFile(path, key));
  return key;
}

Status WriteMasterKeyFile(const std::string& path, const crypto::SecretBytes& key) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists("master key file " + path +
                                   " exists: refusing to replace a key that may seal a store");
    }
    return Errno("cannot create master key file", path);
  }
  size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = write(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const Status status = Errno("cannot write master key file", path);
      unlink(path.c_str());
      return status;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) {
    const Status status = Errno("cannot sync master key file", path);
    unlink(path.c_str());
    return status;
  }
  return Status::Ok();
}

}  // namespace lockbox::store
