#include "util/utc_time.h"

#include <gtest/gtest.h>

namespace lockbox {
namespace {

using std::chrono::sys_seconds;

sys_seconds At(int64_t seconds) { return sys_seconds(std::chrono::seconds(seconds)); }

TEST(UtcTimeTest, FormatsWholeSecondsInUtc) {
  EXPECT_EQ(FormatUtc(At(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(At(1700000000)), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatUtc(At(-1)), "1969-12-31T23:59:59Z");
}

TEST(UtcTimeTest, ParsesWhatItFormats) {
  for (int64_t t : {int64_t{0}, int64_t{1700000000}, int64_t{951782400}, int64_t{-86400}}) {
    auto parsed = ParseUtc(FormatUtc(At(t)));
    ASSERT_TRUE(parsed.ok()) << FormatUtc(At(t));
    EXPECT_EQ(*parsed, At(t));
  }
}

TEST(UtcTimeTest, AppliesOffsetsAndDropsFractions) {
  EXPECT_EQ(ParseUtc("2023-11-15T00:13:20+02:00").value(), At(1700000000));
  EXPECT_EQ(ParseUtc("2023-11-14T21:13:20.999-01:00").value(), At(1700000000));
  EXPECT_EQ(ParseUtc("2023-11-14t22:13:20z").value(), At(1700000000));
}

TEST(UtcTimeTest, RefusesWhatIsNotRfc3339) {
  for (const char* text :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z", "2023-11-14T24:00:00Z",
        "2023-11-14T22:13:20+2:00", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk",
        "20231114T221320Z", "2023-11-14 22:13:20Z"}) {
    auto parsed = ParseUtc(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find("RFC 3339"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace lockbox
