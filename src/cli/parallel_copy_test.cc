#include "cli/parallel_copy.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace lockbox::cli {
namespace {

std::vector<uint8_t> Pattern(size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>((i * 131) ^ (i >> 12));
  return bytes;
}

// Copies through a temporary file and returns what landed in it.
std::vector<uint8_t> CopyToFile(const bde::BlockReader& source, const ParallelCopyOptions& options,
                                Status* status) {
  char name[] = "/tmp/parallel_copy_test.XXXXXX";
  const int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  unlink(name);
  *status = ParallelCopy(source, fd, options);
  std::vector<uint8_t> out(static_cast<size_t>(lseek(fd, 0, SEEK_END)));
  EXPECT_EQ(pread(fd, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
  close(fd);
  return out;
}

// Fails every read that touches `bad_offset`.
class FailingReader : public bde::BlockReader {
 public:
  FailingReader(uint64_t size, uint64_t bad_offset) : size_(size), bad_offset_(bad_offset) {}
  uint64_t size_bytes() const override { return size_; }
  Status ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset <= bad_offset_ && bad_offset_ < offset + out.size()) {
      return Status::IoError("cannot read at offset " + std::to_string(offset));
    }
    std::fill(out.begin(), out.end(), 0x5a);
    return Status::Ok();
  }

 private:
  uint64_t size_;
  uint64_t bad_offset_;
};

TEST(ParallelCopyTest, CopiesEveryByteInOrderWithManyThreadsAndAShortLastChunk) {
  const std::vector<uint8_t> data = Pattern(3 * 1024 * 1024 + 12345);
  auto reader = bde::MemoryBlockReader(data);
  for (unsigned threads : {1u, 3u, 8u}) {
    ParallelCopyOptions options;
    options.threads = threads;
    options.chunk_size_bytes = 64 * 1024;
    uint64_t last_progress = 0;
    int progress_calls = 0;
    options.on_progress = [&](uint64_t done) {
      EXPECT_GT(done, last_progress);
      last_progress = done;
      ++progress_calls;
    };
    Status status;
    const std::vector<uint8_t> out = CopyToFile(*reader, options, &status);
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_TRUE(out == data) << "threads " << threads;
    EXPECT_EQ(last_progress, data.size());
    EXPECT_EQ(progress_calls, 49);  // 48 full chunks of 64 KiB and the short one
  }
}

TEST(ParallelCopyTest, WritesInOrderToAPipe) {
  const std::vector<uint8_t> data = Pattern(1024 * 1024 + 7);
  auto reader = bde::MemoryBlockReader(data);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<uint8_t> received;
  std::thread drain([&] {
    uint8_t buf[65536];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
      received.insert(received.end(), buf, buf + n);
  });
  ParallelCopyOptions options;
  options.threads = 4;
  options.chunk_size_bytes = 4096;
  const Status status = ParallelCopy(*reader, fds[1], options);
  close(fds[1]);
  drain.join();
  close(fds[0]);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(received == data);
}

TEST(ParallelCopyTest, ReturnsTheReadErrorAndStops) {
  FailingReader reader(8 * 1024 * 1024, 5 * 1024 * 1024 + 1);
  ParallelCopyOptions options;
  options.threads = 2;
  options.chunk_size_bytes = 1024 * 1024;
  Status status;
  const std::vector<uint8_t> out = CopyToFile(reader, options, &status);
  EXPECT_EQ(status.code(), ErrorCode::kIoError);
  EXPECT_EQ(status.message(), "cannot read at offset 5242880");
  EXPECT_LE(out.size(), 5u * 1024 * 1024);
}

TEST(ParallelCopyTest, ReturnsTheWriteError) {
  auto reader = bde::MemoryBlockReader(Pattern(100000));
  const int read_only = open("/dev/null", O_RDONLY);
  ASSERT_GE(read_only, 0);
  ParallelCopyOptions options;
  options.threads = 2;
  const Status status = ParallelCopy(*reader, read_only, options);
  close(read_only);
  EXPECT_EQ(status.code(), ErrorCode::kIoError);
  EXPECT_NE(status.message().find("write failed at offset 0"), std::string::npos)
      << status.message();
}

TEST(ParallelCopyTest, StopsWhenCancelled) {
  auto reader = bde::MemoryBlockReader(Pattern(1024 * 1024));
  std::atomic<bool> cancel{true};
  ParallelCopyOptions options;
  options.threads = 2;
  options.chunk_size_bytes = 4096;
  options.cancel = &cancel;
  Status status;
  const std::vector<uint8_t> out = CopyToFile(*reader, options, &status);
  EXPECT_EQ(status.code(), ErrorCode::kIoError);
  EXPECT_EQ(status.message(), "interrupted by a signal");
  EXPECT_TRUE(out.empty());
}

TEST(ParallelCopyTest, EmptySourceWritesNothing) {
  auto reader = bde::MemoryBlockReader({});
  Status status;
  const std::vector<uint8_t> out = CopyToFile(*reader, ParallelCopyOptions{}, &status);
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace lockbox::cli
