// libFuzzer: ParseStartupKeyFile on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "bde/startup_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lockbox::bde::ParseStartupKeyFile(std::span<const uint8_t>(data, size));
  return 0;
}
