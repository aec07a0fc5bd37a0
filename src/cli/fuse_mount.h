// Serving a volume's plaintext as one read-only file on a FUSE mount (libfuse3).
//
//   LOCKBOX_RETURN_IF_ERROR(ServeAsFile(*decrypted, {.mountpoint = "/mnt/x"}));
//
// blocks until the mount is removed (`fusermount3 -u /mnt/x`) or the process gets SIGINT /
// SIGTERM. Reads are served from several FUSE threads at once, so `volume` must be
// thread-safe (every BlockReader is).
#pragma once

#include <string>

#include "bde/block_reader.h"
#include "util/status.h"

namespace lockbox::cli {

struct MountOptions {
  std::string mountpoint;             // an existing folder
  std::string file_name = "bde.img";  // the one file in the mount
  bool foreground = false;            // false: detach once mounted (like other FUSE tools)
};

// kInvalidArgument when the mount point is not a folder; kIoError when mounting fails (no
// /dev/fuse, not permitted, already mounted).
Status ServeAsFile(const bde::BlockReader& volume, const MountOptions& options);

}  // namespace lockbox::cli
