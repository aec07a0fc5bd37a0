#include "bde/testing/synthetic_volume.h"

#include <algorithm>
#include <cstring>

#include "bde/crc32.h"
#include "bde/metadata.h"
#include "bde/sector_cipher.h"
#include "crypto/aes_ccm.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "recovery/recovery_password.h"
#include "util/bytes.h"
#include "util/text.h"

namespace lockbox::bde::testing {
namespace {

using Bytes = std::vector<uint8_t>;
using Kind = SyntheticProtector::Kind;

constexpr uint64_t kMetadataRegion = 64 * 1024;
constexpr uint64_t kRelocatedBytes = 8 * 1024;      // 16 sectors of 512 bytes, 2 of 4096
constexpr uint64_t kFiletime = 0x01da3c0000000000;  // early 2024
constexpr uint8_t kBitLockerGuid[16] = {0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a,
                                        0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01};

void Put16(Bytes& b, uint16_t v) {
  b.resize(b.size() + 2);
  StoreLe16(&b[b.size() - 2], v);
}
void Put32(Bytes& b, uint32_t v) {
  b.resize(b.size() + 4);
  StoreLe32(&b[b.size() - 4], v);
}
void Put64(Bytes& b, uint64_t v) {
  b.resize(b.size() + 8);
  StoreLe64(&b[b.size() - 8], v);
}
void Put(Bytes& b, std::span<const uint8_t> bytes) {
  b.insert(b.end(), bytes.begin(), bytes.end());
}

Bytes Entry(uint16_t type, uint16_t value_type, std::span<const uint8_t> payload) {
  Bytes e;
  Put16(e, static_cast<uint16_t>(8 + payload.size()));
  Put16(e, type);
  Put16(e, value_type);
  Put16(e, 1);
  Put(e, payload);
  return e;
}

Bytes StringEntry(uint16_t type, const std::string& text) {
  Bytes payload = Utf8ToUtf16Le(text).value();
  Put16(payload, 0);  // NUL terminator
  return Entry(type, 0x2, payload);
}

Result<Guid> RandomGuid() {
  Guid g;
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(g.bytes));
  return g;
}

Result<crypto::SecretBytes> RandomKey(size_t size) {
  crypto::SecretBytes key(size);
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(key.span()));
  return key;
}

// Seals key data as Windows does: a key datum (u16 size, u16 0, u16 value type 1, u16 1,
// u32 method, key) under AES-256-CCM, nonce = creation FILETIME || counter.
class Sealer {
 public:
  Result<Bytes> SealedEntry(uint16_t type, std::span<const uint8_t> wrapping_key, uint32_t method,
                            std::span<const uint8_t> key) {
    crypto::SecretBytes datum(12 + key.size());
    StoreLe16(datum.data(), static_cast<uint16_t>(datum.size()));
    StoreLe16(datum.data() + 4, 1);
    StoreLe16(datum.data() + 6, 1);
    StoreLe32(datum.data() + 8, method);
    std::memcpy(datum.data() + 12, key.data(), key.size());
    std::array<uint8_t, 12> nonce{};
    StoreLe64(nonce.data(), kFiletime);
    StoreLe32(nonce.data() + 8, counter_++);
    LOCKBOX_ASSIGN_OR_RETURN(auto sealed, crypto::AesCcmEncrypt(wrapping_key, nonce, datum.span()));
    Bytes payload;
    Put(payload, sealed.nonce);
    Put(payload, sealed.tag);
    Put(payload, sealed.ciphertext);
    return Entry(type, 0x5, payload);
  }
  uint32_t counter() const { return counter_; }

 private:
  uint32_t counter_ = 0;
};

crypto::SecretBytes Sha256Secret(std::span<const uint8_t> data) {
  auto digest = crypto::Sha256(data);
  crypto::SecretBytes out(digest);
  crypto::Wipe(digest);
  return out;
}

// One protector: its VMK entry, and what the test needs to open it.
Result<Bytes> ProtectorEntry(const SyntheticProtector& spec, const SyntheticVolumeSpec& volume,
                             const Guid& volume_guid, const crypto::SecretBytes& vmk,
                             Sealer& sealer, SyntheticVolume::Protector& out) {
  out.kind = spec.kind;
  LOCKBOX_ASSIGN_OR_RETURN(out.guid, RandomGuid());
  Bytes nested;
  crypto::SecretBytes wrapping_key;
  uint16_t protection = 0;
  switch (spec.kind) {
    case Kind::kRecoveryPassword:
    case Kind::kPassword: {
      crypto::SecretBytes initial;
      uint32_t stretch_method = 0;
      if (spec.kind == Kind::kRecoveryPassword) {
        protection = static_cast<uint16_t>(ProtectionType::kRecoveryPassword);
        stretch_method = 0x1000;
        auto password = spec.secret.empty() ? recovery::RecoveryPassword::Generate()
                                            : recovery::RecoveryPassword::Parse(spec.secret);
        LOCKBOX_RETURN_IF_ERROR(password.status());
        out.secret = password->ToString();
        initial = Sha256Secret(password->key().span());
      } else {
        protection = static_cast<uint16_t>(ProtectionType::kPassword);
        stretch_method = 0x1001;
        out.secret = spec.secret;
        LOCKBOX_ASSIGN_OR_RETURN(auto utf16, Utf8ToUtf16Le(spec.secret));
        auto once = Sha256Secret(utf16);
        initial = Sha256Secret(once.span());
      }
      std::array<uint8_t, 16> salt{};
      LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(salt));
      Bytes stretch;
      Put32(stretch, stretch_method);
      Put(stretch, salt);
      Put(nested, Entry(0x0, 0x3, stretch));
      wrapping_key = crypto::StretchKey(std::span<const uint8_t, 32>(initial.data(), 32), salt,
                                        volume.key_stretch_rounds);
      break;
    }
    case Kind::kStartupKey: {
      protection = static_cast<uint16_t>(ProtectionType::kStartupKey);
      LOCKBOX_ASSIGN_OR_RETURN(wrapping_key, RandomKey(32));
      Put(nested, StringEntry(0x0, "ExternalKey"));
      Bytes use_key;
      Put32(use_key, 0x2002);
      Put(nested, Entry(0x0, 0x4, use_key));
      // The .BEK file, Windows 11 style (with the volume GUID entry).
      Bytes external;
      Put(external, out.guid.bytes);
      Put64(external, kFiletime);
      Put(external, StringEntry(0x0, "ExternalKey"));
      Bytes key_payload;
      Put32(key_payload, 0x2002);
      Put(key_payload, wrapping_key.span());
      Put(external, Entry(0x0, 0x1, key_payload));
      Put(external, Entry(0x19, 0x17, volume_guid.bytes));
      const Bytes entry = Entry(0x6, 0x9, external);
      Bytes& bek = out.bek_file;
      const auto file_size = static_cast<uint32_t>(48 + entry.size());
      Put32(bek, file_size);
      Put32(bek, 1);
      Put32(bek, 48);
      Put32(bek, file_size);
      Put(bek, out.guid.bytes);
      Put32(bek, 1);
      Put32(bek, 0);
      Put64(bek, kFiletime);
      Put(bek, entry);
      crypto::Wipe(key_payload);
      crypto::Wipe(external);
      break;
    }
    case Kind::kClearKey: {
      protection = static_cast<uint16_t>(ProtectionType::kClearKey);
      LOCKBOX_ASSIGN_OR_RETURN(wrapping_key, RandomKey(32));
      Bytes key_payload;
      Put32(key_payload, 0x2000);
      Put(key_payload, wrapping_key.span());
      Put(nested, Entry(0x0, 0x1, key_payload));
      break;
    }
    case Kind::kTpm: {
      protection = static_cast<uint16_t>(ProtectionType::kTpm);
      LOCKBOX_ASSIGN_OR_RETURN(wrapping_key, RandomKey(32));
      Bytes blob(64);
      LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(blob));
      Put(nested, Entry(0x0, 0x6, blob));
      break;
    }
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto wrapped_vmk,
                           sealer.SealedEntry(0x0, wrapping_key.span(), 0x2003, vmk.span()));
  Put(nested, wrapped_vmk);
  Bytes payload;
  Put(payload, out.guid.bytes);
  Put64(payload, kFiletime);
  Put16(payload, 0);
  Put16(payload, protection);
  Put(payload, nested);
  return Entry(0x2, 0x8, payload);
}

Bytes VolumeHeaderSector(const SyntheticVolumeSpec& spec, const std::array<uint64_t, 3>& metadata) {
  Bytes s(spec.sector_size, 0);
  const uint8_t jump[3] = {0xEB, 0x58, 0x90};
  std::memcpy(s.data(), jump, 3);
  std::memcpy(s.data() + 3, "-FVE-FS-", 8);
  StoreLe16(&s[11], static_cast<uint16_t>(spec.sector_size));
  s[13] = static_cast<uint8_t>(std::max<uint32_t>(1, 4096 / spec.sector_size));
  s[21] = 0xF8;  // media descriptor: fixed disk
  std::memcpy(&s[0xA0], kBitLockerGuid, 16);
  for (int i = 0; i < 3; ++i) StoreLe64(&s[176 + 8 * i], metadata[i]);
  s[510] = 0x55;
  s[511] = 0xAA;
  return s;
}

}  // namespace

std::vector<uint8_t> SyntheticPattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> out(size);
  uint64_t x = 0x9E3779B97F4A7C15ull * (seed + 1);
  for (size_t i = 0; i + 8 <= size; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    StoreLe64(&out[i], x);
  }
  return out;
}

void RecomputeMetadataCrc(std::vector<uint8_t>& image, uint64_t offset) {
  uint8_t* block = &image[offset];
  const size_t block_bytes = size_t{LoadLe16(block + 8)} * 16;
  StoreLe32(block + block_bytes + 4, Crc32(std::span<const uint8_t>(block, block_bytes)));
}

Result<SyntheticVolume> BuildSyntheticVolume(const SyntheticVolumeSpec& spec) {
  const auto info = DescribeMethod(spec.method);
  if (!info) return Status::InvalidArgument("unknown method");
  const uint64_t size = spec.size_bytes;
  if (size < (1 << 20) || size % kMetadataRegion != 0) {
    return Status::InvalidArgument("synthetic volumes are at least 1 MiB, in 64 KiB steps");
  }
  if (!spec.plaintext.empty() && spec.plaintext.size() != size) {
    return Status::InvalidArgument("the plaintext must be as large as the volume");
  }
  const uint64_t encrypted = std::min(size, spec.encrypted_size_bytes.value_or(size));
  if (encrypted % spec.sector_size != 0) {
    return Status::InvalidArgument("the encrypted size must be a multiple of the sector size");
  }

  SyntheticVolume v;
  for (int i = 0; i < 3; ++i) {
    v.metadata_offsets[i] = size * (i + 1) / 4 / kMetadataRegion * kMetadataRegion;
  }
  v.header_backup_offset = v.metadata_offsets[0] + kMetadataRegion;
  LOCKBOX_ASSIGN_OR_RETURN(v.volume_guid, RandomGuid());
  LOCKBOX_ASSIGN_OR_RETURN(v.vmk, RandomKey(32));
  LOCKBOX_ASSIGN_OR_RETURN(v.fvek, RandomKey(info->fvek_size_bytes));

  // Sectors: the first kRelocatedBytes of the plaintext live at the header backup offset;
  // everything below the encrypted size is encrypted where it lies.
  const Bytes plaintext = spec.plaintext.empty() ? SyntheticPattern(size, 1) : spec.plaintext;
  v.image = plaintext;
  std::fill(v.image.begin(), v.image.begin() + kRelocatedBytes, 0);
  std::copy_n(plaintext.begin(), kRelocatedBytes, v.image.begin() + v.header_backup_offset);
  LOCKBOX_ASSIGN_OR_RETURN(auto cipher,
                           SectorCipher::Create(spec.method, v.fvek.span(), spec.sector_size));
  if (encrypted > kRelocatedBytes) {
    LOCKBOX_RETURN_IF_ERROR(cipher->Encrypt(
        kRelocatedBytes, std::span(v.image).subspan(kRelocatedBytes, encrypted - kRelocatedBytes)));
  }
  v.expected_plaintext = plaintext;
  std::fill_n(v.expected_plaintext.begin() + v.header_backup_offset, kRelocatedBytes, 0);
  for (uint64_t o : v.metadata_offsets)
    std::fill_n(v.expected_plaintext.begin() + o, kMetadataRegion, 0);

  // Metadata entries.
  Sealer sealer;
  Bytes entries = StringEntry(0x7, spec.description);
  for (const SyntheticProtector& p : spec.protectors) {
    SyntheticVolume::Protector out;
    LOCKBOX_ASSIGN_OR_RETURN(auto entry,
                             ProtectorEntry(p, spec, v.volume_guid, v.vmk, sealer, out));
    Put(entries, entry);
    v.protectors.push_back(std::move(out));
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto fvek_entry,
                           sealer.SealedEntry(0x3, v.vmk.span(), spec.method, v.fvek.span()));
  Put(entries, fvek_entry);
  Bytes header_block;
  Put64(header_block, v.header_backup_offset);
  Put64(header_block, kRelocatedBytes);
  Put(entries, Entry(0xF, 0xF, header_block));

  // Block header, metadata header, entries; then the validation header and sealed hash.
  const auto metadata_size = static_cast<uint32_t>(48 + entries.size());
  const size_t block_bytes = (64 + metadata_size + 15) / 16 * 16;
  Bytes block;
  Put(block, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("-FVE-FS-"), 8));
  Put16(block, static_cast<uint16_t>(block_bytes / 16));
  Put16(block, 2);
  Put16(block, spec.state);
  Put16(block, spec.state);
  Put64(block, encrypted);
  Put32(block, 0);
  Put32(block, static_cast<uint32_t>(kRelocatedBytes / spec.sector_size));
  for (uint64_t o : v.metadata_offsets) Put64(block, o);
  Put64(block, v.header_backup_offset);
  Put32(block, metadata_size);
  Put32(block, 1);
  Put32(block, 48);
  Put32(block, metadata_size);
  Put(block, v.volume_guid.bytes);
  const size_t nonce_counter_at = block.size();
  Put32(block, 0);
  Put16(block, spec.method);
  Put16(block, 0);
  Put64(block, kFiletime);
  Put(block, entries);
  block.resize(block_bytes, 0);
  // The hash entry is sealed last, so the final nonce counter is known before hashing.
  StoreLe32(&block[nonce_counter_at], sealer.counter() + 1);
  const auto digest = crypto::Sha256(block);
  LOCKBOX_ASSIGN_OR_RETURN(auto hash_entry, sealer.SealedEntry(0x0, v.vmk.span(), 0x2005, digest));
  Put16(block, static_cast<uint16_t>(kMetadataRegion - block_bytes));
  Put16(block, 2);
  Put32(block, Crc32(std::span(block).first(block_bytes)));
  Put(block, hash_entry);
  for (uint64_t o : v.metadata_offsets) {
    std::fill_n(v.image.begin() + o, kMetadataRegion, 0);
    std::copy(block.begin(), block.end(), v.image.begin() + o);
  }
  const Bytes header = VolumeHeaderSector(spec, v.metadata_offsets);
  std::copy(header.begin(), header.end(), v.image.begin());
  return v;
}

}  // namespace lockbox::bde::testing
