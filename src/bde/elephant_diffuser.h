// The Elephant diffuser of BitLocker's AES-CBC + diffuser methods (0x8000, 0x8001).
//
// Windows Vista and 7 mixed every sector with two unkeyed diffusers, A and B, between the
// sector-key XOR and AES-CBC, so that flipping one ciphertext bit garbles the whole sector.
// Both work on the sector as n = sector_size / 4 little-endian 32-bit words, indices mod n:
//   B (3 cycles): d[i] += d[i + 2] ^ rotl(d[i + 5], Rb[i % 4]),  Rb = {0, 10, 0, 25}
//   A (5 cycles): d[i] += d[i - 2] ^ rotl(d[i - 5], Ra[i % 4]),  Ra = {9, 0, 13, 0}
// with i ascending for decryption (the formulas above) and descending with -= for encryption.
// Decryption runs B then A; encryption A then B.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lockbox::bde {

// Undoes the diffusers (B, then A) on each sector of `sectors` (a whole number of sectors of
// `sector_size` bytes, a multiple of 64 from 64 up).
void ElephantDiffuserDecrypt(std::span<uint8_t> sectors, size_t sector_size);

// Applies the diffusers (A, then B): the inverse of ElephantDiffuserDecrypt.
void ElephantDiffuserEncrypt(std::span<uint8_t> sectors, size_t sector_size);

}  // namespace lockbox::bde
