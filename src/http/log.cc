#include "http/log.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "http/json_io.h"

namespace lockbox::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool SecretName(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kHints = {
      "pass", "pwd",    "secret", "token", "key", "auth",     "session",
      "code", "cookie", "sig",    "cred",  "otp", "recovery", "bearer"};
  const std::string lower = Lower(name);
  for (std::string_view hint : kHints) {
    if (lower.find(hint) != std::string::npos) return true;
  }
  return false;
}

// Long runs of letters and digits are what tokens, keys and recovery passwords look like;
// ordinary query values (names, counts, dates) are short or contain other characters.
bool SecretLookingValue(std::string_view value) {
  size_t alnum = 0;
  for (char c : value) alnum += std::isalnum(static_cast<unsigned char>(c)) ? 1 : 0;
  return alnum >= 20;
}

spdlog::level::level_enum SpdlogLevel(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace:
      return spdlog::level::trace;
    case config::LogLevel::kDebug:
      return spdlog::level::debug;
    case config::LogLevel::kInfo:
      return spdlog::level::info;
    case config::LogLevel::kWarn:
      return spdlog::level::warn;
    case config::LogLevel::kError:
      return spdlog::level::err;
    case config::LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

std::shared_ptr<spdlog::logger> MakeJsonLogger(spdlog::sink_ptr sink, config::LogLevel level) {
  auto logger = std::make_shared<spdlog::logger>("lockbox", std::move(sink));
  // The message is the rest of the object (LogJson), so each line is one JSON object.
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(SpdlogLevel(level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

void LogJson(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
             nlohmann::json fields) {
  if (!logger.should_log(level)) return;
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["msg"] = msg;
  const std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Strip the braces: the logger's pattern supplies them around time and level.
  logger.log(level, spdlog::string_view_t(text.data() + 1, text.size() - 2));
}

void LogLine::Name(std::string_view name) {
  fields_ += ",\"";
  fields_ += name;
  fields_ += "\":";
}

LogLine& LogLine::Text(std::string_view name, std::string_view value) {
  Name(name);
  AppendJsonString(fields_, value);
  return *this;
}

LogLine& LogLine::Number(std::string_view name, int64_t value) {
  Name(name);
  fields_ += std::to_string(value);
  return *this;
}

LogLine& LogLine::Number(std::string_view name, double value) {
  Name(name);
  if (!std::isfinite(value)) {
    fields_ += "null";
    return *this;
  }
  std::array<char, 32> text{};
  const auto written = std::to_chars(text.data(), text.data() + text.size(), value);
  fields_.append(text.data(), written.ptr);
  return *this;
}

void LogLine::Log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg) {
  if (!logger.should_log(level)) return;
  std::string line = "\"msg\":";
  AppendJsonString(line, msg);
  line += fields_;
  logger.log(level, spdlog::string_view_t(line.data(), line.size()));
}

std::string RedactQuery(std::string_view query) {
  std::string out;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out += SecretLookingValue(pair) ? "REDACTED" : std::string(pair);
    } else {
      const std::string_view name = pair.substr(0, eq);
      const std::string_view value = pair.substr(eq + 1);
      out += std::string(name) + "=" +
             (SecretName(name) || SecretLookingValue(value) ? "REDACTED" : std::string(value));
    }
    if (amp == std::string_view::npos) return out;
    out += '&';
    query.remove_prefix(amp + 1);
  }
}

}  // namespace lockbox::http
