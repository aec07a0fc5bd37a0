#include "util/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lockbox {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status RenameNoReplace(const std::string& from, const std::string& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EINVAL || errno == ENOSYS) {
      if (link(from.c_str(), to.c_str()) == 0) {
        unlink(from.c_str());
        return Status::Ok();
      }
    }
    if (errno == EEXIST) return Status::AlreadyExists(to + " exists");
    return Status::IoError("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status SyncFolderOf(const std::string& path) {
  const std::string folder = FolderOf(path);
  const int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + folder + ": " + std::strerror(errno));
  const int synced = fsync(fd);
  const int err = errno;
  close(fd);
  if (synced != 0) return Status::IoError("cannot sync " + folder + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace lockbox
