// The server's log: JSON lines on one spdlog logger, one object per line:
//
//   {"time":"2024-05-01T09:30:00.123456Z","level":"info","msg":"request","method":"GET",...}
//
// What never goes into it: request or response bodies, Authorization and Cookie headers (the
// server logs only the headers it names), and query values that look secret (RedactQuery).
#pragma once

#include <spdlog/spdlog.h>

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

// `query` with the value of every parameter that looks secret replaced by "REDACTED": one whose
// name suggests a credential (password, token, secret, key, auth, session, code, ...), and any
// long value that looks like a token or a recovery password.
std::string RedactQuery(std::string_view query);

}  // namespace lockbox::http
