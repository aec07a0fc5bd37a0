#include "http/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cmath>
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

TEST(JsonLoggerTest, ALogLineIsOneJsonObjectWhateverItsTextHolds) {
  std::ostringstream out;
  auto logger = MakeJsonLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out),
                               config::LogLevel::kInfo);
  const std::string hostile = "a\"b\\c\n\x01{}\xff\xc3";  // quote, backslash, controls, bad UTF-8
  LogLine line;
  line.Text("plain", "curl/7.88.1").Text("hostile", hostile).Number("n", int64_t{-42});
  line.Number("ms", 0.25).Number("nan", std::nan(""));
  line.Log(*logger, spdlog::level::info, "request");
  LogLine().Log(*logger, spdlog::level::debug, "hidden");
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  const nlohmann::json parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["msg"], "request");
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["plain"], "curl/7.88.1");
  EXPECT_EQ(parsed["hostile"], "a\"b\\c\n\x01{}\xef\xbf\xbd\xef\xbf\xbd");  // U+FFFD twice
  EXPECT_EQ(parsed["n"], -42);
  EXPECT_EQ(parsed["ms"], 0.25);
  EXPECT_TRUE(parsed["nan"].is_null());
}

}  // namespace
}  // namespace lockbox::http
