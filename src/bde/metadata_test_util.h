// Test helpers: hand-made metadata entries and blocks, and bytes of the real test images.
//
// A hand-made block gets a correct CRC so that it reaches the checks behind the CRC.
#pragma once

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "bde/crc32.h"
#include "util/bytes.h"

namespace lockbox::bde::test {

using Bytes = std::vector<uint8_t>;

inline Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes Le16(uint16_t v) { return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)}; }
inline Bytes Le32(uint32_t v) {
  Bytes b(4);
  StoreLe32(b.data(), v);
  return b;
}
inline Bytes Le64(uint64_t v) {
  Bytes b(8);
  StoreLe64(b.data(), v);
  return b;
}
inline Bytes Filled(size_t n, uint8_t value) { return Bytes(n, value); }

// An entry: u16 size (8 + payload unless `size_override`), type, value type, version.
inline Bytes Entry(uint16_t type, uint16_t value_type, const Bytes& payload, int size_override = -1,
                   uint16_t version = 1) {
  const auto size = static_cast<uint16_t>(size_override >= 0 ? size_override : 8 + payload.size());
  return Cat({Le16(size), Le16(type), Le16(value_type), Le16(version), payload});
}

// An AES-CCM entry holding a key datum of `key_size` bytes (contents are arbitrary).
inline Bytes CcmEntry(uint16_t type, size_t key_size) {
  return Entry(type, 5, Filled(12 + 16 + 12 + key_size, 0xC3));
}

// "ab" as UTF-16LE with a terminating NUL.
inline Bytes Utf16(const std::string& ascii) {
  Bytes out;
  for (char c : ascii) out.insert(out.end(), {static_cast<uint8_t>(c), 0});
  out.insert(out.end(), {0, 0});
  return out;
}

// A VMK entry: GUID bytes 0x11.., FILETIME 1, protection, then nested entries.
inline Bytes VmkEntry(uint16_t protection, const Bytes& nested, uint8_t guid_byte = 0x11) {
  return Entry(2, 8, Cat({Filled(16, guid_byte), Le64(1), Le16(0), Le16(protection), nested}));
}

inline Bytes StretchKeyEntry(uint32_t method, uint8_t salt_byte, const Bytes& nested) {
  return Entry(0, 3, Cat({Le32(method), Filled(16, salt_byte), nested}));
}

// Recomputes the CRC-32 of the v2 block at `at` from its block size field, if the block and
// its validation header lie inside `bytes` (fuzzers call it on arbitrary input).
inline void FixCrc(Bytes& bytes, size_t at = 0) {
  if (at > bytes.size() || bytes.size() - at < 10) return;
  const size_t block_bytes = size_t{LoadLe16(&bytes[at + 8])} * 16;
  if (bytes.size() - at < block_bytes + 8) return;
  StoreLe32(&bytes[at + block_bytes + 4], Crc32(std::span(bytes).subspan(at, block_bytes)));
}

struct BlockOptions {
  uint64_t own_offset = 0x100000;
  std::array<uint64_t, 3> copy_offsets = {0x100000, 0x200000, 0x300000};
  uint16_t method = 0x8004;  // XTS-AES-128: a 32-byte FVEK
  size_t region_size = 64 * 1024;
};

// A 64 KiB metadata region: block header, metadata header, `entries`, validation header with
// a correct CRC and a validation hash entry.
inline Bytes BuildBlock(const Bytes& entries, const BlockOptions& o = {}) {
  const size_t metadata_size = 48 + entries.size();
  const size_t block_bytes = (64 + metadata_size + 15) / 16 * 16;
  Bytes block(o.region_size, 0);
  const Bytes header = Cat({{'-', 'F', 'V', 'E', '-', 'F', 'S', '-'},
                            Le16(static_cast<uint16_t>(block_bytes / 16)),
                            Le16(2),
                            Le16(4),
                            Le16(4),
                            Le64(0x6400000),
                            Le32(0),
                            Le32(16),
                            Le64(o.copy_offsets[0]),
                            Le64(o.copy_offsets[1]),
                            Le64(o.copy_offsets[2]),
                            Le64(0x110000)});
  const Bytes metadata_header = Cat({Le32(static_cast<uint32_t>(metadata_size)), Le32(1), Le32(48),
                                     Le32(static_cast<uint32_t>(metadata_size)), Filled(16, 0x5A),
                                     Le32(10), Le16(o.method), Le16(0), Le64(132066973151562352)});
  const Bytes validation = Cat({Le16(static_cast<uint16_t>(o.region_size - block_bytes)), Le16(2),
                                Le32(0), CcmEntry(0, 32)});
  const Bytes body = Cat({header, metadata_header, entries});
  std::copy(body.begin(), body.end(), block.begin());
  std::copy(validation.begin(), validation.end(), block.begin() + static_cast<long>(block_bytes));
  FixCrc(block);
  return block;
}

// `size` bytes of a file from `offset` (the real images are sparse files of 100+ MiB).
inline Bytes ReadFileBytes(const std::string& path, uint64_t offset, size_t size) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  Bytes out(size);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(size));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

inline Bytes ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<size_t>(in.tellg());
  return ReadFileBytes(path, 0, size);
}

}  // namespace lockbox::bde::test
