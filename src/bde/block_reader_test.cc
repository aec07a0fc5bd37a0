#include "bde/block_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

namespace lockbox::bde {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::vector<uint8_t>& bytes) {
    char name[] = "/tmp/lockbox-block-reader-XXXXXX";
    const int fd = ::mkstemp(name);
    path_ = name;
    std::ofstream(path_, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    ::close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<uint8_t> Counting(size_t n) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(i * 7);
  return bytes;
}

TEST(OpenBlockReader, ReadsAFile) {
  const auto bytes = Counting(10000);
  TempFile file(bytes);
  auto reader = OpenBlockReader(file.path());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ((*reader)->size_bytes(), 10000u);
  std::vector<uint8_t> out(100);
  ASSERT_TRUE((*reader)->ReadAt(9900, out).ok());
  EXPECT_EQ(out, std::vector<uint8_t>(bytes.begin() + 9900, bytes.end()));
}

TEST(OpenBlockReader, ReadPastTheEndIsAnIoErrorNamingTheOffset) {
  TempFile file(Counting(100));
  auto reader = OpenBlockReader(file.path());
  ASSERT_TRUE(reader.ok());
  std::vector<uint8_t> out(10);
  const Status status = (*reader)->ReadAt(95, out);
  EXPECT_EQ(status.code(), ErrorCode::kIoError);
  EXPECT_NE(status.message().find("offset 95"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(file.path()), std::string::npos) << status.message();
  EXPECT_EQ((*reader)->ReadAt(~uint64_t{0} - 2, out).code(), ErrorCode::kIoError);
}

TEST(OpenBlockReader, MissingFileIsNotFound) {
  auto reader = OpenBlockReader("/nonexistent/lockbox-image.img");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(reader.status().message().find("/nonexistent/lockbox-image.img"), std::string::npos);
}

TEST(OpenBlockReader, DirectoryIsRejected) {
  auto reader = OpenBlockReader("/tmp");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), ErrorCode::kInvalidArgument);
}

TEST(OpenBlockReader, ConcurrentReadsSeeTheirOwnOffsets) {
  const auto bytes = Counting(1 << 20);
  TempFile file(bytes);
  std::shared_ptr<const BlockReader> reader = std::move(OpenBlockReader(file.path()).value());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> out(4096);
      for (uint64_t offset = static_cast<uint64_t>(t) * 512; offset + 4096 <= bytes.size();
           offset += 4 * 4096 + 512) {
        if (!reader->ReadAt(offset, out).ok() ||
            !std::equal(out.begin(), out.end(), bytes.begin() + static_cast<long>(offset))) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(MemoryBlockReader, ReadsAndChecksBounds) {
  auto reader = MemoryBlockReader({1, 2, 3, 4});
  EXPECT_EQ(reader->size_bytes(), 4u);
  std::vector<uint8_t> out(2);
  ASSERT_TRUE(reader->ReadAt(2, out).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{3, 4}));
  EXPECT_EQ(reader->ReadAt(3, out).code(), ErrorCode::kIoError);
  EXPECT_TRUE(reader->ReadAt(4, std::span<uint8_t>()).ok());
}

}  // namespace
}  // namespace lockbox::bde
