// Rotating a data dir's master key without ever leaving the store locked out.
//
// The master key file K (the config's master_key_file) wraps the store's data key. A rotation
// takes four steps, each durable before the next:
//   1. a new random key is written to K.new (mode 0600, synced, its folder synced);
//   2. the store's data key is re-wrapped under it (one committed transaction);
//   3. the old key is copied to K.old-<UTC time of step 1> (0600, synced): backups made
//      before the rotation open only with it;
//   4. K.new is renamed over K and the folder synced.
// K exists throughout. Until step 2 the store opens with K, after it only with K.new, so
// K.new and the store alone tell how far an interrupted rotation got: the next command
// removes a K.new the store does not use, or completes steps 3 and 4 for one it does, and
// says which on stderr. Rotation and completion hold an exclusive lock (flock) on K's folder.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "config/config.h"
#include "store/records.h"
#include "store/store.h"
#include "util/status.h"

namespace lockbox::cli {

// K.new, and K.old-20261201T075222Z for a rotation started at `started`.
std::string NewKeyPath(const std::string& key_path);
std::string RetiredKeyPath(const std::string& key_path, store::Time started);

// Opens the store of `cfg` with its master key file, after dealing with an interrupted
// rotation as above (what it did is written to `notes`).
Result<std::unique_ptr<store::Store>> OpenStoreCompletingRotation(const config::ServerConfig& cfg,
                                                                  std::ostream& notes);

struct RotationResult {
  std::string retired_key_path;  // K.old-...: the key before the rotation
  // True when an interrupted rotation was completed instead of a new one being made.
  bool completed_interrupted = false;
};

// Rotates the master key of `cfg`'s store; completes an interrupted rotation instead, if one
// had already changed the store. Safe while a server runs on the store: it keeps its data key.
Result<RotationResult> RotateMasterKey(const config::ServerConfig& cfg, std::ostream& notes);

}  // namespace lockbox::cli
