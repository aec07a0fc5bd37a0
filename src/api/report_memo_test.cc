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

TEST(ReportMemoTest, GivesBackEveryFieldOfTheSummary) {
  ReportMemo memo(100);
  service::CheckInSummary summary = SummaryOf(Computer(3), 9);
  summary.digest[31] = 0xfe;
  summary.has_tpm_owner_auth = true;
  summary.secrets = {{Computer(4), "recovery_password", store::WriteOutcome::kUnchanged},
                     {Computer(5), "key_package", store::WriteOutcome::kUnchanged}};
  summary.users = {"contoso\\alice", "", std::string(300, 'b')};
  memo.Remember(Computer(3), "body", summary);

  const auto found = memo.Find(Computer(3), "body");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->computer_id, Computer(3));
  EXPECT_EQ(found->digest, summary.digest);
  EXPECT_TRUE(found->has_tpm_owner_auth);
  ASSERT_EQ(found->secrets.size(), 2u);
  EXPECT_EQ(found->secrets[1].key_id, Computer(5));
  EXPECT_EQ(found->secrets[1].kind, "key_package");
  EXPECT_EQ(found->secrets[0].outcome, store::WriteOutcome::kUnchanged);
  EXPECT_EQ(found->users, summary.users);

  summary.users.clear();
  summary.secrets.clear();
  summary.has_tpm_owner_auth = false;
  memo.Remember(Computer(3), "other body", summary);
  ASSERT_TRUE(memo.Find(Computer(3), "other body"));
  EXPECT_TRUE(memo.Find(Computer(3), "other body")->users.empty());
  EXPECT_TRUE(memo.Find(Computer(3), "other body")->secrets.empty());
}

TEST(ReportMemoTest, ForgetsAComputerWhoseSummaryIsTooLargeToKeep) {
  ReportMemo memo(100);
  memo.Remember(Computer(1), "small", SummaryOf(Computer(1), 1));
  service::CheckInSummary huge = SummaryOf(Computer(1), 2);
  huge.users = {std::string(70'000, 'u')};
  memo.Remember(Computer(1), "huge", huge);
  EXPECT_FALSE(memo.Find(Computer(1), "huge"));
  EXPECT_FALSE(memo.Find(Computer(1), "small"));  // no longer its latest body
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
