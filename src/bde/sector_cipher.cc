#include "bde/sector_cipher.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "bde/elephant_diffuser.h"
#include "bde/entries.h"
#include "bde/metadata.h"
#include "crypto/aes.h"
#include "util/bytes.h"

namespace lockbox::bde {
namespace {

using crypto::AesCbc;
using crypto::AesEcb;
using crypto::AesXts;
using crypto::Direction;

// Runs are cut into chunks that stay in the L2 cache together with their scratch copy and
// IV blocks. A multiple of every supported sector size.
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kBlock = 16;

// le128(value): the block BitLocker encrypts to get an IV, a sector key or an XTS tweak.
void StoreLe128(uint8_t* block, uint64_t value) {
  StoreLe64(block, value);
  std::memset(block + 8, 0, 8);
}

inline void XorBlock(uint8_t* out, const uint8_t* a, const uint8_t* b) {
  uint64_t x[2], y[2];
  std::memcpy(x, a, kBlock);
  std::memcpy(y, b, kBlock);
  x[0] ^= y[0];
  x[1] ^= y[1];
  std::memcpy(out, x, kBlock);
}

// Applies `f(offset, chunk)` to consecutive chunks of `sectors`.
template <typename F>
Status ForEachChunk(uint64_t offset, std::span<uint8_t> sectors, F f) {
  for (size_t pos = 0; pos < sectors.size(); pos += kChunkBytes) {
    const size_t size = std::min(kChunkBytes, sectors.size() - pos);
    LOCKBOX_RETURN_IF_ERROR(f(offset + pos, sectors.subspan(pos, size)));
  }
  return Status::Ok();
}

// AES-CBC with BitLocker's encrypted-offset IVs. Decryption does not call CBC per sector:
// it ECB-decrypts a whole chunk in one call (AES-NI runs 8 blocks in parallel that way, and
// a 512-byte sector is too short to amortise a per-call set-up) and then XORs each block
// with the previous ciphertext block, or with the sector's IV for its first block.
class CbcCore {
 public:
  static Result<CbcCore> Create(std::span<const uint8_t> key, uint32_t sector_size) {
    LOCKBOX_ASSIGN_OR_RETURN(auto iv_maker, AesEcb::Create(key, Direction::kEncrypt));
    LOCKBOX_ASSIGN_OR_RETURN(auto block_decrypt, AesEcb::Create(key, Direction::kDecrypt));
    LOCKBOX_ASSIGN_OR_RETURN(auto encrypt, AesCbc::Create(key, Direction::kEncrypt));
    return CbcCore(std::move(iv_maker), std::move(block_decrypt), std::move(encrypt), sector_size);
  }

  // One chunk (at most kChunkBytes) in place.
  Status Decrypt(uint64_t offset, std::span<uint8_t> chunk) {
    LOCKBOX_RETURN_IF_ERROR(MakeIvs(offset, chunk.size()));
    LOCKBOX_RETURN_IF_ERROR(block_decrypt_.Process(chunk, std::span(scratch_).first(chunk.size())));
    const uint8_t* plain = scratch_.data();
    for (size_t s = 0; s < chunk.size() / sector_size_; ++s) {
      uint8_t* block = chunk.data() + s * sector_size_;
      uint8_t* end = block + sector_size_;
      alignas(16) uint8_t previous[kBlock];
      std::memcpy(previous, ivs_.data() + s * kBlock, kBlock);
      for (; block < end; block += kBlock, plain += kBlock) {
        alignas(16) uint8_t cipher[kBlock];
        std::memcpy(cipher, block, kBlock);
        XorBlock(block, plain, previous);
        std::memcpy(previous, cipher, kBlock);
      }
    }
    return Status::Ok();
  }

  Status Encrypt(uint64_t offset, std::span<uint8_t> chunk) {
    LOCKBOX_RETURN_IF_ERROR(MakeIvs(offset, chunk.size()));
    for (size_t s = 0; s < chunk.size() / sector_size_; ++s) {
      auto sector = chunk.subspan(s * sector_size_, sector_size_);
      LOCKBOX_RETURN_IF_ERROR(encrypt_.Process(
          std::span<const uint8_t, kBlock>(ivs_.data() + s * kBlock, kBlock), sector, sector));
    }
    return Status::Ok();
  }

 private:
  CbcCore(AesEcb iv_maker, AesEcb block_decrypt, AesCbc encrypt, uint32_t sector_size)
      : iv_maker_(std::move(iv_maker)),
        block_decrypt_(std::move(block_decrypt)),
        encrypt_(std::move(encrypt)),
        sector_size_(sector_size),
        scratch_(kChunkBytes),
        ivs_(kChunkBytes / 512 * kBlock) {}

  // The IVs of the chunk's sectors, in one ECB call.
  Status MakeIvs(uint64_t offset, size_t chunk_size) {
    const size_t count = chunk_size / sector_size_;
    for (size_t s = 0; s < count; ++s) StoreLe128(&ivs_[s * kBlock], offset + s * sector_size_);
    auto blocks = std::span(ivs_).first(count * kBlock);
    return iv_maker_.Process(blocks, blocks);
  }

  AesEcb iv_maker_;
  AesEcb block_decrypt_;
  AesCbc encrypt_;
  uint32_t sector_size_;
  std::vector<uint8_t> scratch_;
  std::vector<uint8_t> ivs_;
};

class CbcCipher : public SectorCipher {
 public:
  CbcCipher(CbcCore core, uint32_t sector_size)
      : SectorCipher(sector_size), core_(std::move(core)) {}

  Status Decrypt(uint64_t offset, std::span<uint8_t> sectors) override {
    LOCKBOX_RETURN_IF_ERROR(CheckRun(offset, sectors.size()));
    return ForEachChunk(offset, sectors,
                        [this](uint64_t o, std::span<uint8_t> c) { return core_.Decrypt(o, c); });
  }
  Status Encrypt(uint64_t offset, std::span<uint8_t> sectors) override {
    LOCKBOX_RETURN_IF_ERROR(CheckRun(offset, sectors.size()));
    return ForEachChunk(offset, sectors,
                        [this](uint64_t o, std::span<uint8_t> c) { return core_.Encrypt(o, c); });
  }

 private:
  CbcCore core_;
};

// AES-CBC + Elephant diffuser: plaintext XOR sector key -> diffuser A -> diffuser B -> CBC.
class ElephantCipher : public SectorCipher {
 public:
  ElephantCipher(CbcCore core, AesEcb sector_key_maker, uint32_t sector_size)
      : SectorCipher(sector_size),
        core_(std::move(core)),
        sector_key_maker_(std::move(sector_key_maker)),
        sector_keys_(kChunkBytes / 512 * kSectorKeyBytes) {}

  Status Decrypt(uint64_t offset, std::span<uint8_t> sectors) override {
    LOCKBOX_RETURN_IF_ERROR(CheckRun(offset, sectors.size()));
    return ForEachChunk(offset, sectors, [this](uint64_t o, std::span<uint8_t> c) {
      LOCKBOX_RETURN_IF_ERROR(core_.Decrypt(o, c));
      ElephantDiffuserDecrypt(c, sector_size());
      return XorSectorKeys(o, c);
    });
  }
  Status Encrypt(uint64_t offset, std::span<uint8_t> sectors) override {
    LOCKBOX_RETURN_IF_ERROR(CheckRun(offset, sectors.size()));
    return ForEachChunk(offset, sectors, [this](uint64_t o, std::span<uint8_t> c) {
      LOCKBOX_RETURN_IF_ERROR(XorSectorKeys(o, c));
      ElephantDiffuserEncrypt(c, sector_size());
      return core_.Encrypt(o, c);
    });
  }

 private:
  static constexpr size_t kSectorKeyBytes = 32;

  Status XorSectorKeys(uint64_t offset, std::span<uint8_t> chunk) {
    const size_t count = chunk.size() / sector_size();
    for (size_t s = 0; s < count; ++s) {
      uint8_t* key = &sector_keys_[s * kSectorKeyBytes];
      StoreLe128(key, offset + s * sector_size());
      StoreLe128(key + kBlock, offset + s * sector_size());
      key[kBlock + 15] = 0x80;
    }
    auto keys = std::span(sector_keys_).first(count * kSectorKeyBytes);
    LOCKBOX_RETURN_IF_ERROR(sector_key_maker_.Process(keys, keys));
    for (size_t s = 0; s < count; ++s) {
      uint64_t k[kSectorKeyBytes / 8];
      std::memcpy(k, &sector_keys_[s * kSectorKeyBytes], kSectorKeyBytes);
      uint8_t* sector = chunk.data() + s * sector_size();
      for (size_t pos = 0; pos < sector_size(); pos += kSectorKeyBytes) {
        uint64_t w[kSectorKeyBytes / 8];
        std::memcpy(w, sector + pos, kSectorKeyBytes);
        for (size_t i = 0; i < 4; ++i) w[i] ^= k[i];
        std::memcpy(sector + pos, w, kSectorKeyBytes);
      }
    }
    return Status::Ok();
  }

  CbcCore core_;
  AesEcb sector_key_maker_;
  std::vector<uint8_t> sector_keys_;
};

// An XTS tweak as a 128-bit little-endian number, multiplied by powers of alpha in
// GF(2^128) modulo x^128 + x^7 + x^2 + x + 1 (IEEE 1619).
struct Tweak {
  uint64_t lo = 0;
  uint64_t hi = 0;

  Tweak TimesAlpha() const {
    return {(lo << 1) ^ (0x87 & (0 - (hi >> 63))), (hi << 1) | (lo >> 63)};
  }
  // XORs the tweak into a 16-byte block and keeps a copy for after the block cipher.
  void ApplyTo(uint8_t* block, uint64_t* saved) const {
    uint64_t words[2];
    std::memcpy(words, block, sizeof words);
    words[0] ^= lo;
    words[1] ^= hi;
    std::memcpy(block, words, sizeof words);
    saved[0] = lo;
    saved[1] = hi;
  }
  // A shift by four bits; the four bits shifted out are reduced by the table below.
  Tweak TimesAlpha4() const { return {(lo << 4) ^ kReduce4[hi >> 60], (hi << 4) | (lo >> 60)}; }

  // kReduce4[b] = b * 0x87 carried out without carries: x^(128+i) = x^i * 0x87.
  static constexpr std::array<uint64_t, 16> kReduce4 = [] {
    std::array<uint64_t, 16> table{};
    for (uint64_t b = 0; b < 16; ++b) {
      for (int bit = 0; bit < 4; ++bit) {
        if ((b >> bit) & 1) table[b] ^= uint64_t{0x87} << bit;
      }
    }
    return table;
  }();
};

// XTS-AES (IEEE 1619). Block j of sector n is P = D_K1(C ^ T) ^ T with the tweak
// T = E_K2(le128(n)) * alpha^j in GF(2^128). OpenSSL's XTS needs a call per sector, and setting
// up each call costs about as much as decrypting a 512-byte sector; so decryption of small
// sectors computes the tweaks of a whole chunk itself (one ECB call for the sectors' first
// tweaks, multiplications by alpha for the rest) and decrypts the chunk's blocks in one ECB
// call. 4096-byte sectors amortise the set-up and use OpenSSL per sector, as does encryption
// (tests and synthetic volumes), which so cross-checks the bulk path.
class XtsCipher : public SectorCipher {
 public:
  static Result<std::unique_ptr<SectorCipher>> Create(std::span<const uint8_t> fvek,
                                                      uint32_t sector_size) {
    const size_t half = fvek.size() / 2;
    LOCKBOX_ASSIGN_OR_RETURN(auto data_decrypt,
                             AesEcb::Create(fvek.first(half), Direction::kDecrypt));
    LOCKBOX_ASSIGN_OR_RETURN(auto tweak_encrypt,
                             AesEcb::Create(fvek.subspan(half), Direction::kEncrypt));
    LOCKBOX_ASSIGN_OR_RETURN(auto decrypt, AesXts::Create(fvek, Direction::kDecrypt));
    LOCKBOX_ASSIGN_OR_RETURN(auto encrypt, AesXts::Create(fvek, Direction::kEncrypt));
    return std::unique_ptr<SectorCipher>(new XtsCipher(std::move(data_decrypt),
                                                       std::move(tweak_encrypt), std::move(decrypt),
                                                       std::move(encrypt), sector_size));
  }

  Status Decrypt(uint64_t offset, std::span<uint8_t> sectors) override {
    if (sector_size() >= kPerSectorCallBytes) return PerSector(decrypt_, offset, sectors);
    LOCKBOX_RETURN_IF_ERROR(CheckRun(offset, sectors.size()));
    return ForEachChunk(offset, sectors,
                        [this](uint64_t o, std::span<uint8_t> c) { return DecryptChunk(o, c); });
  }

  Status Encrypt(uint64_t offset, std::span<uint8_t> sectors) override {
    return PerSector(encrypt_, offset, sectors);
  }

 private:
  XtsCipher(AesEcb data_decrypt, AesEcb tweak_encrypt, AesXts decrypt, AesXts encrypt,
            uint32_t sector_size)
      : SectorCipher(sector_size),
        data_decrypt_(std::move(data_decrypt)),
        tweak_encrypt_(std::move(tweak_encrypt)),
        decrypt_(std::move(decrypt)),
        encrypt_(std::move(encrypt)),
        first_tweaks_(kChunkBytes / 512 * kBlock),
        tweaks_(kXtsPieceBytes / 8) {}

  // One OpenSSL XTS call per sector.
  Status PerSector(AesXts& xts, uint64_t offset, std::span<uint8_t> sectors) {
    LOCKBOX_RETURN_IF_ERROR(CheckRun(offset, sectors.size()));
    const uint64_t first_sector = offset / sector_size();
    alignas(16) uint8_t tweak[kBlock];
    for (size_t s = 0; s < sectors.size() / sector_size(); ++s) {
      StoreLe128(tweak, first_sector + s);
      auto sector = sectors.subspan(s * sector_size(), sector_size());
      LOCKBOX_RETURN_IF_ERROR(xts.Process(tweak, sector, sector));
    }
    return Status::Ok();
  }

  Status DecryptChunk(uint64_t offset, std::span<uint8_t> chunk) {
    const size_t sectors = chunk.size() / sector_size();
    const uint64_t first_sector = offset / sector_size();
    for (size_t s = 0; s < sectors; ++s) StoreLe128(&first_tweaks_[s * kBlock], first_sector + s);
    auto first = std::span(first_tweaks_).first(sectors * kBlock);
    LOCKBOX_RETURN_IF_ERROR(tweak_encrypt_.Process(first, first));
    // Pieces small enough that a piece and its tweaks stay in the L1 cache between the
    // three passes over them.
    for (size_t pos = 0; pos < chunk.size(); pos += kXtsPieceBytes) {
      const size_t size = std::min(kXtsPieceBytes, chunk.size() - pos);
      LOCKBOX_RETURN_IF_ERROR(
          DecryptPiece(chunk.subspan(pos, size), &first_tweaks_[pos / sector_size() * kBlock]));
    }
    return Status::Ok();
  }

  // Decrypts whole sectors whose first tweaks (E_K2 of the sector numbers) are given.
  Status DecryptPiece(std::span<uint8_t> piece, const uint8_t* first_tweaks) {
    static_assert(std::endian::native == std::endian::little);
    const size_t blocks_per_sector = sector_size() / kBlock;
    uint8_t* data = piece.data();
    uint64_t* tweak = tweaks_.data();
    for (size_t s = 0; s < piece.size() / sector_size(); ++s) {
      // Four independent chains (blocks j, j+1, j+2, j+3 advance by alpha^4) instead of one
      // serial chain of doublings, in named locals so that they stay in registers.
      Tweak t0;
      std::memcpy(&t0.lo, first_tweaks + s * kBlock, 8);
      std::memcpy(&t0.hi, first_tweaks + s * kBlock + 8, 8);
      Tweak t1 = t0.TimesAlpha();
      Tweak t2 = t1.TimesAlpha();
      Tweak t3 = t2.TimesAlpha();
      for (size_t j = 0; j < blocks_per_sector; j += 4, data += 4 * kBlock, tweak += 8) {
        t0.ApplyTo(data, tweak);
        t1.ApplyTo(data + kBlock, tweak + 2);
        t2.ApplyTo(data + 2 * kBlock, tweak + 4);
        t3.ApplyTo(data + 3 * kBlock, tweak + 6);
        t0 = t0.TimesAlpha4();
        t1 = t1.TimesAlpha4();
        t2 = t2.TimesAlpha4();
        t3 = t3.TimesAlpha4();
      }
    }
    LOCKBOX_RETURN_IF_ERROR(data_decrypt_.Process(piece, piece));
    data = piece.data();
    tweak = tweaks_.data();
    for (size_t pos = 0; pos < piece.size(); pos += kBlock, data += kBlock, tweak += 2) {
      uint64_t block[2];
      std::memcpy(block, data, kBlock);
      block[0] ^= tweak[0];
      block[1] ^= tweak[1];
      std::memcpy(data, block, kBlock);
    }
    return Status::Ok();
  }

  static constexpr size_t kXtsPieceBytes = 8 * 1024;
  // From this sector size on, OpenSSL's own XTS per sector is faster (measured: 7.8 against
  // 4.4 GB/s at 4096 bytes; 3.2 against 4.4 GB/s at 512).
  static constexpr uint32_t kPerSectorCallBytes = 4096;

  AesEcb data_decrypt_;
  AesEcb tweak_encrypt_;
  AesXts decrypt_;
  AesXts encrypt_;
  std::vector<uint8_t> first_tweaks_;
  std::vector<uint64_t> tweaks_;
};

}  // namespace

Status SectorCipher::CheckRun(uint64_t offset, size_t size) const {
  if (offset % sector_size_ != 0 || size % sector_size_ != 0) {
    return Status::InvalidArgument("sector run at offset " + std::to_string(offset) + " of " +
                                   std::to_string(size) + " bytes is not aligned to the " +
                                   std::to_string(sector_size_) + "-byte sector size");
  }
  if (size > UINT64_MAX - offset) {
    return Status::InvalidArgument("sector run at offset " + std::to_string(offset) +
                                   " runs past the largest possible volume");
  }
  return Status::Ok();
}

Result<std::unique_ptr<SectorCipher>> SectorCipher::Create(uint16_t method,
                                                           std::span<const uint8_t> fvek,
                                                           uint32_t sector_size) {
  const auto info = DescribeMethod(method);
  if (!info) {
    return Status::Unsupported("unknown encryption method " + Hex(method));
  }
  if (fvek.size() != info->fvek_size_bytes) {
    return Status::InvalidArgument("the " + std::string(info->name) + " key must be " +
                                   std::to_string(info->fvek_size_bytes) + " bytes, not " +
                                   std::to_string(fvek.size()));
  }
  if (sector_size < 512 || sector_size > 4096 || (sector_size & (sector_size - 1)) != 0) {
    return Status::Unsupported("sector size " + std::to_string(sector_size) +
                               " is not a power of two from 512 to 4096");
  }
  switch (static_cast<EncryptionMethod>(method)) {
    case EncryptionMethod::kAesCbc128:
    case EncryptionMethod::kAesCbc256: {
      LOCKBOX_ASSIGN_OR_RETURN(auto core, CbcCore::Create(fvek, sector_size));
      return std::unique_ptr<SectorCipher>(new CbcCipher(std::move(core), sector_size));
    }
    case EncryptionMethod::kAesCbc128Elephant:
    case EncryptionMethod::kAesCbc256Elephant: {
      // Both halves are 32 bytes; a 128-bit key uses the first 16 bytes of each (the other
      // bytes are set by Windows but unused).
      const size_t key_bytes = info->key_bits / 8;
      LOCKBOX_ASSIGN_OR_RETURN(auto core, CbcCore::Create(fvek.subspan(0, key_bytes), sector_size));
      LOCKBOX_ASSIGN_OR_RETURN(auto tweak,
                               AesEcb::Create(fvek.subspan(32, key_bytes), Direction::kEncrypt));
      return std::unique_ptr<SectorCipher>(
          new ElephantCipher(std::move(core), std::move(tweak), sector_size));
    }
    case EncryptionMethod::kXtsAes128:
    case EncryptionMethod::kXtsAes256:
      return XtsCipher::Create(fvek, sector_size);
  }
  return Status::Unsupported("unknown encryption method " + Hex(method));
}

}  // namespace lockbox::bde
