#include "ad/users_csv.h"

#include <gtest/gtest.h>

namespace lockbox::ad {
namespace {

TEST(UsersCsvTest, ReadsComputersAndTheirUsers) {
  const auto lines = ParseComputerUsersCsv(
      "computer,users\r\n# a comment\n\nPC-01, CORP\\alice ,CORP\\bob\r\nPC-02,CORP\\carol");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line, 4u);
  EXPECT_EQ(lines[0].computer, "PC-01");
  EXPECT_EQ(lines[0].users, (std::vector<std::string>{"CORP\\alice", "CORP\\bob"}));
  EXPECT_TRUE(lines[0].problem.empty());
  EXPECT_EQ(lines[1].users, (std::vector<std::string>{"CORP\\carol"}));
}

TEST(UsersCsvTest, SaysWhatIsWrongWithALine) {
  const auto lines = ParseComputerUsersCsv("PC-01\n,CORP\\alice\nPC-02, ,\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].problem, "no user follows the computer name PC-01");
  EXPECT_EQ(lines[1].problem, "the computer name is empty");
  EXPECT_EQ(lines[2].problem, "no user follows the computer name");
  EXPECT_EQ(lines[2].line, 3u);
}

}  // namespace
}  // namespace lockbox::ad
