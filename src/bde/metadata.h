// The parsed BitLocker FVE metadata: what one valid metadata copy says about a volume.
//
// See docs/bitlocker-format.md for the on-disk layout. Everything here was bounds-checked
// when parsed; key material is still wrapped (AES-CCM) and can only be opened by unlock.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/aes_ccm.h"
#include "crypto/secret.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::bde {

// The cipher of the volume's sectors (metadata header "encryption method").
enum class EncryptionMethod : uint16_t {
  kAesCbc128Elephant = 0x8000,
  kAesCbc256Elephant = 0x8001,
  kAesCbc128 = 0x8002,
  kAesCbc256 = 0x8003,
  kXtsAes128 = 0x8004,
  kXtsAes256 = 0x8005,
};

struct CipherInfo {
  const char* name;         // "aes-cbc", "aes-cbc-elephant", "aes-xts"
  unsigned key_bits;        // 128 or 256
  bool diffuser;            // Elephant diffuser
  size_t fvek_size_bytes;   // bytes of the FVEK key datum (see the format notes)
};
// Nullopt for a method value we do not know.
std::optional<CipherInfo> DescribeMethod(uint16_t method);

// Values of the VMK entry's protection type.
enum class ProtectionType : uint16_t {
  kClearKey = 0x0000,
  kTpm = 0x0100,
  kStartupKey = 0x0200,
  kTpmAndPin = 0x0500,
  kRecoveryPassword = 0x0800,
  kSmartCard = 0x1000,
  kPassword = 0x2000,
};
// "recovery-password", "password", "tpm", ... ; "unknown-0x1234" for others.
std::string ProtectionTypeName(uint16_t protection);

// Metadata block header states (current/next).
enum class VolumeState : uint16_t {
  kNull = 0,
  kDecrypted = 1,
  kSwitching = 2,
  kEowActivated = 3,
  kEncrypted = 4,
  kSwitchPaused = 5,
};
std::string VolumeStateName(uint16_t state);

// A key protector (a VMK entry): one way to obtain the volume master key.
struct Protector {
  Guid guid;
  uint64_t last_modified_filetime = 0;
  uint16_t protection = 0;  // a ProtectionType value, possibly unknown
  std::string name;         // the protector's string entry ("ExternalKey", "DiskPassword"), or ""
  // Recovery password and password protectors: the stretch salt.
  std::optional<std::array<uint8_t, 16>> stretch_salt;
  // The VMK wrapped under this protector's key (stretched key, startup key, clear key).
  std::optional<crypto::CcmSealed> wrapped_vmk;
  // Clear-key protector: the unwrapping key stored in the open.
  std::optional<std::vector<uint8_t>> clear_key;
};

// The whole of one metadata copy.
struct Metadata {
  // Block header.
  uint16_t version = 0;  // 1 Vista, 2 Win7+
  uint16_t current_state = 0;
  uint16_t next_state = 0;
  uint64_t encrypted_size_bytes = 0;  // bytes from the volume start that are encrypted
  uint32_t convert_size = 0;
  uint32_t relocated_sector_count = 0;  // header sectors relocated to header_backup_offset
  std::array<uint64_t, 3> copy_offsets{};
  uint64_t header_backup_offset = 0;  // Win7+: where the relocated volume header sectors are

  // Metadata header.
  Guid volume_guid;
  uint16_t method = 0;  // an EncryptionMethod value
  uint64_t creation_filetime = 0;
  uint32_t next_nonce_counter = 0;

  // Entries.
  std::string description;  // UTF-8, "" when absent
  std::vector<Protector> protectors;
  std::optional<crypto::CcmSealed> wrapped_fvek;  // FVEK under the VMK

  // Validation: SHA-256 of `hashed_bytes`, wrapped under the VMK. Required after unlock.
  std::optional<crypto::CcmSealed> wrapped_validation_hash;
  std::vector<uint8_t> hashed_bytes;  // block bytes [0, block size x 16)
};

// Parses one metadata copy: `block` holds the bytes at the copy's offset (at most 64 KiB,
// less only when the volume ends first), `expected_offset` is where it was read from.
// kCorrupt with the reason when any check of the format notes' section 7 fails.
Result<Metadata> ParseMetadataBlock(std::span<const uint8_t> block, uint64_t expected_offset);

}  // namespace lockbox::bde
