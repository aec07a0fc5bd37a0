#include "util/guid.h"

#include <cstring>
#include <string>

namespace lockbox {
namespace {
// Position in the on-disk bytes of each of the 16 bytes in text order.
constexpr int kTextOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Guid Guid::FromBytes(std::span<const uint8_t, 16> raw) {
  Guid g;
  std::copy(raw.begin(), raw.end(), g.bytes.begin());
  return g;
}

Result<Guid> Guid::Parse(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return Status::InvalidArgument(
        "'" + std::string(text) +
        "' is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
  }
  Guid g;
  int byte_index = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("'" + std::string(text) + "' has a character that is not hex");
    }
    g.bytes[kTextOrder[byte_index++]] = static_cast<uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return g;
}

std::string Guid::ToString() const {
  // The store formats GUIDs for every query: this runs often enough for snprintf to show.
  constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t at = 0;
  for (const int index : kTextOrder) {
    if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
    const uint8_t b = bytes[static_cast<size_t>(index)];
    out[at++] = kHex[b >> 4];
    out[at++] = kHex[b & 15];
  }
  return out;
}

size_t GuidHash::operator()(const Guid& id) const {
  // Both halves mixed, for GUIDs that are not random (sequential ones differ in a few bytes).
  uint64_t low = 0;
  uint64_t high = 0;
  std::memcpy(&low, id.bytes.data(), sizeof low);
  std::memcpy(&high, id.bytes.data() + sizeof low, sizeof high);
  return static_cast<size_t>(low ^ (high * 0x9e3779b97f4a7c15ULL));
}

bool Guid::IsZero() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace lockbox
