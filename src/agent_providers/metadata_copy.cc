#include "agent_providers/metadata_copy.h"

#include <algorithm>

namespace lockbox::agent {
namespace {

constexpr uint64_t kMetadataRegionBytes = 64 * 1024;

}  // namespace

Result<MetadataCopy> ReadMetadataCopy(const bde::Volume& volume) {
  const uint64_t offset = volume.copies()[static_cast<size_t>(volume.used_copy())].offset;
  MetadataCopy copy{.offset = offset, .bytes = {}};
  copy.bytes.resize(
      static_cast<size_t>(std::min(kMetadataRegionBytes, volume.size_bytes() - offset)));
  LOCKBOX_RETURN_IF_ERROR(volume.reader().ReadAt(offset, copy.bytes));
  return copy;
}

}  // namespace lockbox::agent
