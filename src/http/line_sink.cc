#include "http/line_sink.h"

#include <limits.h>
#include <spdlog/pattern_formatter.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace lockbox::http {
namespace {

std::atomic<uint64_t> next_sink_id{1};

// The calling thread's formatters, one per sink it has logged to, with the version of the
// sink's formatter each was copied from. Threads log to one sink or two; a few are kept.
struct ThreadFormatter {
  uint64_t sink_id = 0;
  uint64_t version = 0;
  std::unique_ptr<spdlog::formatter> formatter;
};
constexpr size_t kKeptFormatters = 4;
thread_local std::vector<ThreadFormatter> thread_formatters;

}  // namespace

LineSink::LineSink(int fd)
    : fd_(fd), id_(next_sink_id++), formatter_(std::make_unique<spdlog::pattern_formatter>()) {}

void LineSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void LineSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  const std::lock_guard lock(formatter_mu_);
  formatter_ = std::move(formatter);
  ++version_;
}

std::unique_ptr<spdlog::formatter> LineSink::CloneFormatter(uint64_t* version) const {
  const std::lock_guard lock(formatter_mu_);
  *version = version_.load();
  return formatter_->clone();
}

void LineSink::log(const spdlog::details::log_msg& msg) {
  auto mine = std::find_if(thread_formatters.begin(), thread_formatters.end(),
                           [&](const ThreadFormatter& f) { return f.sink_id == id_; });
  if (mine == thread_formatters.end()) {
    if (thread_formatters.size() >= kKeptFormatters)
      thread_formatters.erase(thread_formatters.begin());
    mine = thread_formatters.insert(
        thread_formatters.end(),
        ThreadFormatter{.sink_id = id_, .version = 0, .formatter = nullptr});
  }
  if (mine->version != version_.load()) mine->formatter = CloneFormatter(&mine->version);
  spdlog::memory_buf_t line;
  mine->formatter->format(msg, line);
  if (line.size() <= PIPE_BUF) {
    const std::shared_lock lock(long_line_mu_);
    Write(line.data(), line.size());
  } else {
    const std::unique_lock lock(long_line_mu_);
    Write(line.data(), line.size());
  }
}

void LineSink::Write(const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to write it: the line is dropped
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace lockbox::http
