// Internal to api: a route with the roles that may call it. AddGuarded() wraps its handler so
// that it runs only for an authenticated caller of one of those roles (401 or 403 otherwise,
// with a message saying what to do), and lists the roles in the route's OpenAPI description.
// The service checks every operation's role again: this is the first of two locks.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/caller.h"
#include "http/router.h"
#include "service/roles.h"

namespace lockbox::api::internal {

using GuardedHandler = std::function<http::Response(http::Request&, const Caller&)>;
// http::QuickHandler for an admitted caller. Used only when the store's reads are local
// (Store::ReadsAreLocal) and for callers presenting a machine credential: authenticating the
// caller reads the store, and must not write to it. When it passes (nullopt), the route's
// handler runs for the same caller, not authenticated again.
using GuardedQuickHandler =
    std::function<std::optional<http::Response>(http::Request&, const Caller&)>;

struct GuardedRoute {
  http::Method method = http::Method::kGet;
  std::string pattern{};
  std::string summary{};
  std::string description{};
  nlohmann::json request_schema{};
  nlohmann::json response_schema{};
  std::vector<service::Role> roles{};
  // kChangePassword: also for a session that must change its password first.
  auth::SessionUse session_use = auth::SessionUse::kAny;
  GuardedHandler handler{};
  GuardedQuickHandler quick{};  // optional
};

Status AddGuarded(http::Router& router, Services& services, GuardedRoute route);

// Every role a person signs in with (everyone but agents).
std::vector<service::Role> PeopleRoles();

// A JSON Schema of an object for the OpenAPI document: each field with its JSON type
// ("string", "integer", "boolean", "array", "object"), `required` naming the mandatory ones.
nlohmann::json ObjectSchema(std::initializer_list<std::pair<const char*, const char*>> fields,
                            std::initializer_list<const char*> required = {});

// The path parameter `name` as a GUID; kInvalidArgument naming it otherwise.
Result<Guid> PathId(const http::Request& request, std::string_view name);

// The answer for a failed Status; 401s carry WWW-Authenticate.
http::Response Failure(const Status& status);

}  // namespace lockbox::api::internal
