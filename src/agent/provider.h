// Provider: what the agent core asks of the machine it runs on. One implementation per
// platform or source of volumes: `image` (BitLocker volume images read with src/bde, read-only),
// `simulated` (volumes in a state file, for tests and the fleet simulator), and later Windows
// (WMI Win32_EncryptableVolume and Win32_Tpm).
//
// The core never touches a volume itself: it asks the provider to add a numerical-password
// (recovery password) protector and to delete one, and only ever deletes recovery-password
// protectors it was told to rotate. Texts use the API's names (docs/api.md: volume types,
// protection, conversion and protector types).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "recovery/recovery_password.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::agent {

struct ComputerInfo {
  std::string name;  // "PC-07"
  std::string domain;
  std::string os;                         // "Windows 11 Pro"
  std::vector<std::string> hardware_ids;  // "serial:5CG1234XYZ": how the server knows it again
  std::vector<std::string> users;         // accounts that log on ("contoso\\alice")
};

struct ProtectorInfo {
  Guid id;
  std::string type;  // "recovery_password", "tpm", "tpm_pin", "external_key", ...
};

// One copy of the volume's FVE metadata as read from the disk, so the server can check an
// escrowed recovery password against it.
struct MetadataCopy {
  uint64_t offset = 0;
  std::vector<uint8_t> bytes;
};

struct VolumeInfo {
  Guid id;                   // the BitLocker volume GUID
  std::string drive_letter;  // "C:", or ""
  std::string type;          // "os", "fixed", "removable"
  std::string description;
  std::string encryption_method;  // "XTS-AES 128"
  std::string protection;         // "on", "off", "unknown"
  std::string conversion;         // "encrypted", "encrypting", ...
  std::vector<ProtectorInfo> protectors;
  std::optional<MetadataCopy> metadata;
};

// A recovery password the provider can read (Windows: GetKeyProtectorNumericalPassword).
struct RecoveryPasswordInfo {
  Guid key_id;  // its protector's GUID
  Guid volume_id;
  crypto::SecretBytes password;  // the 55 characters "123456-...", never logged
  std::string created_at;        // RFC 3339, or ""
};

struct TpmInfo {
  bool present = false;
  bool owned = false;
  bool locked_out = false;
  // The owner authorisation when the provider can read it (escrowed once per change).
  std::optional<crypto::SecretBytes> owner_auth;
  std::string owner_auth_changed_at;  // RFC 3339
};

class Provider {
 public:
  virtual ~Provider() = default;

  // "image", "simulated", "windows": for logs and --status.
  virtual std::string name() const = 0;

  virtual Result<ComputerInfo> Computer() = 0;
  virtual Result<std::vector<VolumeInfo>> Volumes() = 0;
  virtual Result<std::vector<RecoveryPasswordInfo>> RecoveryPasswords() = 0;

  // False when the provider cannot change protectors (the image provider): the core then
  // reports a rotation request as impossible instead of trying.
  virtual bool CanRotate() const = 0;
  // Adds a recovery-password protector holding `password` to the volume; returns its GUID.
  virtual Result<Guid> AddRecoveryPassword(const Guid& volume_id,
                                           const recovery::RecoveryPassword& password) = 0;
  // Deletes the protector `protector_id` of the volume (the core passes recovery-password
  // protectors only). kNotFound when it is not there.
  virtual Status DeleteProtector(const Guid& volume_id, const Guid& protector_id) = 0;

  virtual Result<TpmInfo> Tpm() = 0;
  // Resets the TPM's dictionary-attack lockout with the owner authorisation.
  virtual Status ResetTpmLockout(const crypto::SecretBytes& owner_auth) = 0;
};

}  // namespace lockbox::agent
