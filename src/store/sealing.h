// Internal to the store: how secrets are sealed at rest.
//
//   master key (file, 32 bytes) --wraps--> data key (data_keys row 1) --seals--> each secret
//
// Every sealed value is AES-256-GCM with associated data naming the record it belongs to, so
// a sealed blob copied into another row, or another column, fails to open. The data key is
// wrapped the same way ("data_key:1"); rotating the master key re-wraps only that one row.
#pragma once

#include <string>

#include "crypto/aead.h"
#include "crypto/secret.h"
#include "store/database.h"
#include "store/records.h"
#include "util/guid.h"

namespace lockbox::store::internal {

// Associated data for each kind of sealed secret.
std::string RecoveryPasswordBinding(const Guid& key_id, const Guid& volume_id);
std::string KeyPackageBinding(const Guid& key_id, const Guid& volume_id);
std::string TpmOwnerAuthBinding(const Guid& computer_id, Time changed_at);

// The store's data key as an Aead. Unwraps it with `master`, or on a new store makes one
// and stores it wrapped. kWrongKey when `master` is not the key that wrapped it.
Result<crypto::Aead> LoadDataKey(Database& db, const crypto::Aead& master);

// Re-wraps the data key from `old_master` to `new_master` in one transaction.
Status RewrapDataKey(Database& db, const crypto::Aead& old_master, const crypto::Aead& new_master);

}  // namespace lockbox::store::internal
