#include "api/csv.h"

#include <gtest/gtest.h>

namespace lockbox::api::internal {
namespace {

TEST(CsvTest, QuotesEveryCellAndDoublesQuotes) {
  EXPECT_EQ(CsvLine({"PC-07", "say \"hi\"", "", "a,b\nc"}),
            "\"PC-07\",\"say \"\"hi\"\"\",\"\",\"a,b\nc\"\r\n");
}

TEST(CsvTest, ACellAFormulaWouldStartWithIsDefused) {
  EXPECT_EQ(CsvLine({"=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "a=b"}),
            "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\",\"a=b\"\r\n");
}

}  // namespace
}  // namespace lockbox::api::internal
