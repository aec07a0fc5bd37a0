// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320), which BitLocker stores in
// each metadata copy's validation header to catch damage (not tampering: see the SHA-256).
#pragma once

#include <cstdint>
#include <span>

namespace lockbox::bde {

uint32_t Crc32(std::span<const uint8_t> bytes);

}  // namespace lockbox::bde
