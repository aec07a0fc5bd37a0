#include "cli/progress.h"

#include <cstdio>

namespace lockbox::cli {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

// Below this the rate is mostly start-up noise.
constexpr double kMinSecondsForRate = 0.2;

std::string Mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace

std::string FormatProgressLine(uint64_t done_bytes, uint64_t total_bytes, double elapsed_seconds) {
  const double fraction =
      total_bytes == 0 ? 1.0 : static_cast<double>(done_bytes) / static_cast<double>(total_bytes);
  char percent[16];
  std::snprintf(percent, sizeof percent, "%5.1f%%", fraction * 100.0);
  std::string line =
      std::string(percent) + "  " + Mebibytes(done_bytes) + " / " + Mebibytes(total_bytes);
  if (elapsed_seconds >= kMinSecondsForRate && done_bytes > 0) {
    const double rate = static_cast<double>(done_bytes) / elapsed_seconds;
    const auto eta =
        static_cast<uint64_t>(static_cast<double>(total_bytes - done_bytes) / rate + 0.5);
    char tail[64];
    std::snprintf(tail, sizeof tail, "  %.1f MB/s  ETA %llu:%02llu", rate / 1e6,
                  static_cast<unsigned long long>(eta / 60),
                  static_cast<unsigned long long>(eta % 60));
    line += tail;
  }
  return line;
}

ProgressBar::ProgressBar(uint64_t total_bytes, std::FILE* out, bool enabled)
    : total_bytes_(total_bytes),
      out_(out),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputc('\n', out_);
}

void ProgressBar::Update(uint64_t done_bytes) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(done_bytes);
}

void ProgressBar::Finish(uint64_t done_bytes) {
  if (!enabled_) return;
  Draw(done_bytes);
  std::fputc('\n', out_);
  drawn_ = false;
}

void ProgressBar::Draw(uint64_t done_bytes) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  // "\r" returns to the line start; "\033[K" clears what a longer previous line left.
  std::fprintf(out_, "\r%s\033[K",
               FormatProgressLine(done_bytes, total_bytes_, elapsed.count()).c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace lockbox::cli
