#include "crypto/secret_pages.h"

#include <windows.h>

#include <new>

#include "crypto/secret.h"

namespace lockbox::crypto {

uint8_t* AllocateSecretPages(size_t size) {
  if (size == 0) return nullptr;
  void* p = VirtualAlloc(nullptr, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (p == nullptr) throw std::bad_alloc();
  // Best effort, as on POSIX: the working-set quota may refuse the lock.
  (void)VirtualLock(p, size);
  return static_cast<uint8_t*>(p);  // VirtualAlloc gives zero-filled pages
}

void FreeSecretPages(uint8_t* pages, size_t size) {
  (void)VirtualUnlock(pages, size);
  (void)VirtualFree(pages, 0, MEM_RELEASE);
}

void DisableCoreDumps() {
  // No Windows Error Reporting dialog or dump of a crashed agent (it would hold its keys).
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
}

}  // namespace lockbox::crypto
