// libFuzzer: ParseMetadataBlock on arbitrary bytes (one metadata region).
//
// The CRC is recomputed before parsing, or nearly every mutation would stop at the CRC check
// and the entry parser behind it would go unexplored (the CRC check has its unit tests).
#include <cstddef>
#include <cstdint>

#include "bde/metadata.h"
#include "bde/metadata_test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lockbox::bde::test::Bytes block(data, data + size);
  lockbox::bde::test::FixCrc(block);
  // The copy's own first listed offset, so inputs get past the own-offset check.
  const uint64_t own_offset = size >= 40 ? lockbox::LoadLe64(data + 32) : 0;
  auto metadata = lockbox::bde::ParseMetadataBlock(block, own_offset);
  if (metadata.ok()) {
    for (const auto& p : metadata->protectors) (void)lockbox::bde::ProtectionTypeName(p.protection);
  }
  return 0;
}
