// SectorCipher: encryption and decryption of a volume's sectors with its FVEK.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto cipher, SectorCipher::Create(method, keys.fvek, 512));
//   LOCKBOX_RETURN_IF_ERROR(cipher->Decrypt(physical_offset, buffer));  // in place
//
// Every method derives each sector's IV or tweak from where the sector lies on the disk, so
// callers pass the PHYSICAL byte offset of the first sector of a run:
//   AES-CBC (0x8002/0x8003): IV = AES-ECB(key, le128(byte offset)), for 4096-byte sectors too.
//   AES-CBC + Elephant (0x8000/0x8001): CBC as above, then the diffusers and an XOR with the
//     sector key AES-ECB(tweak key, le128(offset)) || AES-ECB(tweak key, same, byte 15 = 0x80).
//   XTS-AES (0x8004/0x8005): tweak = le128(byte offset / sector size), the sector number.
// An object holds OpenSSL contexts and scratch buffers and is not thread-safe: use one per
// thread. Large runs are cheaper per byte than small ones (IVs are made in bulk).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "util/status.h"

namespace lockbox::bde {

class SectorCipher {
 public:
  // `method` is the metadata's encryption method; `fvek` the FVEK key datum's key bytes
  // (length per DescribeMethod()). Sector sizes: powers of two from 512 to 4096.
  // kUnsupported for an unknown method, kInvalidArgument for a key of the wrong length.
  static Result<std::unique_ptr<SectorCipher>> Create(uint16_t method,
                                                      std::span<const uint8_t> fvek,
                                                      uint32_t sector_size);
  virtual ~SectorCipher() = default;

  uint32_t sector_size() const { return sector_size_; }

  // Decrypt / encrypt `sectors` (whole sectors) in place; the first lies at physical byte
  // `offset`, a multiple of the sector size. kInvalidArgument for misaligned input.
  virtual Status Decrypt(uint64_t offset, std::span<uint8_t> sectors) = 0;
  virtual Status Encrypt(uint64_t offset, std::span<uint8_t> sectors) = 0;

 protected:
  explicit SectorCipher(uint32_t sector_size) : sector_size_(sector_size) {}
  Status CheckRun(uint64_t offset, size_t size) const;

 private:
  uint32_t sector_size_;
};

}  // namespace lockbox::bde
