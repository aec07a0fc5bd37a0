#include "cli/parallel_copy.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace lockbox::cli {
namespace {

constexpr uint64_t kNoChunk = std::numeric_limits<uint64_t>::max();

// Each worker may be filling one slot while the writer drains another; two slots per worker
// keep the workers busy while the writer is in a slow write().
constexpr size_t kSlotsPerThread = 2;

Status Interrupted() { return Status::IoError("interrupted by a signal"); }

// A signal interrupts a write() blocked on a stalled pipe; `cancelled` says whether to give up.
template <typename Cancelled>
Status WriteAll(int fd, std::span<const uint8_t> bytes, uint64_t offset, Cancelled cancelled) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) {
      if (cancelled()) return Interrupted();
      continue;
    }
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      return Status::IoError("write failed at offset " + std::to_string(offset) + ": " +
                             std::strerror(err));
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};

// State shared by the workers and the writer; everything below `mutex` is guarded by it.
struct Pipeline {
  std::mutex mutex;
  std::condition_variable slot_free;    // the writer finished a chunk
  std::condition_variable chunk_ready;  // a worker filled a slot (or something failed)
  std::vector<uint64_t> slot_chunk;     // which chunk each slot holds, kNoChunk while filling
  uint64_t written_chunks = 0;
  bool stop = false;
  Status error;

  void Fail(Status status) {
    {
      std::lock_guard lock(mutex);
      if (!stop) error = std::move(status);
      stop = true;
    }
    slot_free.notify_all();
    chunk_ready.notify_all();
  }
};

}  // namespace

Status ParallelCopy(const bde::BlockReader& source, int fd, const ParallelCopyOptions& options) {
  const uint64_t total = source.size_bytes();
  const size_t chunk = std::max<size_t>(options.chunk_size_bytes, 4096);
  const uint64_t chunk_count = (total + chunk - 1) / chunk;
  const unsigned threads = static_cast<unsigned>(
      std::clamp<uint64_t>(options.threads, 1, std::max<uint64_t>(chunk_count, 1)));
  const size_t slots = kSlotsPerThread * threads;
  auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };

  // Page-aligned so the kernel can copy out of the buffers at full speed.
  std::unique_ptr<uint8_t, FreeDeleter> storage(
      static_cast<uint8_t*>(std::aligned_alloc(4096, slots * chunk)));
  if (!storage)
    return Status::Internal("cannot allocate " + std::to_string(slots * chunk) +
                            " bytes of buffers");
  auto slot_span = [&](uint64_t chunk_index) {
    const uint64_t offset = chunk_index * chunk;
    const size_t length = static_cast<size_t>(std::min<uint64_t>(chunk, total - offset));
    return std::span<uint8_t>(storage.get() + (chunk_index % slots) * chunk, length);
  };

  Pipeline pipeline;
  pipeline.slot_chunk.assign(slots, kNoChunk);
  std::atomic<uint64_t> next_chunk{0};

  auto worker = [&] {
    for (;;) {
      const uint64_t i = next_chunk.fetch_add(1);
      if (i >= chunk_count) return;
      {
        std::unique_lock lock(pipeline.mutex);
        pipeline.slot_free.wait(
            lock, [&] { return pipeline.stop || i < pipeline.written_chunks + slots; });
        if (pipeline.stop) return;
      }
      if (cancelled()) return pipeline.Fail(Interrupted());
      Status status = source.ReadAt(i * chunk, slot_span(i));
      if (!status.ok()) return pipeline.Fail(std::move(status));
      {
        std::lock_guard lock(pipeline.mutex);
        pipeline.slot_chunk[i % slots] = i;
      }
      pipeline.chunk_ready.notify_one();
    }
  };

  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) workers.emplace_back(worker);

  for (uint64_t i = 0; i < chunk_count; ++i) {
    {
      std::unique_lock lock(pipeline.mutex);
      pipeline.chunk_ready.wait(
          lock, [&] { return pipeline.stop || pipeline.slot_chunk[i % slots] == i; });
      if (pipeline.stop) break;
    }
    if (cancelled()) {
      pipeline.Fail(Interrupted());
      break;
    }
    Status status = WriteAll(fd, slot_span(i), i * chunk, cancelled);
    if (!status.ok()) {
      pipeline.Fail(std::move(status));
      break;
    }
    {
      std::lock_guard lock(pipeline.mutex);
      pipeline.slot_chunk[i % slots] = kNoChunk;
      pipeline.written_chunks = i + 1;
    }
    pipeline.slot_free.notify_all();
    if (options.on_progress) options.on_progress(std::min<uint64_t>((i + 1) * chunk, total));
  }
  for (auto& t : workers) t.join();
  return pipeline.error;
}

}  // namespace lockbox::cli
