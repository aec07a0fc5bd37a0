// Internal: the metadata entry structure shared by FVE metadata blocks and .BEK files.
//
// An entry is an 8-byte header (u16 total size, u16 entry type, u16 value type, u16 version)
// followed by its payload; some value types hold a fixed prefix and then nested entries. The
// functions here only split bytes into entries with bounds checks; what an entry means is
// decided by metadata.cc and startup_key.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/aes_ccm.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::bde {

// Entry and value types of the format notes (section 3) that Lockbox interprets.
enum EntryType : uint16_t {
  kEntryProperty = 0x0,
  kEntryVmk = 0x2,
  kEntryFvek = 0x3,
  kEntryStartupKey = 0x6,
  kEntryDescription = 0x7,
  kEntryVolumeGuid = 0x19,
};
enum ValueType : uint16_t {
  kValueKey = 0x1,
  kValueString = 0x2,
  kValueStretchKey = 0x3,
  kValueUseKey = 0x4,
  kValueAesCcm = 0x5,
  kValueVmk = 0x8,
  kValueExternalKey = 0x9,
  kValueGuid = 0x17,
};

struct RawEntry {
  uint16_t type = 0;
  uint16_t value_type = 0;
  uint16_t version = 0;
  size_t offset = 0;  // of the entry header, counted from the start of the block or file
  std::span<const uint8_t> payload;
};

// Splits `region` (which starts `base_offset` bytes into the block or file) into consecutive
// entries that must fill it exactly. kCorrupt for an entry size below 8 (a size of 0 would
// loop forever), an entry running past `region`, or trailing bytes too short for an entry.
Result<std::vector<RawEntry>> SplitEntries(std::span<const uint8_t> region, size_t base_offset);

// The entries nested in `parent` after its fixed `prefix_size`-byte payload prefix.
Result<std::vector<RawEntry>> NestedEntries(const RawEntry& parent, size_t prefix_size);

// The one entry at `pos` of `data` (its own size decides its end).
Result<RawEntry> ReadEntry(std::span<const uint8_t> data, size_t pos, size_t base_offset);

// An AES-CCM entry: nonce, tag, and a ciphertext that must be a key datum (12-byte header)
// of `key_size` bytes. kCorrupt otherwise.
Result<crypto::CcmSealed> ParseCcmEntry(const RawEntry& entry, size_t key_size,
                                        const std::string& what);

// A key entry: u32 method then the key bytes; `method` and `key_size` are what it must hold.
Result<std::span<const uint8_t>> ParseKeyEntry(const RawEntry& entry, uint32_t method,
                                               size_t key_size, const std::string& what);

// A GUID entry's 16 bytes.
Result<Guid> ParseGuidEntry(const RawEntry& entry, const std::string& what);

// "0x2002": how method and type values are shown in messages.
std::string Hex(uint32_t value);

// Bytes of a key datum before its key: u16 size, u16, u16 value type, u16, u32 method.
inline constexpr size_t kKeyDatumHeaderSize = 12;

}  // namespace lockbox::bde
