#include "cli/fuse_mount.h"

#define FUSE_USE_VERSION 31
#include <fcntl.h>
#include <fuse.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <span>

namespace lockbox::cli {
namespace {

// What the FUSE callbacks serve; reached through fuse_get_context()->private_data.
struct ServedFile {
  const bde::BlockReader* volume;
  std::string path;  // "/" + file name
  uid_t uid;
  gid_t gid;
  time_t mount_time;
};

const ServedFile& Served() {
  return *static_cast<const ServedFile*>(fuse_get_context()->private_data);
}

int GetAttr(const char* path, struct stat* st, fuse_file_info* /*fi*/) {
  const ServedFile& served = Served();
  std::memset(st, 0, sizeof *st);
  st->st_uid = served.uid;
  st->st_gid = served.gid;
  st->st_atime = st->st_mtime = st->st_ctime = served.mount_time;
  if (std::strcmp(path, "/") == 0) {
    st->st_mode = S_IFDIR | 0555;
    st->st_nlink = 2;
    return 0;
  }
  if (path != served.path) return -ENOENT;
  st->st_mode = S_IFREG | 0444;
  st->st_nlink = 1;
  st->st_size = static_cast<off_t>(served.volume->size_bytes());
  st->st_blksize = 4096;
  st->st_blocks = static_cast<blkcnt_t>((served.volume->size_bytes() + 511) / 512);
  return 0;
}

int ReadDir(const char* path, void* buf, fuse_fill_dir_t filler, off_t /*offset*/,
            fuse_file_info* /*fi*/, fuse_readdir_flags /*flags*/) {
  if (std::strcmp(path, "/") != 0) return -ENOTDIR;
  filler(buf, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  filler(buf, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  filler(buf, Served().path.c_str() + 1, nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  return 0;
}

int Open(const char* path, fuse_file_info* fi) {
  if (path != Served().path) return -ENOENT;
  if ((fi->flags & O_ACCMODE) != O_RDONLY) return -EROFS;
  fi->keep_cache = 1;  // the plaintext never changes while mounted
  return 0;
}

int Read(const char* /*path*/, char* buf, size_t size, off_t offset, fuse_file_info* /*fi*/) {
  const bde::BlockReader& volume = *Served().volume;
  if (offset < 0) return -EINVAL;
  const uint64_t start = static_cast<uint64_t>(offset);
  if (start >= volume.size_bytes()) return 0;
  const size_t length = static_cast<size_t>(std::min<uint64_t>(size, volume.size_bytes() - start));
  const Status status =
      volume.ReadAt(start, std::span<uint8_t>(reinterpret_cast<uint8_t*>(buf), length));
  if (!status.ok()) return -EIO;
  return static_cast<int>(length);
}

void* Init(fuse_conn_info* /*conn*/, fuse_config* config) {
  // The file's size and content are fixed: let the kernel cache attributes and pages.
  config->kernel_cache = 1;
  config->attr_timeout = 3600;
  config->entry_timeout = 3600;
  return fuse_get_context()->private_data;
}

// Owns the libfuse objects of one mount and releases them in reverse order.
class FuseMount {
 public:
  ~FuseMount() {
    if (handlers_set_) fuse_remove_signal_handlers(fuse_get_session(fuse_));
    if (mounted_) fuse_unmount(fuse_);
    if (fuse_ != nullptr) fuse_destroy(fuse_);
    fuse_opt_free_args(&args_);
  }

  Status Run(ServedFile* served, const MountOptions& options) {
    fuse_operations ops{};
    ops.getattr = GetAttr;
    ops.readdir = ReadDir;
    ops.open = Open;
    ops.read = Read;
    ops.init = Init;
    for (const char* arg :
         {"lockbox", "-o", "ro,default_permissions,fsname=lockbox,subtype=lockbox"}) {
      if (fuse_opt_add_arg(&args_, arg) != 0) return Status::Internal("out of memory");
    }
    fuse_ = fuse_new(&args_, &ops, sizeof ops, served);
    if (fuse_ == nullptr) return Status::Internal("libfuse rejected the mount options");
    if (fuse_mount(fuse_, options.mountpoint.c_str()) != 0) {
      return Status::IoError("cannot mount on " + options.mountpoint +
                             ": check that /dev/fuse exists, fusermount3 is installed and the "
                             "folder is not already a mount point");
    }
    mounted_ = true;
    if (fuse_daemonize(options.foreground ? 1 : 0) != 0) {
      return Status::IoError("cannot detach into the background");
    }
    if (fuse_set_signal_handlers(fuse_get_session(fuse_)) != 0) {
      return Status::Internal("cannot install signal handlers");
    }
    handlers_set_ = true;
    // A positive result is the signal that ended the loop: a normal way to stop.
    if (fuse_loop_mt(fuse_, 0) < 0) return Status::IoError("the FUSE session failed");
    return Status::Ok();
  }

 private:
  fuse_args args_ = FUSE_ARGS_INIT(0, nullptr);
  fuse* fuse_ = nullptr;
  bool mounted_ = false;
  bool handlers_set_ = false;
};

}  // namespace

Status ServeAsFile(const bde::BlockReader& volume, const MountOptions& options) {
  struct stat st {};
  if (stat(options.mountpoint.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(options.mountpoint + " is not a folder: create it first");
  }
  ServedFile served{&volume, "/" + options.file_name, getuid(), getgid(), std::time(nullptr)};
  FuseMount mount;
  return mount.Run(&served, options);
}

}  // namespace lockbox::cli
