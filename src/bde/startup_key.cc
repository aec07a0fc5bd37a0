// .BEK files: docs/bitlocker-format.md, section 6.
//
// A 48-byte header (u32 file size, u32 version 1, u32 header size 48, u32 size copy,
// protector GUID, u32 nonce counter, u32 method, FILETIME), then entries: one startup-key
// entry (type 6, value 9: GUID, FILETIME, nested name string, key datum method 0x2002 with the
// 32-byte key and, on Windows 11, a volume GUID entry type 0x19 / value 0x17).
#include "bde/startup_key.h"

#include "bde/entries.h"
#include "util/bytes.h"

namespace lockbox::bde {
namespace {

constexpr size_t kHeaderSize = 48;
constexpr size_t kExternalKeyPrefix = 24;  // GUID, FILETIME
constexpr uint32_t kExternalKeyMethod = 0x2002;
constexpr size_t kExternalKeySize = 32;

Status CheckHeader(std::span<const uint8_t> file) {
  if (file.size() < kHeaderSize) {
    return Status::Corrupt("the startup key file is " + std::to_string(file.size()) +
                           " bytes, shorter than its 48-byte header");
  }
  ByteReader r(file);
  const uint32_t size = r.U32();
  const uint32_t version = r.U32();
  const uint32_t header_size = r.U32();
  const uint32_t size_copy = r.U32();
  if (size != file.size() || size_copy != size) {
    return Status::Corrupt("the startup key file is " + std::to_string(file.size()) +
                           " bytes but its header says " + std::to_string(size) + " and " +
                           std::to_string(size_copy) + ": it is truncated or not a .BEK file");
  }
  if (version != 1) {
    return Status::Corrupt("unknown startup key file version " + std::to_string(version));
  }
  if (header_size != kHeaderSize) {
    return Status::Corrupt("startup key file header size " + std::to_string(header_size) +
                           " instead of 48");
  }
  return Status::Ok();
}

// Windows 11 adds the volume GUID; one is enough, two that disagree are not.
Status TakeVolumeGuid(const RawEntry& entry, StartupKey& key) {
  LOCKBOX_ASSIGN_OR_RETURN(const Guid guid, ParseGuidEntry(entry, "volume GUID entry"));
  if (key.volume_guid && *key.volume_guid != guid) {
    return Status::Corrupt("the startup key file names two different volumes");
  }
  key.volume_guid = guid;
  return Status::Ok();
}

}  // namespace

Result<StartupKey> ParseStartupKeyFile(std::span<const uint8_t> file) {
  LOCKBOX_RETURN_IF_ERROR(CheckHeader(file));
  StartupKey key;
  key.protector_guid = Guid::FromBytes(file.subspan(16).first<16>());
  LOCKBOX_ASSIGN_OR_RETURN(const auto entries,
                           SplitEntries(file.subspan(kHeaderSize), kHeaderSize));
  bool found = false;
  for (const RawEntry& entry : entries) {
    if (entry.type == kEntryVolumeGuid && entry.value_type == kValueGuid) {
      LOCKBOX_RETURN_IF_ERROR(TakeVolumeGuid(entry, key));
      continue;
    }
    if (entry.type != kEntryStartupKey || entry.value_type != kValueExternalKey) continue;
    if (found) return Status::Corrupt("the startup key file holds two external keys");
    found = true;
    LOCKBOX_ASSIGN_OR_RETURN(const auto children, NestedEntries(entry, kExternalKeyPrefix));
    const Guid guid = Guid::FromBytes(entry.payload.first<16>());
    if (guid != key.protector_guid) {
      return Status::Corrupt("the startup key file's header names protector " +
                             key.protector_guid.ToString() + " but its key entry names " +
                             guid.ToString());
    }
    for (const RawEntry& child : children) {
      if (child.type == kEntryVolumeGuid && child.value_type == kValueGuid) {
        LOCKBOX_RETURN_IF_ERROR(TakeVolumeGuid(child, key));
      } else if (child.value_type == kValueKey) {
        if (!key.key.empty()) return Status::Corrupt("the startup key file holds two keys");
        LOCKBOX_ASSIGN_OR_RETURN(const auto bytes, ParseKeyEntry(child, kExternalKeyMethod,
                                                                 kExternalKeySize, "startup key"));
        key.key = crypto::SecretBytes(bytes);
      }
    }
  }
  if (key.key.empty()) {
    return Status::Corrupt(
        "the startup key file holds no external key: it is damaged or not a "
        "BitLocker startup key");
  }
  return key;
}

}  // namespace lockbox::bde
