// File-system steps for writing files that must survive a crash: a new file becomes visible
// under its name only once complete (rename), and that name is durable only once its folder
// is synced.
#pragma once

#include <string>

#include "util/status.h"

namespace lockbox {

// A file descriptor closed on every path out of its scope.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The folder part of `path` ("." when there is none).
std::string FolderOf(const std::string& path);

// Moves `from` to `to`, refusing (kAlreadyExists) if `to` exists, atomically against a
// concurrent creator: RENAME_NOREPLACE, or link() + unlink() where the file system lacks it.
Status RenameNoReplace(const std::string& from, const std::string& to);

// Makes the creations and renames in the folder holding `path` durable.
Status SyncFolderOf(const std::string& path);

}  // namespace lockbox
