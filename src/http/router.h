// Router: the table of routes the server answers, matched by method and path pattern.
//
//   http::Router router;
//   LOCKBOX_RETURN_IF_ERROR(router.Add({
//       .method = http::Method::kGet,
//       .pattern = "/api/v1/keys/{key_id}",
//       .summary = "Look up a recovery key",
//       .description = "Every key whose ID starts with key_id (8 to 32 hex digits).",
//       .response_schema = {{"type", "object"}},
//       .handler = [&](http::Request& request) {
//         return http::JsonResponse(200, Lookup(request.Param("key_id")));
//       }}));
//
// A pattern is literal segments and `{name}` parameters, each matching one non-empty path
// segment. When several patterns match a path, the one with the fewest parameters wins
// (/api/v1/keys/search before /api/v1/keys/{key_id}). A path no pattern matches is 404; a
// path that matches only with other methods is 405 with an Allow header. The same table
// produces the OpenAPI document (openapi.h), so every route carries its documentation.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/request.h"
#include "util/status.h"

namespace lockbox::http {

// Handlers run on the server's handler pool (ServerOptions::handler_threads), several at once; they
// must not throw (the server answers 500 and logs it if one does).
using Handler = std::function<Response(Request&)>;
// A quick handler runs first, on the I/O thread that read the request, and answers what it
// can without waiting: from memory or a local read, never a commit or a remote call. It
// returns nullopt, leaving the request as it was, to pass the request on to the route's
// Handler on the pool. It saves the request the trip to the pool and back, the larger part of
// the cost of a cheap request.
using QuickHandler = std::function<std::optional<Response>(Request&)>;

struct Route {
  Method method = Method::kGet;
  std::string pattern{};      // "/api/v1/keys/{key_id}"
  std::string summary{};      // one line, for the OpenAPI document
  std::string description{};  // longer prose, may be empty
  // JSON Schemas for the OpenAPI document; null when the route takes no JSON body / returns
  // something other than JSON (then response_content_type says what).
  nlohmann::json request_schema{};
  nlohmann::json response_schema{};
  std::string response_content_type = "application/json";
  Handler handler{};
  QuickHandler quick{};  // optional
};

class Router {
 public:
  // Adds a route. kInvalidArgument for a malformed pattern (no leading '/', an empty or
  // unclosed {}, a repeated parameter name) or one that duplicates a route's method and shape.
  Status Add(Route route);

  // Finds the route for the request, fills request.route and request.params, and calls its
  // handler; or answers 400 (malformed percent-escape), 404 or 405 itself.
  Response Dispatch(Request& request) const;
  // The same, on the I/O thread: the route's quick handler's answer, or the router's own;
  // nullopt when the route has no quick handler or it passed (then Dispatch).
  std::optional<Response> DispatchQuick(Request& request) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  // The route for the request (with request.route and request.params filled), or the answer
  // when there is none.
  std::variant<const Route*, Response> Match(Request& request) const;

  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool parameter = false;
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> segments_;  // segments_[i] is routes_[i]'s pattern
};

}  // namespace lockbox::http
