// Sector 0 of a BitLocker volume: which variant it is and where the metadata copies are.
// Layouts in docs/bitlocker-format.md, section 1.
#include <cstring>

#include "bde/volume.h"
#include "util/bytes.h"

namespace lockbox::bde {
namespace {

constexpr size_t kHeaderBytes = 512;  // every field we read lies in the first 512 bytes
constexpr uint64_t kMetadataRegionSize = 64 * 1024;

// The on-disk bytes of the two GUIDs that mark a BitLocker volume.
constexpr uint8_t kBitLockerGuid[16] = {0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a,
                                        0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01};
constexpr uint8_t kEowGuid[16] = {0x3b, 0x4d, 0xa8, 0x92, 0x80, 0xdd, 0x0e, 0x4d,
                                  0x9e, 0x4e, 0xb1, 0xe3, 0x28, 0x4e, 0xae, 0xd8};

bool BytesAre(std::span<const uint8_t> data, size_t offset, const void* expected, size_t n) {
  return std::memcmp(data.data() + offset, expected, n) == 0;
}

std::array<uint64_t, 3> LoadOffsets(std::span<const uint8_t> s, size_t at) {
  return {LoadLe64(&s[at]), LoadLe64(&s[at + 8]), LoadLe64(&s[at + 16])};
}

// Bytes per sector: a power of two in 512..4096. Windows 7+ headers may store 0 for 512.
Result<uint32_t> SectorSize(uint16_t raw, Variant variant) {
  if (raw == 0 && variant == Variant::kWin7) return 512u;
  if (raw < 512 || raw > 4096 || (raw & (raw - 1)) != 0) {
    return Status::Corrupt("the volume header's bytes per sector is " + std::to_string(raw) +
                           "; BitLocker needs a power of two from 512 to 4096");
  }
  return static_cast<uint32_t>(raw);
}

// Each metadata copy must start inside the volume, after sector 0, on a sector boundary, and
// its 64 KiB region must not overlap another copy's: a header that says otherwise was not
// written by Windows.
Status CheckMetadataOffsets(const VolumeHeader& header, uint64_t volume_size_bytes) {
  for (size_t i = 0; i < 3; ++i) {
    const uint64_t offset = header.metadata_offsets[i];
    const std::string name =
        "metadata copy " + std::to_string(i + 1) + " offset " + std::to_string(offset);
    if (offset < header.sector_size || offset >= volume_size_bytes) {
      return Status::Corrupt("the volume header's " + name + " lies outside the volume (" +
                             std::to_string(volume_size_bytes) + " bytes)");
    }
    if (offset % header.sector_size != 0) {
      return Status::Corrupt("the volume header's " + name + " is not a multiple of the " +
                             std::to_string(header.sector_size) + "-byte sector size");
    }
    for (size_t j = 0; j < i; ++j) {
      const uint64_t other = header.metadata_offsets[j];
      const uint64_t distance = offset > other ? offset - other : other - offset;
      if (distance < kMetadataRegionSize) {
        return Status::Corrupt("the volume header's metadata copies " + std::to_string(j + 1) +
                               " and " + std::to_string(i + 1) + " overlap (offsets " +
                               std::to_string(other) + " and " + std::to_string(offset) + ")");
      }
    }
  }
  return Status::Ok();
}

Result<Variant> DetectVariant(std::span<const uint8_t> s) {
  if (BytesAre(s, 3, "-FVE-FS-", 8)) {
    if (s[0] == 0xEB && s[1] == 0x52 && s[2] == 0x90) return Variant::kVista;
    if (BytesAre(s, 0xA0, kBitLockerGuid, 16) || BytesAre(s, 0xA0, kEowGuid, 16)) {
      return Variant::kWin7;
    }
    return Status::Corrupt(
        "the volume carries the BitLocker signature -FVE-FS- but neither the Vista jump "
        "instruction nor the BitLocker GUID at offset 0xA0: the header is damaged");
  }
  if (BytesAre(s, 3, "MSWIN4.1", 8) && BytesAre(s, 0x1A8, kBitLockerGuid, 16)) {
    return Variant::kToGo;
  }
  return Status::NotBitLocker(
      "no BitLocker signature in sector 0 (neither -FVE-FS- nor a "
      "BitLocker To Go discovery volume)");
}

}  // namespace

const char* VariantName(Variant v) {
  switch (v) {
    case Variant::kWin7:
      return "win7";
    case Variant::kToGo:
      return "togo";
    case Variant::kVista:
      return "vista";
  }
  return "unknown";
}

Result<VolumeHeader> ParseVolumeHeader(std::span<const uint8_t> sector0,
                                       uint64_t volume_size_bytes) {
  if (sector0.size() < kHeaderBytes || volume_size_bytes < kHeaderBytes) {
    return Status::NotBitLocker("the volume is smaller than one 512-byte sector");
  }
  LOCKBOX_ASSIGN_OR_RETURN(const Variant variant, DetectVariant(sector0));
  if (sector0[510] != 0x55 || sector0[511] != 0xAA) {
    return Status::Corrupt(
        "the BitLocker volume header lacks the 55 AA boot signature at "
        "offset 510: sector 0 is damaged");
  }
  VolumeHeader header;
  header.variant = variant;
  LOCKBOX_ASSIGN_OR_RETURN(header.sector_size, SectorSize(LoadLe16(&sector0[11]), variant));
  header.sectors_per_cluster = sector0[13];

  switch (variant) {
    case Variant::kWin7:
      header.metadata_offsets = LoadOffsets(sector0, 176);
      header.eow = BytesAre(sector0, 0xA0, kEowGuid, 16);
      if (header.eow) header.eow_offsets = {LoadLe64(&sector0[200]), LoadLe64(&sector0[208])};
      break;
    case Variant::kToGo:
      header.metadata_offsets = LoadOffsets(sector0, 440);
      break;
    case Variant::kVista: {
      // Only block 1 is named here (by cluster); blocks 2 and 3 are listed in block 1.
      const uint8_t spc = header.sectors_per_cluster;
      if (spc == 0 || (spc & (spc - 1)) != 0) {
        return Status::Corrupt("the Vista volume header's sectors per cluster is " +
                               std::to_string(spc) + ", not a power of two");
      }
      const uint64_t lcn = LoadLe64(&sector0[56]);
      const uint64_t cluster_size = uint64_t{spc} * header.sector_size;
      if (lcn >= volume_size_bytes / cluster_size) {
        return Status::Corrupt("the Vista volume header puts metadata block 1 at cluster " +
                               std::to_string(lcn) + ", beyond the volume end");
      }
      header.metadata_offsets = {lcn * cluster_size, 0, 0};
      return header;
    }
  }
  LOCKBOX_RETURN_IF_ERROR(CheckMetadataOffsets(header, volume_size_bytes));
  return header;
}

}  // namespace lockbox::bde
