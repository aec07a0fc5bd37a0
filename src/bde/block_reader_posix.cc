#include "bde/block_reader.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lockbox::bde {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

class FileBlockReader final : public BlockReader {
 public:
  FileBlockReader(int fd, uint64_t size_bytes, std::string path)
      : fd_(fd), size_bytes_(size_bytes), path_(std::move(path)) {}
  ~FileBlockReader() override { ::close(fd_); }
  FileBlockReader(const FileBlockReader&) = delete;
  FileBlockReader& operator=(const FileBlockReader&) = delete;

  uint64_t size_bytes() const override { return size_bytes_; }

  Status ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    LOCKBOX_RETURN_IF_ERROR(CheckReadRange(offset, out.size(), size_bytes_, path_));
    size_t done = 0;
    while (done < out.size()) {
      const uint64_t at = offset + done;
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(at));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError("reading " + path_ + " at offset " + std::to_string(at) +
                               " failed: " + ErrnoText(errno));
      }
      if (n == 0) {
        // The file shrank after it was opened.
        return Status::IoError("reading " + path_ + " at offset " + std::to_string(at) +
                               " hit the end of the file early: was it truncated?");
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t size_bytes_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<BlockReader>> OpenBlockReader(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::IoError("cannot open " + path + ": " + ErrnoText(error));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return Status::IoError("cannot stat " + path + ": " + ErrnoText(error));
  }
  uint64_t size_bytes = 0;
  if (S_ISREG(st.st_mode)) {
    size_bytes = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    if (::ioctl(fd, BLKGETSIZE64, &size_bytes) != 0) {
      const int error = errno;
      ::close(fd);
      return Status::IoError("cannot get the size of block device " + path + ": " +
                             ErrnoText(error));
    }
  } else {
    ::close(fd);
    return Status::InvalidArgument(path + " is neither a regular file nor a block device");
  }
  return std::unique_ptr<BlockReader>(std::make_unique<FileBlockReader>(fd, size_bytes, path));
}

}  // namespace lockbox::bde
