#include "api/report_memo.h"

#include <gtest/gtest.h>

namespace lockbox::api {
namespace {

Guid Computer(uint8_t n) {
  Guid id;
  id.bytes.fill(n);
  return id;
}

service::CheckInSummary SummaryOf(const Guid& computer, uint8_t digest_byte) {
  service::CheckInSummary summary;
  summary.computer_id = computer;
  summary.digest.fill(digest_byte);
  summary.users = {"contoso\\alice"};
  return summary;
}

TEST(ReportMemoTest, FindsTheSummaryOfTheSameBytesFromTheSameComputerOnly) {
  ReportMemo memo(100);
  EXPECT_FALSE(memo.Find(Computer(1), "{\"a\":1}"));
  memo.Remember(Computer(1), "{\"a\":1}", SummaryOf(Computer(1), 7));

  const auto found = memo.Find(Computer(1), "{\"a\":1}");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->digest[0], 7);
  EXPECT_EQ(found->users, std::vector<std::string>{"contoso\\alice"});
  EXPECT_FALSE(memo.Find(Computer(1), "{\"a\": 1}"));  // other bytes, though the same JSON
  EXPECT_FALSE(memo.Find(Computer(2), "{\"a\":1}"));   // another computer's credential
}

TEST(ReportMemoTest, KeepsOnlyTheLatestBodyOfAComputer) {
  ReportMemo memo(100);
  memo.Remember(Computer(1), "first", SummaryOf(Computer(1), 1));
  memo.Remember(Computer(1), "second", SummaryOf(Computer(1), 2));
  EXPECT_FALSE(memo.Find(Computer(1), "first"));
  ASSERT_TRUE(memo.Find(Computer(1), "second"));
  EXPECT_EQ(memo.Find(Computer(1), "second")->digest[0], 2);
}

TEST(ReportMemoTest, StaysWithinItsCapacity) {
  ReportMemo memo(16);  // one computer per shard
  for (int i = 0; i < 64; ++i) {
    memo.Remember(Computer(static_cast<uint8_t>(i)), "body", SummaryOf(Computer(0), 0));
  }
  int kept = 0;
  for (int i = 0; i < 64; ++i) kept += memo.Find(Computer(static_cast<uint8_t>(i)), "body") ? 1 : 0;
  EXPECT_GE(kept, 16);
  EXPECT_LE(kept, 32);  // capacity / shards + 1 per shard
}

}  // namespace
}  // namespace lockbox::api
