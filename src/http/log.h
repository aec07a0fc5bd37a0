// The server's log: JSON lines on one spdlog logger, one object per line:
//
//   {"time":"2024-05-01T09:30:00.123456Z","level":"info","msg":"request","method":"GET",...}
//
// What never goes into it: request or response bodies, Authorization and Cookie headers (the
// server logs only the headers it names), and query values that look secret (RedactQuery).
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/config.h"

namespace lockbox::http {

// A logger writing JSON lines to `sink` (stdout for `lockbox serve`; a stream in tests).
std::shared_ptr<spdlog::logger> MakeJsonLogger(spdlog::sink_ptr sink, config::LogLevel level);

// Logs `msg` with `fields` (an object; a field named "msg" is replaced) merged into the line.
void LogJson(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
             nlohmann::json fields = nlohmann::json::object());

// The fields of one line, written out as they are added: for the access log, a line per
// request, where building an nlohmann object first would cost more than the request's own
// answer. Names are the caller's literals; text values are escaped (bytes that are not UTF-8
// become U+FFFD, as LogJson does).
class LogLine {
 public:
  LogLine& Text(std::string_view name, std::string_view value);
  LogLine& Number(std::string_view name, int64_t value);
  LogLine& Number(std::string_view name, double value);

  // Logs `msg` with the fields added so far.
  void Log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg);

 private:
  void Name(std::string_view name);
  std::string fields_;  // ,"name":value,"name":value...
};

// `query` with the value of every parameter that looks secret replaced by "REDACTED": one whose
// name suggests a credential (password, token, secret, key, auth, session, code, ...), and any
// long value that looks like a token or a recovery password.
std::string RedactQuery(std::string_view query);

}  // namespace lockbox::http
