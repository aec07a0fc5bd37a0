#include "agent/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/files.h"

namespace lockbox::agent {
namespace {

Status Errno(const std::string& what, const std::string& path, int error) {
  return Status::IoError(what + " " + path + ": " + std::strerror(error));
}

}  // namespace

Status EnsurePrivateFolder(const std::string& path) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Errno("cannot create the agent's state folder", path, errno);
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Errno("cannot read", path, errno);
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + " is not a folder");
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("the agent's state folder " + path +
                                    " may be entered by others: chmod 700 it");
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> ReadPrivateFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Errno("cannot open", path, errno);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Errno("cannot read", path, errno);
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied(path + " may be read by others: chmod 600 it");
  }
  if (st.st_size > (16 << 20)) return Status::Corrupt(path + " is larger than 16 MiB");
  crypto::SecretBytes bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", path, errno);
    if (n == 0) return Status::IoError(path + " became shorter while being read");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

Status WritePrivateFile(const std::string& path, std::span<const uint8_t> bytes) {
  const std::string temp = path + ".new";
  {
    UniqueFd fd(open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return Errno("cannot create", temp, errno);
    if (fchmod(fd.get(), 0600) != 0) return Errno("cannot chmod", temp, errno);
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("cannot write", temp, errno);
      done += static_cast<size_t>(n);
    }
    if (fsync(fd.get()) != 0) return Errno("cannot flush", temp, errno);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) return Errno("cannot replace", path, errno);
  return SyncFolderOf(path);
}

}  // namespace lockbox::agent
