// OutputFile: where `lockbox bde decrypt -o OUT` writes, such that a failed or interrupted run
// never leaves something under OUT that looks like a finished result.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto out, OutputFile::Open(path, force));
//   ... write(out.fd(), ...) sequentially ...
//   LOCKBOX_RETURN_IF_ERROR(out.Commit());   // without Commit(), the destructor cleans up
//
// - a regular file (new, or existing with `force`): written under a temporary name in the
//   same folder (mode 0600: the content is a decrypted volume), fsynced, then renamed over
//   OUT. Without `force` the rename refuses to replace a file that appeared meanwhile.
// - "-": standard output (refused when it is a terminal).
// - an existing character device or FIFO (/dev/null, a named pipe): written in place.
// - an existing block device: written in place, only with `force` (it destroys its data).
#pragma once

#include <string>

#include "util/status.h"

namespace lockbox::cli {

class OutputFile {
 public:
  // kAlreadyExists for an existing regular file or block device without `force`;
  // kInvalidArgument for stdout on a terminal or an unusable kind of file;
  // kIoError / kNotFound when the file or its folder cannot be created.
  static Result<OutputFile> Open(const std::string& path, bool force);

  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // removes the temporary file unless committed

  int fd() const { return fd_; }
  // What the user called it ("stdout" for "-").
  const std::string& display_name() const { return display_name_; }

  // Flushes to stable storage and, for a regular file, moves the temporary file to its name.
  Status Commit();

 private:
  OutputFile() = default;

  int fd_ = -1;
  bool owns_fd_ = false;
  bool committed_ = false;
  std::string final_path_;  // "" unless written through a temporary file
  std::string temp_path_;
  bool replace_existing_ = false;
  std::string display_name_;
};

}  // namespace lockbox::cli
