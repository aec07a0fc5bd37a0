#include "bde/volume.h"

#include <algorithm>
#include <vector>

namespace lockbox::bde {
namespace {

constexpr uint64_t kMetadataRegionSize = 64 * 1024;

std::string OffsetList(std::array<uint64_t, 3> offsets) {
  return std::to_string(offsets[0]) + ", " + std::to_string(offsets[1]) + ", " +
         std::to_string(offsets[2]);
}

// What the volume header cannot check alone: that the copy agrees with it on where the copies
// are, and that the relocated header sectors it names lie inside the volume (the decrypting
// reader reads them).
Status CheckAgainstVolume(const Metadata& m, const VolumeHeader& header, uint64_t size_bytes) {
  auto listed = m.copy_offsets;
  auto expected = header.metadata_offsets;
  std::sort(listed.begin(), listed.end());
  std::sort(expected.begin(), expected.end());
  if (listed != expected) {
    return Status::Corrupt("its copy offsets (" + OffsetList(m.copy_offsets) +
                           ") disagree with the volume header's (" +
                           OffsetList(header.metadata_offsets) + ")");
  }
  const uint64_t relocated_bytes = uint64_t{m.relocated_sector_count} * header.sector_size;
  if (m.header_backup_offset > size_bytes ||
      relocated_bytes > size_bytes - m.header_backup_offset) {
    return Status::Corrupt("its relocated header sectors (" +
                           std::to_string(m.relocated_sector_count) + " at offset " +
                           std::to_string(m.header_backup_offset) + ") lie beyond the volume end");
  }
  return Status::Ok();
}

Result<Metadata> ReadCopy(const BlockReader& reader, const VolumeHeader& header, uint64_t offset) {
  // The header check guarantees offset < size; the last region may be cut by the volume end.
  const uint64_t length = std::min(kMetadataRegionSize, reader.size_bytes() - offset);
  std::vector<uint8_t> block(static_cast<size_t>(length));
  LOCKBOX_RETURN_IF_ERROR(reader.ReadAt(offset, block));
  LOCKBOX_ASSIGN_OR_RETURN(Metadata m, ParseMetadataBlock(block, offset));
  LOCKBOX_RETURN_IF_ERROR(CheckAgainstVolume(m, header, reader.size_bytes()));
  return m;
}

}  // namespace

Result<Volume> Volume::Open(std::shared_ptr<const BlockReader> reader) {
  if (!reader) return Status::InvalidArgument("no volume was given to open");
  const uint64_t size_bytes = reader->size_bytes();
  if (size_bytes < 512) {
    return Status::NotBitLocker("the volume is " + std::to_string(size_bytes) +
                                " bytes long, too small to hold a BitLocker header");
  }
  // Every header field lies in the first 512 bytes, whatever the sector size.
  std::vector<uint8_t> sector0(512);
  LOCKBOX_RETURN_IF_ERROR(reader->ReadAt(0, sector0));
  LOCKBOX_ASSIGN_OR_RETURN(const VolumeHeader header, ParseVolumeHeader(sector0, size_bytes));
  if (header.variant == Variant::kVista) {
    return Status::Unsupported(
        "this is a Windows Vista BitLocker volume, whose metadata layout Lockbox does not read; "
        "open it on Windows 7 or later, or with a tool that supports Vista volumes");
  }

  Volume volume;
  volume.reader_ = std::move(reader);
  volume.header_ = header;
  std::optional<Metadata> chosen;
  std::string problems;
  std::optional<ErrorCode> common_code;  // set while every copy failed the same way
  for (size_t i = 0; i < 3; ++i) {
    MetadataCopyStatus& copy = volume.copies_[i];
    copy.offset = header.metadata_offsets[i];
    auto metadata = ReadCopy(*volume.reader_, header, copy.offset);
    if (metadata.ok()) {
      copy.valid = true;
      if (!chosen) {
        chosen = std::move(*metadata);
        volume.used_copy_ = static_cast<int>(i);
      }
      continue;
    }
    copy.problem = metadata.status().message();
    const ErrorCode code = metadata.status().code();
    common_code = (i == 0 || common_code == code) ? std::optional(code) : std::nullopt;
    problems += "; copy " + std::to_string(i + 1) + " at offset " + std::to_string(copy.offset) +
                ": " + copy.problem;
  }
  if (!chosen) {
    // An I/O error or an unsupported version on every copy says more than "corrupt".
    const ErrorCode code = common_code.value_or(ErrorCode::kCorrupt);
    return Status(code, "no usable BitLocker metadata copy" + problems);
  }
  volume.metadata_ = std::move(*chosen);
  return volume;
}

}  // namespace lockbox::bde
