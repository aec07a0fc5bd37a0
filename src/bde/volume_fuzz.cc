// libFuzzer: Volume::Open over the input as a whole volume, and ParseVolumeHeader on it.
//
// The volume is the input zero-extended to 256 KiB: metadata copies must lie 64 KiB apart, so
// a seed can stay small (header sector plus one copy right after it, see
// fuzz_corpus/make_seeds.py) while its header still names three copies inside the volume.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bde/metadata_test_util.h"
#include "bde/volume.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  (void)lockbox::bde::ParseVolumeHeader(bytes, size);
  constexpr size_t kMinVolumeBytes = 256 * 1024;
  std::vector<uint8_t> volume_bytes(data, data + size);
  if (volume_bytes.size() < kMinVolumeBytes) volume_bytes.resize(kMinVolumeBytes);
  // As in metadata_fuzz.cc: fix the CRC of every copy the header (Windows 7+ or To Go) names.
  if (size >= 512) {
    for (size_t at : {176, 184, 192, 440, 448, 456}) {
      const uint64_t offset = lockbox::LoadLe64(data + at);
      if (offset < size) lockbox::bde::test::FixCrc(volume_bytes, static_cast<size_t>(offset));
    }
  }
  auto volume =
      lockbox::bde::Volume::Open(lockbox::bde::MemoryBlockReader(std::move(volume_bytes)));
  if (volume.ok()) (void)volume->metadata().protectors.size();
  return 0;
}
