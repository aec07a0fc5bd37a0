// The pages under SecretBytes (internal to src/crypto): pages that hold nothing but secrets, so
// that keeping them out of crash dumps and locking them in RAM affects nothing else, and so
// that no allocator keeps a copy when they are freed. SecretBytes takes its memory from
// secret_pool.h, which carves such pages into blocks. secret_pages_posix.cc and _windows.cc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lockbox::crypto {

// Zero-filled pages holding at least `size` bytes (nullptr for 0); throws std::bad_alloc.
uint8_t* AllocateSecretPages(size_t size);
// Returns what AllocateSecretPages(size) gave; the caller has wiped it.
void FreeSecretPages(uint8_t* pages, size_t size);

}  // namespace lockbox::crypto
