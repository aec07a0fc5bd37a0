// ProgressBar: one self-rewriting line on stderr for long copies, only when stderr is a
// terminal (a log file or a pipe gets nothing), redrawn at most 10 times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace lockbox::cli {

// " 42.0%  420.0 MiB / 1000.0 MiB  812.3 MB/s  ETA 0:03" for `done` of `total` bytes after
// `elapsed_seconds`. Rate and ETA are left out until some time has passed.
std::string FormatProgressLine(uint64_t done_bytes, uint64_t total_bytes, double elapsed_seconds);

class ProgressBar {
 public:
  // Draws on `out` only when `enabled` (callers pass isatty(STDERR_FILENO)).
  ProgressBar(uint64_t total_bytes, std::FILE* out, bool enabled);
  ~ProgressBar();  // ends the line if something was drawn

  void Update(uint64_t done_bytes);
  // Draws the final state (rate over the whole run) and ends the line.
  void Finish(uint64_t done_bytes);

 private:
  void Draw(uint64_t done_bytes);

  uint64_t total_bytes_;
  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace lockbox::cli
