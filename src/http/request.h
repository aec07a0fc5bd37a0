// Request and Response: what a route's handler sees and returns.
//
// These are plain values, independent of Boost.Beast, so handlers and their tests need no
// networking headers. The server fills a Request from the wire (header names lower-cased,
// path and query split, path parameters decoded by the router) and turns a Response back into
// HTTP/1.1 with Content-Length, keep-alive and the security headers every answer carries.
#pragma once

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace lockbox::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

const char* MethodName(Method method);         // "GET"
Method MethodFromName(std::string_view name);  // kOther for anything unknown

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::kGet;
  std::string path;   // the target up to '?', still percent-encoded
  std::string query;  // the target after '?', raw ("" when absent)
  Fields headers;     // names lower-cased, in arrival order
  std::string body;
  std::string remote_address;  // "203.0.113.7" (the TCP peer)

  // Set by the router: the pattern that matched ("/api/v1/keys/{key_id}") and its parameters,
  // percent-decoded ({"key_id", "4381F759"}).
  std::string route;
  Fields params;
  // What the route's quick handler, having passed, leaves for its full handler (api: the
  // caller it authenticated, so that the request is not authenticated twice).
  std::any handoff;

  // The first header named `name` (any case), or "" when absent.
  std::string_view Header(std::string_view name) const;
  // The path parameter `name`, or "" when the route has none of that name.
  std::string_view Param(std::string_view name) const;
};

// `text` with its %XX escapes decoded; nullopt for a malformed escape (% not followed by two
// hex digits).
std::optional<std::string> PercentDecode(std::string_view text);

// The first query parameter `name` of `request`, decoded ('+' is a space): nullopt when
// absent, kInvalidArgument naming it when its escapes are malformed.
Result<std::optional<std::string>> QueryParam(const Request& request, std::string_view name);

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Fields headers{};  // extra headers (Allow, Location, ...)
  std::string body{};
  // Why the request failed on the server's side (a 500's store error, say), for its log
  // line only: the client is told to look there. Never a secret (Status messages hold none).
  std::string log_note{};
};

}  // namespace lockbox::http
