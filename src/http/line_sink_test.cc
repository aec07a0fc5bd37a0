#include "http/line_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/log.h"

namespace lockbox::http {
namespace {

// A pipe whose reading end a thread drains until the writing end closes.
class Pipe {
 public:
  Pipe() {
    if (pipe(fds_) != 0) return;
    reader_ = std::thread([this] {
      char buffer[65536];
      for (ssize_t n; (n = read(fds_[0], buffer, sizeof buffer)) > 0;) text_.append(buffer, n);
    });
  }
  ~Pipe() {
    CloseWriter();
    if (fds_[0] >= 0) close(fds_[0]);
  }
  int fd() const { return fds_[1]; }
  // The lines written, once every writer is done.
  std::vector<std::string> Lines() {
    CloseWriter();
    std::istringstream in(text_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  void CloseWriter() {
    if (fds_[1] >= 0) close(fds_[1]);
    fds_[1] = -1;
    if (reader_.joinable()) reader_.join();
  }
  int fds_[2] = {-1, -1};
  std::thread reader_;
  std::string text_;
};

// On a pipe, where the kernel splits writes over PIPE_BUF bytes.
TEST(LineSinkTest, LinesFromManyThreadsArriveWholeAndNoneIsLost) {
  Pipe file;
  ASSERT_GE(file.fd(), 0);
  auto logger = MakeJsonLogger(std::make_shared<LineSink>(file.fd()), config::LogLevel::kInfo);
  constexpr int kThreads = 8;
  constexpr int kLinesEach = 2000;
  // Every 100th line is longer than PIPE_BUF: written alone, never interleaved.
  const std::string long_text(3 * PIPE_BUF, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLinesEach; ++i) {
        LogLine line;
        line.Number("thread", int64_t{t}).Number("i", int64_t{i});
        if (i % 100 == 0) line.Text("long", long_text);
        line.Log(*logger, spdlog::level::info, "request");
      }
    });
  }
  for (std::thread& t : threads) t.join();

  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), size_t{kThreads * kLinesEach});
  std::vector<int> next(kThreads, 0);  // each thread's lines arrive in its order
  for (const std::string& text : lines) {
    const nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(line.is_discarded()) << text.substr(0, 200);
    const int t = line["thread"].get<int>();
    const int i = line["i"].get<int>();
    EXPECT_EQ(i, next[t]++);
    EXPECT_EQ(line.contains("long"), i % 100 == 0);
    EXPECT_EQ(line["level"], "info");
  }
}

TEST(LineSinkTest, ANewPatternIsUsedByThreadsThatLoggedBefore) {
  Pipe file;
  ASSERT_GE(file.fd(), 0);
  auto sink = std::make_shared<LineSink>(file.fd());
  spdlog::logger logger("test", sink);
  sink->set_pattern("first %v");
  logger.info("a");
  std::thread([&] { logger.info("b"); }).join();
  sink->set_pattern("second %v");
  logger.info("c");
  std::thread([&] { logger.info("d"); }).join();
  EXPECT_EQ(file.Lines(), (std::vector<std::string>{"first a", "first b", "second c", "second d"}));
}

}  // namespace
}  // namespace lockbox::http
