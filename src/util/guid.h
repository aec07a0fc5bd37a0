// A Microsoft GUID as stored on disk: 16 bytes, the first three fields little-endian.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/status.h"

namespace lockbox {

struct Guid {
  std::array<uint8_t, 16> bytes{};

  // From the 16 on-disk bytes (mixed-endian layout).
  static Guid FromBytes(std::span<const uint8_t, 16> raw);
  // From text "8f595209-f5b9-49a0-85d4-cb8f80258c27", braces and any case accepted.
  static Result<Guid> Parse(std::string_view text);
  // Lower-case canonical text form, without braces.
  std::string ToString() const;
  bool IsZero() const;

  friend bool operator==(const Guid&, const Guid&) = default;
};

// For unordered containers keyed by GUID.
struct GuidHash {
  size_t operator()(const Guid& id) const;
};

}  // namespace lockbox
