// Volume: an opened BitLocker volume — its header and one validated metadata copy.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto reader, bde::OpenBlockReader(path));
//   LOCKBOX_ASSIGN_OR_RETURN(auto volume, bde::Volume::Open(std::move(reader)));
//   for (const auto& p : volume.metadata().protectors) ...
//
// Open() tries the three metadata copies in order and keeps the first valid one; the status
// of every copy is kept for reporting. Unlocking is in unlock.h; reading plaintext in
// decrypted_volume.h.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "bde/block_reader.h"
#include "bde/metadata.h"
#include "util/status.h"

namespace lockbox::bde {

enum class Variant {
  kWin7,  // "-FVE-FS-" with the BitLocker GUID at 0xA0 (Windows 7 and later)
  kToGo,  // "MSWIN4.1" FAT discovery volume with the GUID at 0x1A8
  kVista, // "-FVE-FS-" with jump EB 52 90, metadata located by LCN
};
const char* VariantName(Variant v);  // "win7", "togo", "vista"

struct VolumeHeader {
  Variant variant = Variant::kWin7;
  uint32_t sector_size = 0;         // bytes per sector: 512 .. 4096, a power of two
  uint8_t sectors_per_cluster = 0;
  std::array<uint64_t, 3> metadata_offsets{};
  bool eow = false;  // the header carries the encrypt-on-write (conversion) GUID
  std::array<uint64_t, 2> eow_offsets{};
};

// Parses sector 0. kNotBitLocker when no signature matches; kCorrupt for a BitLocker header
// with impossible values (sector size 0 or not a power of two, offsets beyond the volume).
Result<VolumeHeader> ParseVolumeHeader(std::span<const uint8_t> sector0, uint64_t volume_size_bytes);

struct MetadataCopyStatus {
  uint64_t offset = 0;
  bool valid = false;
  std::string problem;  // why it was rejected ("" when valid)
};

class Volume {
 public:
  // kNotBitLocker, kCorrupt (no valid metadata copy; the message lists each copy's problem),
  // kUnsupported (e.g. Vista when not handled), kIoError.
  static Result<Volume> Open(std::shared_ptr<const BlockReader> reader);

  const VolumeHeader& header() const { return header_; }
  const Metadata& metadata() const { return metadata_; }
  const std::array<MetadataCopyStatus, 3>& copies() const { return copies_; }
  int used_copy() const { return used_copy_; }  // 0..2
  uint64_t size_bytes() const { return reader_->size_bytes(); }
  const BlockReader& reader() const { return *reader_; }
  std::shared_ptr<const BlockReader> shared_reader() const { return reader_; }

 private:
  std::shared_ptr<const BlockReader> reader_;
  VolumeHeader header_;
  Metadata metadata_;
  std::array<MetadataCopyStatus, 3> copies_;
  int used_copy_ = 0;
};

}  // namespace lockbox::bde
