#include "bde/unlock.h"

#include <array>
#include <utility>

#include "bde/entries.h"
#include "crypto/aes_ccm.h"
#include "crypto/key_stretch.h"
#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/text.h"

namespace lockbox::bde {
namespace {

// Key datum methods (the u32 after the datum's 8-byte header).
constexpr uint32_t kVmkDatumMethod = 0x2003;
constexpr uint32_t kValidationHashMethod = 0x2005;
constexpr size_t kVmkBytes = 32;
constexpr uint16_t kKeyValueType = 0x1;

// The key bytes of an opened AES-CCM blob, after checking that its datum header describes
// exactly this plaintext, a key, with `method` and `key_size` bytes. The tag already proved
// the bytes came from someone holding the key, so a mismatch means a damaged or foreign
// volume, not a wrong key.
Result<crypto::SecretBytes> KeyFromDatum(const crypto::SecretBytes& datum, const char* what,
                                         uint32_t method, size_t key_size) {
  if (datum.size() < kKeyDatumHeaderSize) {
    return Status::Corrupt(std::string("the decrypted ") + what + " is only " +
                           std::to_string(datum.size()) + " bytes");
  }
  const uint16_t size = LoadLe16(datum.data());
  const uint16_t value_type = LoadLe16(datum.data() + 4);
  const uint32_t datum_method = LoadLe32(datum.data() + 8);
  if (size != datum.size() || value_type != kKeyValueType) {
    return Status::Corrupt(std::string("the decrypted ") + what + " has a bad header (size " +
                           std::to_string(size) + " for " + std::to_string(datum.size()) +
                           " bytes, value type " + Hex(value_type) + ")");
  }
  if (datum_method != method) {
    return Status::Corrupt(std::string("the decrypted ") + what + " has method " +
                           Hex(datum_method) + ", expected " + Hex(method));
  }
  if (datum.size() - kKeyDatumHeaderSize != key_size) {
    return Status::Corrupt(std::string("the decrypted ") + what + " holds " +
                           std::to_string(datum.size() - kKeyDatumHeaderSize) +
                           " key bytes, expected " + std::to_string(key_size));
  }
  return crypto::SecretBytes(datum.span().subspan(kKeyDatumHeaderSize));
}

// The protection type a key can open, per key kind.
uint16_t ProtectionFor(KeyMaterial::Kind kind) {
  switch (kind) {
    case KeyMaterial::Kind::kRecoveryPassword:
      return static_cast<uint16_t>(ProtectionType::kRecoveryPassword);
    case KeyMaterial::Kind::kPassword:
      return static_cast<uint16_t>(ProtectionType::kPassword);
    case KeyMaterial::Kind::kStartupKey:
      return static_cast<uint16_t>(ProtectionType::kStartupKey);
    case KeyMaterial::Kind::kClearKey:
      return static_cast<uint16_t>(ProtectionType::kClearKey);
  }
  return 0xffff;
}

// Why a protector could not be tried, when no key of its kind can ever open it here.
const char* SkipReason(uint16_t protection) {
  switch (static_cast<ProtectionType>(protection)) {
    case ProtectionType::kTpm:
      return "skipped: TPM protectors need the PC's TPM";
    case ProtectionType::kTpmAndPin:
      return "skipped: TPM+PIN protectors need the PC's TPM";
    case ProtectionType::kSmartCard:
      return "skipped: smart-card protectors need the card";
    case ProtectionType::kClearKey:
    case ProtectionType::kStartupKey:
    case ProtectionType::kRecoveryPassword:
    case ProtectionType::kPassword:
      return nullptr;
  }
  return "skipped: unknown protector type";
}

const char* NotGivenReason(uint16_t protection) {
  switch (static_cast<ProtectionType>(protection)) {
    case ProtectionType::kStartupKey:
      return "not tried: no matching startup key (.BEK) given";
    case ProtectionType::kRecoveryPassword:
      return "not tried: no recovery password given";
    case ProtectionType::kPassword:
      return "not tried: no password given";
    default:
      return "not tried";
  }
}

// Stretched keys already computed in this call: a stretch costs ~0.1 s and two protectors
// could share a salt.
class StretchCache {
 public:
  explicit StretchCache(uint64_t rounds) : rounds_(rounds) {}

  const crypto::SecretBytes& Get(size_t key_index, const crypto::SecretBytes& initial_hash,
                                 const std::array<uint8_t, 16>& salt) {
    for (const auto& e : entries_) {
      if (e.key_index == key_index && e.salt == salt) return e.stretched;
    }
    entries_.push_back(
        {key_index, salt,
         crypto::StretchKey(std::span<const uint8_t, 32>(initial_hash.data(), 32), salt, rounds_)});
    return entries_.back().stretched;
  }

 private:
  struct Entry {
    size_t key_index;
    std::array<uint8_t, 16> salt;
    crypto::SecretBytes stretched;
  };
  uint64_t rounds_;
  std::vector<Entry> entries_;
};

crypto::SecretBytes Sha256Secret(std::span<const uint8_t> data) {
  crypto::Sha256Digest digest = crypto::Sha256(data);
  crypto::SecretBytes out(digest);
  crypto::Wipe(digest);
  return out;
}

// What a key contributes before stretching: SHA-256 of the recovery key, or SHA-256 twice of
// the UTF-16LE password. Empty for keys that are not stretched.
crypto::SecretBytes InitialHash(const KeyMaterial& key) {
  switch (key.kind) {
    case KeyMaterial::Kind::kRecoveryPassword:
      return Sha256Secret(key.secret.span());
    case KeyMaterial::Kind::kPassword: {
      crypto::SecretBytes once = Sha256Secret(key.secret.span());
      return Sha256Secret(once.span());
    }
    case KeyMaterial::Kind::kStartupKey:
    case KeyMaterial::Kind::kClearKey:
      return {};
  }
  return {};
}

// From the opened VMK to the volume keys: the metadata must pass its SHA-256 validation before
// anything it says (the wrapped FVEK, the method) is trusted.
Result<crypto::SecretBytes> OpenFvek(const Metadata& metadata, const crypto::SecretBytes& vmk) {
  if (!metadata.wrapped_validation_hash) {
    return Status::Corrupt(
        "the metadata has no SHA-256 validation entry, so it cannot be trusted; try another "
        "metadata copy or the key package");
  }
  auto hash_datum = crypto::AesCcmDecrypt(vmk.span(), *metadata.wrapped_validation_hash);
  if (!hash_datum.ok()) {
    return Status::Corrupt(
        "the metadata's validation hash does not open with the volume master key: the "
        "metadata was altered or damaged");
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto expected,
                           KeyFromDatum(*hash_datum, "validation hash", kValidationHashMethod, 32));
  const crypto::Sha256Digest actual = crypto::Sha256(metadata.hashed_bytes);
  if (!crypto::ConstantTimeEqual(expected.span(), actual)) {
    return Status::Corrupt(
        "the metadata was altered: its SHA-256 does not match the validation hash sealed with "
        "the volume master key");
  }
  if (!metadata.wrapped_fvek) {
    return Status::Corrupt("the metadata has no FVEK entry");
  }
  const auto info = DescribeMethod(metadata.method);
  if (!info) {
    return Status::Unsupported("the volume uses an unknown encryption method " +
                               Hex(metadata.method));
  }
  auto fvek_datum = crypto::AesCcmDecrypt(vmk.span(), *metadata.wrapped_fvek);
  if (!fvek_datum.ok()) {
    return Status::Corrupt("the FVEK does not open with the volume master key: " +
                           fvek_datum.status().message());
  }
  return KeyFromDatum(*fvek_datum, "FVEK", metadata.method, info->fvek_size_bytes);
}

}  // namespace

KeyMaterial KeyMaterial::FromRecoveryPassword(const recovery::RecoveryPassword& password) {
  KeyMaterial key;
  key.kind = Kind::kRecoveryPassword;
  key.secret = password.key().Clone();
  return key;
}

Result<KeyMaterial> KeyMaterial::FromPassword(std::string_view utf8_password) {
  if (utf8_password.empty()) {
    return Status::InvalidArgument("the password is empty: type the volume's password");
  }
  auto utf16 = Utf8ToUtf16Le(utf8_password);
  if (!utf16.ok()) {
    return Status::InvalidArgument("the password is not valid UTF-8: " + utf16.status().message());
  }
  KeyMaterial key;
  key.kind = Kind::kPassword;
  key.secret = crypto::SecretBytes(*utf16);
  crypto::Wipe(*utf16);
  return key;
}

KeyMaterial KeyMaterial::FromStartupKey(const StartupKey& startup_key) {
  KeyMaterial key;
  key.kind = Kind::kStartupKey;
  key.secret = startup_key.key.Clone();
  key.protector_guid = startup_key.protector_guid;
  key.volume_guid = startup_key.volume_guid;
  return key;
}

KeyMaterial KeyMaterial::ClearKey() {
  KeyMaterial key;
  key.kind = Kind::kClearKey;
  return key;
}

Result<VolumeKeys> Unlock(const Volume& volume, std::span<const KeyMaterial> keys,
                          std::vector<UnlockAttempt>* attempts, const UnlockOptions& options) {
  return Unlock(volume.metadata(), keys, attempts, options);
}

Result<VolumeKeys> Unlock(const Metadata& metadata, std::span<const KeyMaterial> keys,
                          std::vector<UnlockAttempt>* attempts, const UnlockOptions& options) {
  StretchCache stretched(options.key_stretch_rounds);
  std::vector<crypto::SecretBytes> initial_hashes;
  for (const KeyMaterial& key : keys) initial_hashes.push_back(InitialHash(key));

  bool tried = false;
  std::optional<Status> corruption;
  const auto record = [&](const Protector& p, std::string outcome) {
    if (attempts) attempts->push_back({p.guid, p.protection, std::move(outcome)});
  };

  for (const Protector& protector : metadata.protectors) {
    if (const char* reason = SkipReason(protector.protection)) {
      record(protector, reason);
      continue;
    }
    std::string outcome = NotGivenReason(protector.protection);
    for (size_t k = 0; k < keys.size(); ++k) {
      const KeyMaterial& key = keys[k];
      if (ProtectionFor(key.kind) != protector.protection) continue;
      if (key.kind == KeyMaterial::Kind::kStartupKey &&
          (key.protector_guid != protector.guid ||
           (key.volume_guid && *key.volume_guid != metadata.volume_guid))) {
        continue;  // a .BEK file opens only the protector (and volume) it names
      }
      // The key that opens the VMK.
      const crypto::SecretBytes* unwrap_key = nullptr;
      crypto::SecretBytes clear_key;
      switch (key.kind) {
        case KeyMaterial::Kind::kRecoveryPassword:
        case KeyMaterial::Kind::kPassword:
          if (!protector.stretch_salt) {
            outcome = "damaged: the protector has no stretch salt";
            continue;
          }
          unwrap_key = &stretched.Get(k, initial_hashes[k], *protector.stretch_salt);
          break;
        case KeyMaterial::Kind::kStartupKey:
          unwrap_key = &key.secret;
          break;
        case KeyMaterial::Kind::kClearKey:
          if (!protector.clear_key) {
            outcome = "damaged: the clear-key protector stores no key";
            continue;
          }
          clear_key = crypto::SecretBytes(*protector.clear_key);
          unwrap_key = &clear_key;
          break;
      }
      if (!protector.wrapped_vmk) {
        outcome = "damaged: the protector has no encrypted VMK";
        continue;
      }
      tried = true;
      auto vmk_datum = crypto::AesCcmDecrypt(unwrap_key->span(), *protector.wrapped_vmk);
      if (!vmk_datum.ok()) {
        if (vmk_datum.status().code() != ErrorCode::kWrongKey) return vmk_datum.status();
        outcome = "wrong key";
        continue;
      }
      auto vmk = KeyFromDatum(*vmk_datum, "VMK", kVmkDatumMethod, kVmkBytes);
      auto fvek = vmk.ok() ? OpenFvek(metadata, *vmk) : Result<crypto::SecretBytes>(vmk.status());
      if (!fvek.ok()) {
        outcome = "opened, but " + fvek.status().message();
        corruption = fvek.status();
        continue;
      }
      record(protector, "opened");
      return VolumeKeys{protector.guid, protector.protection, std::move(*vmk), std::move(*fvek)};
    }
    record(protector, std::move(outcome));
  }

  if (corruption) return *corruption;
  if (tried) {
    return Status::WrongKey(
        "none of the given keys opens a protector of this volume: check the password or "
        "recovery password (and that it belongs to this volume)");
  }
  std::string kinds;
  for (const Protector& p : metadata.protectors) {
    kinds += (kinds.empty() ? "" : ", ") + ProtectionTypeName(p.protection);
  }
  return Status::Unsupported(
      "no protector of this volume can be opened with the keys given "
      "(its protectors: " +
      (kinds.empty() ? std::string("none") : kinds) +
      "); supply a recovery password, password or startup key");
}

}  // namespace lockbox::bde
