#include "cli/data_dir.h"

#include <iostream>

#include "cli/master_key_rotation.h"

namespace lockbox::cli {

Result<DataDir> OpenDataDir(const std::string& data_dir) {
  DataDir dir;
  LOCKBOX_ASSIGN_OR_RETURN(dir.config, config::LoadConfig(config::ConfigPathFor(data_dir)));
  LOCKBOX_ASSIGN_OR_RETURN(dir.store, OpenConfiguredStore(dir.config));
  return dir;
}

service::Actor LocalAdministrator() {
  return {.name = "local administrator (lockbox command line)",
          .role = service::Role::kAdmin,
          .source = service::Source::kApi,
          .address = "",
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const config::ServerConfig& cfg) {
  return OpenStoreCompletingRotation(cfg, std::cerr);
}

}  // namespace lockbox::cli
