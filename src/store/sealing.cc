#include "store/sealing.h"

#include "crypto/random.h"

namespace lockbox::store::internal {
namespace {

// The one data key; the id leaves room for data-key rotation later.
constexpr int64_t kDataKeyId = 1;
constexpr const char* kDataKeyBinding = "data_key:1";

Status WrongMasterKey() {
  return Status::WrongKey(
      "the master key does not open this store's data key: use the master key file this store "
      "was created (or last re-wrapped) with");
}

}  // namespace

std::string RecoveryPasswordBinding(const Guid& key_id, const Guid& volume_id) {
  return "recovery_password:" + key_id.ToString() + ":" + volume_id.ToString();
}

std::string KeyPackageBinding(const Guid& key_id, const Guid& volume_id) {
  return "key_package:" + key_id.ToString() + ":" + volume_id.ToString();
}

std::string TpmOwnerAuthBinding(const Guid& computer_id, Time changed_at) {
  return "tpm_owner_auth:" + computer_id.ToString() + ":" +
         std::to_string(changed_at.time_since_epoch().count());
}

Result<crypto::Aead> LoadDataKey(Database& db, const crypto::Aead& master) {
  crypto::SecretBytes data_key;
  const Status status = db.Transact(TxMode::kWrite, [&](Transaction& tx) -> Status {
    const Value id[] = {kDataKeyId};
    LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                             tx.Query("SELECT wrapped FROM data_keys WHERE id = $1", id));
    if (!rows.empty()) {
      auto opened = master.Open(rows[0].Bytes(0), kDataKeyBinding);
      if (opened.status().code() == ErrorCode::kWrongKey) return WrongMasterKey();
      LOCKBOX_RETURN_IF_ERROR(opened);
      data_key = std::move(opened).value();
      return Status::Ok();
    }
    data_key = crypto::SecretBytes(crypto::Aead::kKeySize);
    LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(data_key.span()));
    LOCKBOX_ASSIGN_OR_RETURN(auto wrapped, master.Seal(data_key.span(), kDataKeyBinding));
    const Value row[] = {kDataKeyId, std::move(wrapped), NowSeconds()};
    return tx.Exec("INSERT INTO data_keys (id, wrapped, created_at) VALUES ($1, $2, $3)", row);
  });
  if (!status.ok()) return status;
  return crypto::Aead::Create(data_key.span());
}

Status RewrapDataKey(Database& db, const crypto::Aead& old_master, const crypto::Aead& new_master) {
  return db.Transact(TxMode::kWrite, [&](Transaction& tx) -> Status {
    const Value id[] = {kDataKeyId};
    LOCKBOX_ASSIGN_OR_RETURN(auto rows,
                             tx.Query("SELECT wrapped FROM data_keys WHERE id = $1", id));
    if (rows.empty()) return Status::Corrupt("the store has no data key: restore it from a backup");
    auto data_key = old_master.Open(rows[0].Bytes(0), kDataKeyBinding);
    if (data_key.status().code() == ErrorCode::kWrongKey) return WrongMasterKey();
    LOCKBOX_RETURN_IF_ERROR(data_key);
    LOCKBOX_ASSIGN_OR_RETURN(auto wrapped, new_master.Seal(data_key->span(), kDataKeyBinding));
    const Value row[] = {std::move(wrapped), NowSeconds(), kDataKeyId};
    return tx.Exec("UPDATE data_keys SET wrapped = $1, rewrapped_at = $2 WHERE id = $3", row);
  });
}

}  // namespace lockbox::store::internal
