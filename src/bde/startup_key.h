// A BitLocker startup key file (.BEK): the external key that opens a startup-key protector.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "crypto/secret.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::bde {

struct StartupKey {
  Guid protector_guid;              // the VMK protector it opens (also the file name)
  std::optional<Guid> volume_guid;  // Windows 11 files name their volume
  crypto::SecretBytes key;          // 32 bytes, opens the protector's VMK directly
};

// Parses the whole file. kCorrupt with the reason for size, version, GUID or entry problems.
Result<StartupKey> ParseStartupKeyFile(std::span<const uint8_t> file);

}  // namespace lockbox::bde
