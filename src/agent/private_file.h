// Files only this machine's agent may read: the machine credential, the queue key and the
// sealed state. Folders are 0700, files 0600, and a file is replaced whole or not at all
// (a temporary file, fsync, rename, fsync of the folder), so a kill at any moment leaves
// either the old content or the new. On Windows (private_file_windows.cc) the folder's access
// list takes the place of the modes (SYSTEM and Administrators only, inherited by its files),
// and each file is sealed with DPAPI under the machine's key.
#pragma once

#include <string>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::agent {

// Creates `path` (mode 0700) if needed; an existing folder others may enter is refused.
Status EnsurePrivateFolder(const std::string& path);

// kNotFound when absent; kPermissionDenied when group or others may read it (the message
// says to chmod 600).
Result<crypto::SecretBytes> ReadPrivateFile(const std::string& path);

// Replaces `path` atomically and durably with `bytes` (mode 0600).
Status WritePrivateFile(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace lockbox::agent
