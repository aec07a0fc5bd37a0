#include "http/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace lockbox::http {
namespace {

TEST(RedactQueryTest, RedactsSecretNamesAndTokenLikeValues) {
  EXPECT_EQ(RedactQuery("computer=PC-42&limit=10"), "computer=PC-42&limit=10");
  EXPECT_EQ(RedactQuery("access_token=abc&Password=x&api_key=1"),
            "access_token=REDACTED&Password=REDACTED&api_key=REDACTED");
  EXPECT_EQ(RedactQuery("q=123456-123456-123456-123456&n=1"), "q=REDACTED&n=1");
  EXPECT_EQ(RedactQuery("eyJhbGciOiJIUzI1NiJ9abcdef"), "REDACTED");
  EXPECT_EQ(RedactQuery(""), "");
  EXPECT_EQ(RedactQuery("a&&b="), "a&&b=");
}

TEST(JsonLoggerTest, EachLineIsOneJsonObjectWithTimeLevelAndFields) {
  std::ostringstream out;
  auto logger = MakeJsonLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out),
                               config::LogLevel::kInfo);
  LogJson(*logger, spdlog::level::info, "hello \"world\"", {{"n", 3}});
  LogJson(*logger, spdlog::level::debug, "hidden");
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  const nlohmann::json line = nlohmann::json::parse(text);
  EXPECT_EQ(line["msg"], "hello \"world\"");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["n"], 3);
  EXPECT_TRUE(line["time"].get<std::string>().ends_with("Z"));
}

}  // namespace
}  // namespace lockbox::http
