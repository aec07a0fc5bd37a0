#include "api/caller.h"

#include <algorithm>
#include <optional>

#include "auth/token.h"

namespace lockbox::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kBearer = "bearer ";

// The token of an Authorization header of the Bearer scheme (the scheme's case ignored).
std::optional<std::string_view> BearerToken(std::string_view authorization) {
  if (authorization.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                  [](char a, char b) { return a == (b | 0x20); })) {
    return std::nullopt;
  }
  return Trim(authorization.substr(kBearer.size()));
}

constexpr std::string_view kCookieAttributes = "; Path=/; Secure; HttpOnly; SameSite=Strict";

}  // namespace

std::string_view CookieValue(const http::Request& request, std::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t end = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) {
        return Trim(pair.substr(eq + 1));
      }
    }
  }
  return {};
}

bool PresentsMachineCredential(const http::Request& request) {
  const std::optional<std::string_view> token = BearerToken(request.Header("authorization"));
  return token && auth::KindOf(*token) == auth::TokenKind::kMachine;
}

Result<Caller> Authenticate(Services& services, const http::Request& request,
                            auth::SessionUse use) {
  const std::string_view authorization = request.Header("authorization");
  if (!authorization.empty()) {
    const std::optional<std::string_view> token = BearerToken(authorization);
    if (!token) {
      return Status::Unauthenticated(
          "the Authorization header must be \"Bearer <token>\" with an API token or a machine "
          "credential");
    }
    LOCKBOX_ASSIGN_OR_RETURN(service::Actor actor,
                             services.auth().AuthenticateBearer(*token, request.remote_address));
    return Caller{.actor = std::move(actor), .session = std::nullopt};
  }
  const std::string_view token = CookieValue(request, kSessionCookie);
  if (token.empty()) {
    return Status::Unauthenticated(
        "sign in first (POST /api/v1/session), or send \"Authorization: Bearer <token>\"");
  }
  LOCKBOX_ASSIGN_OR_RETURN(auth::SessionInfo session, services.auth().sessions().Authenticate(
                                                          token, request.remote_address, use));
  if (request.method != http::Method::kGet && request.method != http::Method::kHead) {
    LOCKBOX_RETURN_IF_ERROR(
        services.auth().sessions().CheckCsrf(session, request.Header(kCsrfHeader)));
  }
  service::Actor actor = session.actor;
  return Caller{.actor = std::move(actor), .session = std::move(session)};
}

std::string SessionCookie(std::string_view token, store::Time expires_at, store::Time now) {
  const auto max_age = std::max<int64_t>(0, (expires_at - now).count());
  return std::string(kSessionCookie) + "=" + std::string(token) + std::string(kCookieAttributes) +
         "; Max-Age=" + std::to_string(max_age);
}

std::string ExpiredSessionCookie() {
  return std::string(kSessionCookie) + "=" + std::string(kCookieAttributes) + "; Max-Age=0";
}

}  // namespace lockbox::api
