// One FVE metadata copy: block header, metadata header, entries, validation.
// Layout in docs/bitlocker-format.md, sections 2, 3 and 7.
//
// Choices beyond the notes:
// - Only entries whose layout is known are descended into (VMK -> stretch key / use key), so
//   nesting depth is bounded by construction; nested entries of other types are never walked.
// - A second FVEK entry, or a second AES-CCM VMK blob or stretch key within one protector, makes
//   the copy corrupt: which of two keys to trust cannot be decided before unlocking. A second
//   description is ignored (the first is kept): it is only shown, never trusted.
// - Unknown entry types, unknown value types nested in a protector and unknown entry versions
//   are skipped; a known entry type with an unexpected value type is corrupt.
// - Wrapped key blobs must have exactly the size of a key datum holding the key the method
//   calls for (VMK, validation hash and clear key: 32 bytes; FVEK per DescribeMethod()). With
//   an unknown method the FVEK entry cannot be checked and is not kept.
#include "bde/metadata.h"

#include <cstring>

#include "bde/crc32.h"
#include "bde/entries.h"
#include "util/bytes.h"
#include "util/text.h"

namespace lockbox::bde {
namespace {

constexpr size_t kBlockHeaderSize = 64;
constexpr size_t kMetadataHeaderSize = 48;
constexpr size_t kEntriesOffset = kBlockHeaderSize + kMetadataHeaderSize;
constexpr size_t kValidationHeaderSize = 8;
constexpr size_t kMaxBlockBytes = 65536 - kValidationHeaderSize;

constexpr size_t kVmkPayloadPrefix = 28;         // GUID, FILETIME, u16, u16 protection
constexpr size_t kStretchKeyPayloadPrefix = 20;  // u32 method, 16-byte salt
constexpr size_t kUseKeyPayloadPrefix = 4;       // u32 method

constexpr size_t kVmkSize = 32;
constexpr size_t kValidationHashSize = 32;
constexpr size_t kClearKeySize = 32;
constexpr uint32_t kClearKeyMethod = 0x2000;

std::string At(size_t offset) { return " at offset " + std::to_string(offset); }

// Block header (64 bytes) and metadata header (48 bytes). Returns the block size in bytes.
Result<size_t> ParseHeaders(std::span<const uint8_t> block, uint64_t expected_offset, Metadata& m) {
  if (block.size() < kEntriesOffset) {
    return Status::Corrupt("only " + std::to_string(block.size()) +
                           " bytes, too short for the 112 bytes of block and metadata headers");
  }
  if (std::memcmp(block.data(), "-FVE-FS-", 8) != 0) {
    return Status::Corrupt("no -FVE-FS- signature at the start of the metadata block");
  }
  ByteReader r(block.subspan(8, kEntriesOffset - 8));
  const size_t block_bytes = size_t{r.U16()} * 16;
  m.version = r.U16();
  if (m.version == 1) {
    return Status::Unsupported("version 1 (Windows Vista) metadata is not supported");
  }
  if (m.version != 2) {
    return Status::Corrupt("unknown metadata block version " + std::to_string(m.version));
  }
  if (block_bytes < kEntriesOffset || block_bytes > kMaxBlockBytes) {
    return Status::Corrupt("block size " + std::to_string(block_bytes) +
                           " bytes is outside the possible 112.." + std::to_string(kMaxBlockBytes));
  }
  if (block.size() < block_bytes + kValidationHeaderSize) {
    return Status::Corrupt("block size " + std::to_string(block_bytes) +
                           " bytes leaves no room for the validation header before the end of "
                           "the volume");
  }
  m.current_state = r.U16();
  m.next_state = r.U16();
  m.encrypted_size_bytes = r.U64();
  m.convert_size = r.U32();
  m.relocated_sector_count = r.U32();
  for (uint64_t& offset : m.copy_offsets) offset = r.U64();
  m.header_backup_offset = r.U64();

  const uint32_t metadata_size = r.U32();
  r.Skip(4);  // metadata header version
  const uint32_t header_size = r.U32();
  const uint32_t size_copy = r.U32();
  m.volume_guid = Guid::FromBytes(r.Bytes(16).first<16>());
  m.next_nonce_counter = r.U32();
  m.method = r.U16();
  r.Skip(2);
  m.creation_filetime = r.U64();

  const uint32_t stored_crc = LoadLe32(&block[block_bytes + 4]);
  const uint32_t crc = Crc32(block.first(block_bytes));
  if (crc != stored_crc) {
    return Status::Corrupt("CRC-32 mismatch (stored " + Hex(stored_crc) + ", computed " + Hex(crc) +
                           "): the copy is damaged");
  }
  if (m.copy_offsets[0] != expected_offset && m.copy_offsets[1] != expected_offset &&
      m.copy_offsets[2] != expected_offset) {
    return Status::Corrupt("the copy read at offset " + std::to_string(expected_offset) +
                           " does not list that offset among its copies: it is stale or "
                           "misplaced");
  }
  if (header_size != kMetadataHeaderSize) {
    return Status::Corrupt("metadata header size " + std::to_string(header_size) +
                           " instead of 48");
  }
  if (size_copy != metadata_size) {
    return Status::Corrupt("metadata size " + std::to_string(metadata_size) +
                           " disagrees with its copy " + std::to_string(size_copy));
  }
  if (metadata_size < kMetadataHeaderSize || metadata_size > block_bytes - kBlockHeaderSize) {
    return Status::Corrupt("metadata size " + std::to_string(metadata_size) +
                           " does not fit between 48 and the block's " +
                           std::to_string(block_bytes - kBlockHeaderSize) + " bytes");
  }
  return block_bytes;
}

Result<Protector> ParseProtector(const RawEntry& entry) {
  Protector p;
  if (entry.payload.size() < kVmkPayloadPrefix) {
    return Status::Corrupt("VMK entry" + At(entry.offset) + " is too short (" +
                           std::to_string(entry.payload.size()) + " payload bytes)");
  }
  ByteReader r(entry.payload);
  p.guid = Guid::FromBytes(r.Bytes(16).first<16>());
  p.last_modified_filetime = r.U64();
  r.Skip(2);
  p.protection = r.U16();

  LOCKBOX_ASSIGN_OR_RETURN(const auto children, NestedEntries(entry, kVmkPayloadPrefix));
  const std::string what = "protector " + p.guid.ToString();
  bool has_name = false;
  for (const RawEntry& child : children) {
    switch (child.value_type) {
      case kValueAesCcm: {
        // On the real volumes of every protector type, the VMK blob is the AES-CCM entry
        // directly inside the VMK entry; those nested in a stretch key or use key are other keys.
        if (p.wrapped_vmk) return Status::Corrupt(what + " holds two wrapped VMKs");
        LOCKBOX_ASSIGN_OR_RETURN(p.wrapped_vmk, ParseCcmEntry(child, kVmkSize, what + " VMK"));
        break;
      }
      case kValueStretchKey: {
        if (p.stretch_salt) return Status::Corrupt(what + " holds two stretch keys");
        // The nested entries are walked only to prove they are well formed.
        LOCKBOX_RETURN_IF_ERROR(NestedEntries(child, kStretchKeyPayloadPrefix));
        std::array<uint8_t, 16> salt{};
        std::memcpy(salt.data(), child.payload.data() + 4, salt.size());
        p.stretch_salt = salt;
        break;
      }
      case kValueUseKey:
        LOCKBOX_RETURN_IF_ERROR(NestedEntries(child, kUseKeyPayloadPrefix));
        break;
      case kValueKey: {
        if (p.protection != static_cast<uint16_t>(ProtectionType::kClearKey)) break;
        if (p.clear_key) return Status::Corrupt(what + " holds two clear keys");
        LOCKBOX_ASSIGN_OR_RETURN(const auto key, ParseKeyEntry(child, kClearKeyMethod,
                                                               kClearKeySize, what + " clear key"));
        p.clear_key.emplace(key.begin(), key.end());
        break;
      }
      case kValueString: {
        if (has_name) break;
        auto name = Utf16LeToUtf8(child.payload);
        if (!name.ok()) return name.status().WithContext(what + " name" + At(child.offset));
        p.name = std::move(*name);
        has_name = true;
        break;
      }
      default:
        break;  // TPM blobs, timestamps (0x15), hints: not needed to read the volume
    }
  }
  return p;
}

Status RequireValueType(const RawEntry& e, uint16_t value_type, const char* what) {
  if (e.value_type == value_type) return Status::Ok();
  return Status::Corrupt(std::string(what) + " entry" + At(e.offset) + " has value type " +
                         Hex(e.value_type) + " instead of " + Hex(value_type));
}

Status ParseEntries(std::span<const uint8_t> block, size_t end, Metadata& m) {
  LOCKBOX_ASSIGN_OR_RETURN(
      const auto entries,
      SplitEntries(block.subspan(kEntriesOffset, end - kEntriesOffset), kEntriesOffset));
  const auto cipher = DescribeMethod(m.method);
  bool has_description = false;
  for (const RawEntry& e : entries) {
    switch (e.type) {
      case kEntryVmk: {
        LOCKBOX_RETURN_IF_ERROR(RequireValueType(e, kValueVmk, "VMK"));
        LOCKBOX_ASSIGN_OR_RETURN(Protector p, ParseProtector(e));
        m.protectors.push_back(std::move(p));
        break;
      }
      case kEntryFvek: {
        LOCKBOX_RETURN_IF_ERROR(RequireValueType(e, kValueAesCcm, "FVEK"));
        if (m.wrapped_fvek) {
          return Status::Corrupt("a second FVEK entry" + At(e.offset) +
                                 ": which key is the volume's cannot be decided");
        }
        if (cipher) {
          LOCKBOX_ASSIGN_OR_RETURN(m.wrapped_fvek,
                                   ParseCcmEntry(e, cipher->fvek_size_bytes, "FVEK entry"));
        }
        break;
      }
      case kEntryDescription: {
        LOCKBOX_RETURN_IF_ERROR(RequireValueType(e, kValueString, "description"));
        if (has_description) break;
        auto text = Utf16LeToUtf8(e.payload);
        if (!text.ok()) return text.status().WithContext("description entry" + At(e.offset));
        m.description = std::move(*text);
        has_description = true;
        break;
      }
      default:
        break;  // properties, volume header block, FVEK backup, unknown types
    }
  }
  return Status::Ok();
}

// The AES-CCM entry after the validation header: SHA-256 of the block, wrapped under the VMK.
Status ParseValidation(std::span<const uint8_t> block, size_t block_bytes, Metadata& m) {
  m.hashed_bytes.assign(block.begin(), block.begin() + static_cast<ptrdiff_t>(block_bytes));
  const size_t pos = block_bytes + kValidationHeaderSize;
  const auto size = CheckedRange(block, pos, 2);
  if (!size || LoadLe16(size->data()) == 0) return Status::Ok();  // absent: unlock refuses
  LOCKBOX_ASSIGN_OR_RETURN(const RawEntry entry, ReadEntry(block, pos, 0));
  LOCKBOX_ASSIGN_OR_RETURN(m.wrapped_validation_hash,
                           ParseCcmEntry(entry, kValidationHashSize, "validation hash entry"));
  return Status::Ok();
}

}  // namespace

std::optional<CipherInfo> DescribeMethod(uint16_t method) {
  switch (static_cast<EncryptionMethod>(method)) {
    case EncryptionMethod::kAesCbc128Elephant:
      return CipherInfo{"aes-cbc-elephant", 128, true, 64};
    case EncryptionMethod::kAesCbc256Elephant:
      return CipherInfo{"aes-cbc-elephant", 256, true, 64};
    case EncryptionMethod::kAesCbc128:
      return CipherInfo{"aes-cbc", 128, false, 16};
    case EncryptionMethod::kAesCbc256:
      return CipherInfo{"aes-cbc", 256, false, 32};
    case EncryptionMethod::kXtsAes128:
      return CipherInfo{"aes-xts", 128, false, 32};
    case EncryptionMethod::kXtsAes256:
      return CipherInfo{"aes-xts", 256, false, 64};
  }
  return std::nullopt;
}

std::string ProtectionTypeName(uint16_t protection) {
  switch (static_cast<ProtectionType>(protection)) {
    case ProtectionType::kClearKey:
      return "clear-key";
    case ProtectionType::kTpm:
      return "tpm";
    case ProtectionType::kStartupKey:
      return "startup-key";
    case ProtectionType::kTpmAndPin:
      return "tpm-and-pin";
    case ProtectionType::kRecoveryPassword:
      return "recovery-password";
    case ProtectionType::kSmartCard:
      return "smart-card";
    case ProtectionType::kPassword:
      return "password";
  }
  return "unknown-" + Hex(protection);
}

std::string VolumeStateName(uint16_t state) {
  switch (static_cast<VolumeState>(state)) {
    case VolumeState::kNull:
      return "null";
    case VolumeState::kDecrypted:
      return "decrypted";
    case VolumeState::kSwitching:
      return "switching";
    case VolumeState::kEowActivated:
      return "eow-activated";
    case VolumeState::kEncrypted:
      return "encrypted";
    case VolumeState::kSwitchPaused:
      return "switch-paused";
  }
  return "unknown-" + std::to_string(state);
}

Result<Metadata> ParseMetadataBlock(std::span<const uint8_t> block, uint64_t expected_offset) {
  Metadata m;
  LOCKBOX_ASSIGN_OR_RETURN(const size_t block_bytes, ParseHeaders(block, expected_offset, m));
  const size_t metadata_size = LoadLe32(&block[kBlockHeaderSize]);
  LOCKBOX_RETURN_IF_ERROR(ParseEntries(block, kBlockHeaderSize + metadata_size, m));
  LOCKBOX_RETURN_IF_ERROR(ParseValidation(block, block_bytes, m));
  return m;
}

}  // namespace lockbox::bde
