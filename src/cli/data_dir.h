// A server's data dir as the commands that work on it (serve, backup, audit verify, the
// offline administration) open it: its config, and its store opened with its master key.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "service/roles.h"
#include "store/store.h"
#include "util/status.h"

namespace lockbox::cli {

struct DataDir {
  config::ServerConfig config;
  std::unique_ptr<store::Store> store;
};

// Loads DIR/lockbox.toml and opens the store it names.
Result<DataDir> OpenDataDir(const std::string& data_dir);

// Who the audit log names for changes made by these commands: an admin, source api.
service::Actor LocalAdministrator();

// Opens the store `cfg` names with its master key file, first completing or undoing an
// interrupted master key rotation (master_key_rotation.h), which it reports on stderr.
Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const config::ServerConfig& cfg);

}  // namespace lockbox::cli
