#include "crypto/secret_pages.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <new>

#include "crypto/secret.h"

namespace lockbox::crypto {
namespace {

size_t MappedLength(size_t size) {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (size + page - 1) / page * page;
}

}  // namespace

uint8_t* AllocateSecretPages(size_t size) {
  if (size == 0) return nullptr;
  const size_t length = MappedLength(size);
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Both are best effort: a kernel without MADV_DONTDUMP or a low RLIMIT_MEMLOCK must not stop
  // an unlock. DisableCoreDumps() is the stronger guarantee.
  (void)madvise(p, length, MADV_DONTDUMP);
  (void)mlock(p, length);
  return static_cast<uint8_t*>(p);  // mmap gives zero-filled pages
}

void FreeSecretPages(uint8_t* pages, size_t size) {
  const size_t length = MappedLength(size);
  (void)munlock(pages, length);
  (void)munmap(pages, length);
}

void DisableCoreDumps() {
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit no_core{0, 0};
  (void)setrlimit(RLIMIT_CORE, &no_core);
}

}  // namespace lockbox::crypto
