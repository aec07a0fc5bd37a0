#include "http/json_io.h"

#include <algorithm>
#include <string>
#include <utility>

namespace lockbox::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsJsonMediaType(std::string_view content_type) {
  const std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < media.size(); ++i) {
    const char c = media[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kJson[i]) return false;
  }
  return true;
}

}  // namespace

Response JsonResponse(int status, const nlohmann::json& body) {
  return JsonTextResponse(status,
                          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response JsonTextResponse(int status, std::string text) {
  Response response;
  response.status = status;
  response.body = std::move(text);
  return response;
}

void AppendJsonString(std::string& out, std::string_view value) {
  const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {  // most values: IDs, names, routes, addresses
    out += '"';
    out += value;
    out += '"';
  } else {
    out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

Response ErrorResponse(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
      return ErrorResponse(400, "invalid_argument", status.message());
    case ErrorCode::kNotFound:
      return ErrorResponse(404, "not_found", status.message());
    case ErrorCode::kUnauthenticated:
      return ErrorResponse(401, "unauthenticated", status.message());
    case ErrorCode::kPermissionDenied:
      return ErrorResponse(403, "forbidden", status.message());
    case ErrorCode::kRateLimited:
      return ErrorResponse(429, "rate_limited", status.message());
    case ErrorCode::kAlreadyExists:
      return ErrorResponse(409, "conflict", status.message());
    case ErrorCode::kUnsupported:
      return ErrorResponse(422, "unsupported", status.message());
    default: {
      Response response = ErrorResponse(
          500, "internal", "the server failed to handle this request; its log says why");
      response.log_note = status.message();
      return response;
    }
  }
}

std::optional<Response> ReadJsonBody(const Request& request, nlohmann::json* out) {
  const std::string_view content_type = request.Header("content-type");
  if (!IsJsonMediaType(content_type)) {
    return ErrorResponse(415, "unsupported_media_type",
                         content_type.empty()
                             ? "send the body with Content-Type: application/json"
                             : "Content-Type must be application/json (got \"" +
                                   std::string(content_type.substr(0, 100)) + "\")");
  }
  if (request.body.empty()) {
    return ErrorResponse(400, "malformed_json", "the request body is empty; send a JSON document");
  }
  try {
    *out = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    // The parser's own message quotes the input, which may hold a secret: give the position.
    return ErrorResponse(400, "malformed_json",
                         "the request body is not valid JSON (error at byte " +
                             std::to_string(e.byte) + "); send a JSON document");
  } catch (const nlohmann::json::exception&) {
    // out_of_range: a number beyond what a double holds (1E400).
    return ErrorResponse(400, "malformed_json",
                         "the request body holds a number out of range; send a JSON document");
  }
  return std::nullopt;
}

}  // namespace lockbox::http
