// JSON in and out of handlers, and the one shape every error answer has:
//
//   {"error": {"code": "not_found", "message": "no recovery key starts with 4381F759"}}
//
// In a handler:
//
//   nlohmann::json body;
//   if (auto error = http::ReadJsonBody(request, &body)) return *error;  // 415 or 400
//   LOCKBOX_ASSIGN_OR_RETURN...  // or: if (!status.ok()) return http::ErrorResponse(status);
//   return http::JsonResponse(200, {{"key_id", id}});
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"
#include "util/status.h"

namespace lockbox::http {

// `body` serialised (invalid UTF-8 in strings is replaced, never thrown on).
Response JsonResponse(int status, const nlohmann::json& body);
// `text`, JSON written by the caller, as the body (for answers written without nlohmann).
Response JsonTextResponse(int status, std::string text);

// Appends `value` as a JSON string: quoted, escaped, invalid UTF-8 replaced by U+FFFD (as
// JsonResponse does). For text written directly, where building a JSON value first would
// cost more than the rest of the request (the access log, check-in answers).
void AppendJsonString(std::string& out, std::string_view value);

// An error answer: `code` is a short stable name ("not_found"), `message` says what was
// wrong and what to do. Neither may contain secrets.
Response ErrorResponse(int status, std::string_view code, std::string_view message);

// The error answer for a failed Status: kInvalidArgument 400, kPermissionDenied 403, kNotFound
// 404, kAlreadyExists 409, kUnsupported 422, kRateLimited 429, anything else 500 with a generic
// message (an internal failure's details go to the log, not to the client).
Response ErrorResponse(const Status& status);

// Parses the request body as JSON into *out. Returns the answer to send instead when the
// Content-Type is not application/json (415) or the body is empty or not valid JSON (400).
std::optional<Response> ReadJsonBody(const Request& request, nlohmann::json* out);

}  // namespace lockbox::http
