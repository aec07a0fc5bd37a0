// The master key file: 32 random bytes, mode 0600, kept apart from the database (another
// disk, a secrets mount), so a copy of the database alone opens nothing.
#pragma once

#include <string>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::store {

inline constexpr size_t kMasterKeySize = 32;

// Reads the master key. Refuses (kInvalidArgument) a file that is not exactly 32 bytes or
// that its group or others may read or write.
Result<crypto::SecretBytes> LoadMasterKey(const std::string& path);

// Writes a new random master key to `path` with mode 0600 and returns it. Never replaces an
// existing file (kAlreadyExists).
Result<crypto::SecretBytes> CreateMasterKeyFile(const std::string& path);

// Writes `key` to the new file `path` with mode 0600 and syncs it (not its folder). Never
// replaces an existing file (kAlreadyExists); removes what it wrote when writing fails.
Status WriteMasterKeyFile(const std::string& path, const crypto::SecretBytes& key);

}  // namespace lockbox::store
