// ParallelCopy: streams a BlockReader to a file descriptor using all cores, in constant memory.
//
// `threads` workers claim disjoint chunks in order and fill them through ReadAt() (for a
// DecryptedVolume, that is where the decryption happens) into a fixed ring of buffers; the
// calling thread writes the chunks out strictly in order with write(), so the output may be
// a pipe. A worker may run at most `ring` chunks ahead of the writer: memory stays at
// ring x chunk bytes whatever the volume size, and no buffer is allocated per chunk.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "bde/block_reader.h"
#include "util/status.h"

namespace lockbox::cli {

struct ParallelCopyOptions {
  unsigned threads = 1;               // reader/decryptor threads, >= 1
  size_t chunk_size_bytes = 4 << 20;  // bytes per ReadAt() and write()
  // Called on the writing thread after each chunk with the bytes written so far.
  std::function<void(uint64_t done_bytes)> on_progress;
  // When it becomes true the copy stops at the next chunk with kIoError ("interrupted by a
  // signal").
  const std::atomic<bool>* cancel = nullptr;
};

// Copies all of `source` to `fd`. The first error of any reader or of the writer stops
// everything and is returned (with the failing offset in its message).
Status ParallelCopy(const bde::BlockReader& source, int fd, const ParallelCopyOptions& options);

}  // namespace lockbox::cli
