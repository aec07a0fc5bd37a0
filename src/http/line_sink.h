// LineSink: an spdlog sink that writes each formatted line to a file descriptor with one
// write(2), as it is logged, without a lock around the write.
//
// spdlog's stdout sink holds one process-wide mutex across fwrite and fflush, so every thread
// that logs (each request's access line) waits for the system call of any other. Here each
// thread formats with its own copy of the pattern and writes on its own; the kernel keeps
// whole writes apart: on a regular file, writes to one open file do not overlap, and on a pipe
// a write of at most PIPE_BUF (4096) bytes is never split. A longer line (rare: a long error
// text) is written while no other line is being written, so it is not interleaved either.
//
// Nothing is buffered: a line logged is in the kernel's hands when log() returns, so a server
// killed with -9 loses no line it logged. A write that fails (a closed pipe) drops that line.
#pragma once

#include <spdlog/sinks/sink.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

namespace lockbox::http {

class LineSink final : public spdlog::sinks::sink {
 public:
  // `fd` stays the caller's: it must stay open while the sink is used, and is not closed.
  explicit LineSink(int fd);

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override {}  // each line is written whole when it is logged
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  // A copy of the current formatter for the calling thread's own use.
  std::unique_ptr<spdlog::formatter> CloneFormatter(uint64_t* version) const;
  void Write(const char* data, size_t size);

  const int fd_;
  const uint64_t id_;                // tells this sink's per-thread formatters from other sinks'
  mutable std::mutex formatter_mu_;  // guards formatter_; taken when a thread's copy is stale
  std::unique_ptr<spdlog::formatter> formatter_;
  std::atomic<uint64_t> version_{1};  // of formatter_: a thread's copy of an older one is stale
  // Shared by lines that the kernel writes whole (up to PIPE_BUF), exclusive for longer ones.
  std::shared_mutex long_line_mu_;
};

}  // namespace lockbox::http
