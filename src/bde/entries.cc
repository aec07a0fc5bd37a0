#include "bde/entries.h"

#include "util/bytes.h"

namespace lockbox::bde {
namespace {

constexpr size_t kEntryHeaderSize = 8;
constexpr size_t kCcmNonceSize = 12;
constexpr size_t kCcmTagSize = 16;

std::string At(size_t offset) { return " at offset " + std::to_string(offset); }

}  // namespace

std::string Hex(uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string digits;
  do {
    digits.insert(digits.begin(), kDigits[value & 0xF]);
    value >>= 4;
  } while (value != 0);
  while (digits.size() < 4) digits.insert(digits.begin(), '0');
  return "0x" + digits;
}

Result<RawEntry> ReadEntry(std::span<const uint8_t> data, size_t pos, size_t base_offset) {
  const size_t offset = base_offset + pos;
  const auto header = CheckedRange(data, pos, kEntryHeaderSize);
  if (!header) {
    return Status::Corrupt("metadata entry" + At(offset) + " is cut off: only " +
                           std::to_string(data.size() - pos) + " bytes remain of its parent");
  }
  ByteReader r(*header);
  const uint16_t size = r.U16();
  RawEntry entry;
  entry.type = r.U16();
  entry.value_type = r.U16();
  entry.version = r.U16();
  entry.offset = offset;
  if (size < kEntryHeaderSize) {
    return Status::Corrupt("metadata entry" + At(offset) + " has size " + std::to_string(size) +
                           ", less than its 8-byte header");
  }
  const auto whole = CheckedRange(data, pos, size);
  if (!whole) {
    return Status::Corrupt("metadata entry" + At(offset) + " (" + std::to_string(size) +
                           " bytes) runs past the end of its parent");
  }
  entry.payload = whole->subspan(kEntryHeaderSize);
  return entry;
}

Result<std::vector<RawEntry>> SplitEntries(std::span<const uint8_t> region, size_t base_offset) {
  std::vector<RawEntry> entries;
  size_t pos = 0;
  while (pos < region.size()) {
    LOCKBOX_ASSIGN_OR_RETURN(RawEntry entry, ReadEntry(region, pos, base_offset));
    pos += kEntryHeaderSize + entry.payload.size();  // >= 8, so the loop always advances
    entries.push_back(entry);
  }
  return entries;
}

Result<std::vector<RawEntry>> NestedEntries(const RawEntry& parent, size_t prefix_size) {
  if (parent.payload.size() < prefix_size) {
    return Status::Corrupt("metadata entry" + At(parent.offset) + " is too short (" +
                           std::to_string(parent.payload.size() + kEntryHeaderSize) +
                           " bytes) for its value type " + Hex(parent.value_type));
  }
  return SplitEntries(parent.payload.subspan(prefix_size),
                      parent.offset + kEntryHeaderSize + prefix_size);
}

Result<crypto::CcmSealed> ParseCcmEntry(const RawEntry& entry, size_t key_size,
                                        const std::string& what) {
  if (entry.value_type != kValueAesCcm) {
    return Status::Corrupt(what + At(entry.offset) + " has value type " + Hex(entry.value_type) +
                           " instead of AES-CCM (0x0005)");
  }
  const size_t expected = kCcmNonceSize + kCcmTagSize + kKeyDatumHeaderSize + key_size;
  if (entry.payload.size() != expected) {
    return Status::Corrupt(what + At(entry.offset) + " holds " +
                           std::to_string(entry.payload.size()) + " bytes of AES-CCM data; a " +
                           std::to_string(key_size) + "-byte key needs " +
                           std::to_string(expected));
  }
  crypto::CcmSealed sealed;
  ByteReader r(entry.payload);
  const auto nonce = r.Bytes(kCcmNonceSize);
  const auto tag = r.Bytes(kCcmTagSize);
  const auto ciphertext = r.Bytes(r.remaining());
  std::copy(nonce.begin(), nonce.end(), sealed.nonce.begin());
  std::copy(tag.begin(), tag.end(), sealed.tag.begin());
  sealed.ciphertext.assign(ciphertext.begin(), ciphertext.end());
  return sealed;
}

Result<std::span<const uint8_t>> ParseKeyEntry(const RawEntry& entry, uint32_t method,
                                               size_t key_size, const std::string& what) {
  ByteReader r(entry.payload);
  const uint32_t found_method = r.U32();
  if (!r.ok()) return Status::Corrupt(what + At(entry.offset) + " is too short for its method");
  if (found_method != method) {
    return Status::Corrupt(what + At(entry.offset) + " has key method " + Hex(found_method) +
                           " instead of " + Hex(method));
  }
  if (r.remaining() != key_size) {
    return Status::Corrupt(what + At(entry.offset) + " holds a " + std::to_string(r.remaining()) +
                           "-byte key instead of " + std::to_string(key_size) + " bytes");
  }
  return r.Bytes(key_size);
}

Result<Guid> ParseGuidEntry(const RawEntry& entry, const std::string& what) {
  if (entry.payload.size() != 16) {
    return Status::Corrupt(what + At(entry.offset) + " holds " +
                           std::to_string(entry.payload.size()) +
                           " bytes instead of a 16-byte GUID");
  }
  return Guid::FromBytes(entry.payload.first<16>());
}

}  // namespace lockbox::bde
