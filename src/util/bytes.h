// Bounds-checked little-endian reading of outside data.
//
// ByteReader walks a span; every read checks that the bytes exist and, when they do not,
// leaves the reader failed and returns zero, so a parser can read a whole structure and check
// ok() once. Offsets and sizes from the data itself go through Sub() and
// CheckedRange() so that u64 overflow and out-of-range slices are caught in one place.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace lockbox {

inline uint16_t LoadLe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t LoadLe64(const uint8_t* p) {
  return static_cast<uint64_t>(LoadLe32(p)) | (static_cast<uint64_t>(LoadLe32(p + 4)) << 32);
}
inline void StoreLe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void StoreLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void StoreLe64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// [offset, offset + size) as a sub-span of `data`, or nullopt if it does not fit (overflow-safe).
inline std::optional<std::span<const uint8_t>> CheckedRange(std::span<const uint8_t> data,
                                                            uint64_t offset, uint64_t size) {
  if (offset > data.size() || size > data.size() - offset) return std::nullopt;
  return data.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
}

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }

  uint8_t U8() { return Take(1) ? data_[pos_ - 1] : 0; }
  uint16_t U16() { return Take(2) ? LoadLe16(&data_[pos_ - 2]) : 0; }
  uint32_t U32() { return Take(4) ? LoadLe32(&data_[pos_ - 4]) : 0; }
  uint64_t U64() { return Take(8) ? LoadLe64(&data_[pos_ - 8]) : 0; }
  // The next n bytes (empty and failed if there are fewer).
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Take(n)) return {};
    return data_.subspan(pos_ - n, n);
  }
  void Skip(size_t n) { Take(n); }

 private:
  bool Take(size_t n) {
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace lockbox
