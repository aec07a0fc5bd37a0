// Unlocking: from a key the user holds to the volume's FVEK.
//
// key material -> (stretch) -> protector key -> VMK (AES-CCM) -> metadata SHA-256 validated
// -> FVEK (AES-CCM). Every protector of a matching type is tried (a volume may carry two
// recovery passwords); TPM and smart-card protectors cannot be opened here and are skipped
// and listed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bde/metadata.h"
#include "bde/startup_key.h"
#include "bde/volume.h"
#include "crypto/key_stretch.h"
#include "crypto/secret.h"
#include "recovery/recovery_password.h"
#include "util/status.h"

namespace lockbox::bde {

// One key the user supplied.
struct KeyMaterial {
  enum class Kind { kRecoveryPassword, kPassword, kStartupKey, kClearKey };
  Kind kind = Kind::kClearKey;
  // Recovery password: the 16-byte recovery key. Password: its UTF-16LE bytes.
  // Startup key: the 32-byte external key. Clear key: empty (the key is in the metadata).
  crypto::SecretBytes secret;
  std::optional<Guid> protector_guid;  // startup key: the protector it names
  std::optional<Guid> volume_guid;     // startup key from Windows 11: the volume it names

  static KeyMaterial FromRecoveryPassword(const recovery::RecoveryPassword& password);
  static Result<KeyMaterial> FromPassword(std::string_view utf8_password);
  static KeyMaterial FromStartupKey(const StartupKey& startup_key);
  static KeyMaterial ClearKey();
};

// What happened with one protector, for reporting why nothing matched.
struct UnlockAttempt {
  Guid protector_guid;
  uint16_t protection = 0;
  std::string outcome;  // "opened", "wrong key", "skipped: TPM protectors need the PC's TPM"
};

// The unlocked volume's keys.
struct VolumeKeys {
  Guid protector_guid;  // which protector opened
  uint16_t protection = 0;
  crypto::SecretBytes vmk;   // 32 bytes
  crypto::SecretBytes fvek;  // the key datum's key bytes, layout per DescribeMethod()
};

struct UnlockOptions {
  // Rounds of the key stretch for passwords and recovery passwords. Windows always uses
  // crypto::kKeyStretchRounds; only synthetic test volumes are built with fewer, to keep
  // test suites fast.
  uint64_t key_stretch_rounds = crypto::kKeyStretchRounds;
};

// Tries each key on each protector it can open. kWrongKey when keys were tried and none
// opened; kUnsupported when no protector could be tried with the given keys; kCorrupt when
// the VMK opened but the metadata's SHA-256 validation or the FVEK failed.
Result<VolumeKeys> Unlock(const Volume& volume, std::span<const KeyMaterial> keys,
                          std::vector<UnlockAttempt>* attempts = nullptr,
                          const UnlockOptions& options = {});

// The same from a metadata copy alone (ParseMetadataBlock), without the volume it came from:
// the escrow server checks an escrowed recovery password against the metadata an agent sent.
Result<VolumeKeys> Unlock(const Metadata& metadata, std::span<const KeyMaterial> keys,
                          std::vector<UnlockAttempt>* attempts = nullptr,
                          const UnlockOptions& options = {});

}  // namespace lockbox::bde
