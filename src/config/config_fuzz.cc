// Feeds arbitrary bytes to the config parser: it must return a config or an error, never
// crash or throw, and a config it accepts must survive FormatConfig -> ParseConfig unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = lockbox::config::ParseConfig(text, "fuzz.toml", "/data");
  if (!config.ok()) return 0;
  auto again =
      lockbox::config::ParseConfig(lockbox::config::FormatConfig(*config), "again.toml", "/other");
  if (!again.ok() || !(*again == *config)) std::abort();
  return 0;
}
