// The memory under SecretBytes (internal to src/crypto): a pool of the locked, dump-excluded
// pages of secret_pages.h, from which small secrets take blocks.
//
// Giving every secret pages of its own costs five system calls (map, exclude from dumps, lock,
// unlock, unmap) and, for the unmap, a flush of the TLB of every thread of the process: about
// 35 us for each 32-byte key with four threads at it (measured), and escrowing one report
// handles several. Secrets of up to kMaxPooledBytes instead take a block of the next power of
// two (from 16 bytes) out of 64 KiB chunks of such pages, which hold nothing but secrets and
// are kept for reuse, never unmapped (so the pool holds the most it ever held). A block comes
// back wiped by its owner (SecretBytes wipes before it frees) and is zeroed again when taken,
// so a secret never starts with another's bytes. Larger secrets keep pages of their own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lockbox::crypto {

inline constexpr size_t kMaxPooledBytes = 1024;

// Zero-filled memory holding `size` bytes (nullptr for 0), locked in RAM and excluded from
// dumps where the OS allows; throws std::bad_alloc.
uint8_t* AllocateSecret(size_t size);
// Returns what AllocateSecret(size) gave; the caller has wiped its `size` bytes.
void FreeSecret(uint8_t* secret, size_t size);

}  // namespace lockbox::crypto
