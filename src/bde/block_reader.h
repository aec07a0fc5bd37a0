// BlockReader: random-access reading of a volume (image file, block device, memory).
//
// The format code reads only through this interface, so tests can hand it damaged or
// synthetic volumes in memory and the FUSE layer can sit on the same abstraction.
// Implementations must be safe to call from several threads at once (pread semantics).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/status.h"

namespace lockbox::bde {

class BlockReader {
 public:
  virtual ~BlockReader() = default;
  // Total size in bytes.
  virtual uint64_t size_bytes() const = 0;
  // Fills `out` from `offset`. Reading past the end is kIoError naming the offset.
  virtual Status ReadAt(uint64_t offset, std::span<uint8_t> out) const = 0;
};

// Opens an image file or a block device read-only (device size via BLKGETSIZE64; on Windows
// also a volume such as \\.\C:, read in whole sectors as Windows requires).
Result<std::unique_ptr<BlockReader>> OpenBlockReader(const std::string& path);

// A reader over bytes held in memory (tests, fuzzers).
std::unique_ptr<BlockReader> MemoryBlockReader(std::vector<uint8_t> bytes);

// For implementations: kIoError naming `what` unless [offset, offset + length) lies within
// [0, size_bytes).
Status CheckReadRange(uint64_t offset, size_t length, uint64_t size_bytes, const std::string& what);

}  // namespace lockbox::bde
