#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "util/files.h"

namespace lockbox::cli {
namespace {

Status ErrnoStatus(const std::string& what, int err) {
  const std::string message = what + ": " + std::strerror(err);
  return err == ENOENT ? Status::NotFound(message) : Status::IoError(message);
}

std::string BaseNameOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<OutputFile> OutputFile::Open(const std::string& path, bool force) {
  OutputFile out;
  out.display_name_ = path == "-" ? "stdout" : path;
  if (path == "-") {
    if (isatty(STDOUT_FILENO)) {
      return Status::InvalidArgument(
          "refusing to write a volume to the terminal: redirect stdout or use -o FILE");
    }
    out.fd_ = STDOUT_FILENO;
    return out;
  }
  if (path.empty()) return Status::InvalidArgument("the output path is empty");

  struct stat st {};
  const bool exists = stat(path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return ErrnoStatus("cannot inspect " + path, errno);
  if (exists && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument(path + " is a folder: give the output file's name");
    }
    if (S_ISBLK(st.st_mode) && !force) {
      return Status::AlreadyExists(path +
                                   " is a block device: pass --force to overwrite its contents");
    }
    if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
      return Status::InvalidArgument(path + " is neither a file nor a device nor a pipe");
    }
    out.fd_ = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (out.fd_ < 0) return ErrnoStatus("cannot open " + path + " for writing", errno);
    out.owns_fd_ = true;
    return out;
  }
  if (exists && !force) {
    return Status::AlreadyExists(path + " exists: pass --force to replace it");
  }

  std::string temp = FolderOf(path) + "/." + BaseNameOf(path) + ".lockbox-XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  const int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot create a file beside " + path, errno);
  out.fd_ = fd;
  out.owns_fd_ = true;
  out.temp_path_ = name.data();
  out.final_path_ = path;
  out.replace_existing_ = exists;
  return out;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owns_fd_(std::exchange(other.owns_fd_, false)),
      committed_(other.committed_),
      final_path_(std::move(other.final_path_)),
      temp_path_(std::exchange(other.temp_path_, "")),
      replace_existing_(other.replace_existing_),
      display_name_(std::move(other.display_name_)) {}

OutputFile::~OutputFile() {
  if (owns_fd_ && fd_ >= 0) close(fd_);
  if (!committed_ && !temp_path_.empty()) unlink(temp_path_.c_str());
}

Status OutputFile::Commit() {
  if (final_path_.empty()) {
    // Devices and pipes: flush what can be flushed; fsync on a pipe or /dev/null is EINVAL.
    if (fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
      return ErrnoStatus("cannot flush " + display_name_, errno);
    }
    committed_ = true;
    return Status::Ok();
  }
  if (fsync(fd_) != 0) return ErrnoStatus("cannot flush " + temp_path_, errno);
  const int fd = std::exchange(fd_, -1);
  if (close(fd) != 0) return ErrnoStatus("cannot close " + temp_path_, errno);
  if (replace_existing_) {
    if (rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      return ErrnoStatus("cannot rename the finished output to " + final_path_, errno);
    }
  } else {
    const Status moved = RenameNoReplace(temp_path_, final_path_);
    if (moved.code() == ErrorCode::kAlreadyExists) {
      return Status::AlreadyExists(final_path_ +
                                   " was created by someone else meanwhile: pass --force to "
                                   "replace it");
    }
    LOCKBOX_RETURN_IF_ERROR(moved);
  }
  committed_ = true;
  // The rename is durable only once the folder's entry is on disk; it is made, so a failure
  // to sync the folder is not reported as a failed write.
  (void)SyncFolderOf(final_path_);
  return Status::Ok();
}

}  // namespace lockbox::cli
