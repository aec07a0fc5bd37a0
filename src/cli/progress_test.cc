#include "cli/progress.h"

#include <gtest/gtest.h>

namespace lockbox::cli {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

TEST(FormatProgressLineTest, LeavesOutRateAndEtaAtTheStart) {
  EXPECT_EQ(FormatProgressLine(0, 100 * kMiB, 0.0), "  0.0%  0.0 MiB / 100.0 MiB");
}

TEST(FormatProgressLineTest, ShowsPercentRateAndEta) {
  EXPECT_EQ(FormatProgressLine(25 * kMiB, 100 * kMiB, 1.0),
            " 25.0%  25.0 MiB / 100.0 MiB  26.2 MB/s  ETA 0:03");
}

TEST(FormatProgressLineTest, EtaCountsMinutes) {
  EXPECT_EQ(FormatProgressLine(1 * kMiB, 101 * kMiB, 1.0),
            "  1.0%  1.0 MiB / 101.0 MiB  1.0 MB/s  ETA 1:40");
}

TEST(FormatProgressLineTest, EmptyTotalIsComplete) {
  EXPECT_EQ(FormatProgressLine(0, 0, 0.0), "100.0%  0.0 MiB / 0.0 MiB");
}

TEST(ProgressBarTest, DrawsNothingWhenDisabled) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar(100, out, false);
    bar.Update(50);
    bar.Finish(100);
  }
  EXPECT_EQ(std::ftell(out), 0);
  std::fclose(out);
}

TEST(ProgressBarTest, FinishDrawsTheFinalLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar(kMiB, out, true);
    bar.Finish(kMiB);
  }
  std::rewind(out);
  char line[128] = {};
  ASSERT_NE(std::fgets(line, sizeof line, out), nullptr);
  EXPECT_EQ(std::string(line), "\r100.0%  1.0 MiB / 1.0 MiB\033[K\n");
  std::fclose(out);
}

}  // namespace
}  // namespace lockbox::cli
