// Caller: who sent an API request, from its credentials.
//
// Scripts and agents send "Authorization: Bearer <token>" (an API token or a machine
// credential). Browsers send the session cookie set at sign-in; a request that changes
// anything (any method but GET and HEAD) must also carry the session's CSRF token in the
// X-CSRF-Token header, so another site cannot make the browser act for its user.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/services.h"
#include "auth/sessions.h"
#include "http/request.h"
#include "service/roles.h"

namespace lockbox::api {

inline constexpr std::string_view kSessionCookie = "lockbox_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

struct Caller {
  service::Actor actor;
  std::optional<auth::SessionInfo> session;  // set when signed in through a browser session
};

// The value of cookie `name` in the request's Cookie headers, or "".
std::string_view CookieValue(const http::Request& request, std::string_view name);

// The caller, or kUnauthenticated (no or bad credentials) / kPermissionDenied (a missing or
// wrong CSRF token; a session that must change its password first when `use` is kAny).
Result<Caller> Authenticate(Services& services, const http::Request& request,
                            auth::SessionUse use = auth::SessionUse::kAny);

// Whether the request presents a machine credential ("Authorization: Bearer lbx_agt_..."), whose
// authentication only reads the store (its last use is written with the computer's contact),
// unlike sessions and API tokens, which are touched now and then.
bool PresentsMachineCredential(const http::Request& request);

// The Set-Cookie value that gives a browser its session, and the one that removes it.
std::string SessionCookie(std::string_view token, store::Time expires_at, store::Time now);
std::string ExpiredSessionCookie();

}  // namespace lockbox::api
