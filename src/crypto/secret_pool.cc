#include "crypto/secret_pool.h"

#include <array>
#include <cstring>
#include <mutex>
#include <new>

#include "crypto/secret_pages.h"

namespace lockbox::crypto {
namespace {

constexpr size_t kSmallestBlock = 16;
constexpr size_t kChunkBytes = 64 * 1024;
// Block sizes 16, 32, ..., kMaxPooledBytes.
constexpr size_t kBlockSizes = 7;
static_assert(kSmallestBlock << (kBlockSizes - 1) == kMaxPooledBytes);

// The index of the smallest block size holding `size` bytes (at most kMaxPooledBytes).
size_t BlockSizeIndex(size_t size) {
  size_t index = 0;
  while ((kSmallestBlock << index) < size) ++index;
  return index;
}

class Pool {
 public:
  uint8_t* Take(size_t size) {
    const size_t index = BlockSizeIndex(size);
    const size_t block = kSmallestBlock << index;
    uint8_t* taken;
    {
      const std::lock_guard<std::mutex> lock(mu_);
      if (free_[index] == nullptr) AddChunk(index, block);
      FreeBlock* first = free_[index];
      free_[index] = first->next;
      taken = reinterpret_cast<uint8_t*>(first);
    }
    std::memset(taken, 0, block);  // the free list's link, and whatever the owner left
    return taken;
  }

  void Give(uint8_t* secret, size_t size) {
    const size_t index = BlockSizeIndex(size);
    auto* freed = new (secret) FreeBlock{nullptr};
    const std::lock_guard<std::mutex> lock(mu_);
    freed->next = free_[index];
    free_[index] = freed;
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };

  // Carves a new chunk of secret pages into blocks of `block` bytes. Throws std::bad_alloc.
  void AddChunk(size_t index, size_t block) {
    uint8_t* chunk = AllocateSecretPages(kChunkBytes);
    for (size_t offset = kChunkBytes; offset >= block; offset -= block) {
      free_[index] = new (chunk + offset - block) FreeBlock{free_[index]};
    }
  }

  std::mutex mu_;
  std::array<FreeBlock*, kBlockSizes> free_{};
};

// Never destroyed: secrets in static objects may be freed after static destructors ran.
Pool& ThePool() {
  static Pool* const pool = new Pool;
  return *pool;
}

}  // namespace

uint8_t* AllocateSecret(size_t size) {
  if (size == 0) return nullptr;
  if (size > kMaxPooledBytes) return AllocateSecretPages(size);
  return ThePool().Take(size);
}

void FreeSecret(uint8_t* secret, size_t size) {
  if (secret == nullptr) return;
  if (size > kMaxPooledBytes) return FreeSecretPages(secret, size);
  ThePool().Give(secret, size);
}

}  // namespace lockbox::crypto
