// Signing in and out with a browser session, changing one's password, and what the portal
// pages show before anyone signs in.
#include "api/caller.h"
#include "api/guarded_route.h"
#include "api/json_fields.h"
#include "api/route_groups.h"
#include "auth/token.h"
#include "http/json_io.h"
#include "util/utc_time.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

// A fresh session for `login`: its cookie and the body that hands the page its CSRF token.
http::Response StartSession(Services& services, const auth::LoginResult& login) {
  auto session = services.auth().sessions().Start(login);
  if (!session.ok()) return Failure(session.status());
  nlohmann::json answer = {{"name", login.actor.name},
                           {"role", service::NameOf(login.actor.role)},
                           {"must_change_password", login.must_change_password},
                           {"csrf_token", std::string(auth::TextOf(session->csrf_token))},
                           {"expires_at", FormatUtc(session->expires_at)}};
  crypto::WipeOnExit wipe(answer);
  http::Response response = http::JsonResponse(200, answer);
  response.headers.emplace_back("Set-Cookie",
                                SessionCookie(auth::TextOf(session->token), session->expires_at,
                                              services.options().auth.now()));
  return response;
}

http::Response Login(Services& services, http::Request& request) {
  nlohmann::json body;
  crypto::WipeOnExit wipe(body);
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  JsonFields fields(body, "");
  const std::string name = fields.Text("name", {.max_bytes = 64});
  const crypto::SecretBytes password =
      fields.Secret("password", services.options().auth.max_password_bytes);
  if (Status status = fields.Finish(); !status.ok()) return Failure(status);
  auto login = services.auth().accounts().Login(name, password, request.remote_address);
  if (!login.ok()) return Failure(login.status());
  return StartSession(services, *login);
}

http::Response WhoAmI(const Caller& caller) {
  nlohmann::json out = {{"name", caller.actor.name},
                        {"role", service::NameOf(caller.actor.role)},
                        {"source", service::NameOf(caller.actor.source)},
                        {"must_change_password", false},
                        {"expires_at", nullptr}};
  if (caller.session) {
    out["must_change_password"] = caller.session->must_change_password;
    out["expires_at"] = FormatUtc(caller.session->expires_at);
  }
  return http::JsonResponse(200, out);
}

http::Response Logout(Services& services, http::Request& request, const Caller& caller) {
  if (!caller.session) {
    return Failure(Status::InvalidArgument(
        "this request carries a bearer token, not a session: revoke the token instead"));
  }
  const Status status = services.auth().sessions().Logout(CookieValue(request, kSessionCookie));
  if (!status.ok()) return Failure(status);
  http::Response response = http::JsonResponse(200, {{"signed_out", true}});
  response.headers.emplace_back("Set-Cookie", ExpiredSessionCookie());
  return response;
}

http::Response ChangePassword(Services& services, http::Request& request, const Caller& caller) {
  if (!caller.session) {
    return Failure(Status::InvalidArgument(
        "change a password in a signed-in session (POST /api/v1/session first)"));
  }
  nlohmann::json body;
  crypto::WipeOnExit wipe(body);
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  JsonFields fields(body, "");
  const size_t max = services.options().auth.max_password_bytes;
  const crypto::SecretBytes current = fields.Secret("current_password", max);
  const crypto::SecretBytes next = fields.Secret("new_password", max);
  if (Status status = fields.Finish(); !status.ok()) return Failure(status);
  auth::Accounts& accounts = services.auth().accounts();
  if (Status status =
          accounts.ChangePassword(caller.actor.name, current, next, request.remote_address);
      !status.ok()) {
    return Failure(status);
  }
  // Changing the password ended every session of the user: this browser gets a new one.
  auto login = accounts.Login(caller.actor.name, next, request.remote_address);
  if (!login.ok()) return Failure(login.status());
  return StartSession(services, *login);
}

// Nothing here is secret: the sign-in page shows it to everyone.
http::Response PortalSettings(Services& services) {
  const auto settings = services.settings().Current();
  if (!settings.ok()) return Failure(settings.status());
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  return http::JsonResponse(200, {{"company_name", text_or_null((*settings)->company_name)},
                                  {"helpdesk_contact", text_or_null((*settings)->helpdesk_contact)},
                                  {"self_service_idle_timeout_seconds",
                                   services.options().service.self_service_idle_timeout.count()}});
}

}  // namespace

Status AddSessionRoutes(http::Router& router, Services& services) {
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = http::Method::kPost,
      .pattern = "/api/v1/session",
      .summary = "Sign in",
      .description =
          "Checks a local account's name and password and starts a browser session: the "
          "session cookie (HttpOnly, Secure, SameSite=Strict) and, in the body, the CSRF token "
          "to send back in the X-CSRF-Token header with every request that changes anything. "
          "Failures are 401 with one message whatever the cause; too many attempts are 429.\n\n"
          "Roles: anyone (no credentials needed).",
      .request_schema =
          ObjectSchema({{"name", "string"}, {"password", "string"}}, {"name", "password"}),
      .response_schema = ObjectSchema({{"name", "string"},
                                       {"role", "string"},
                                       {"must_change_password", "boolean"},
                                       {"csrf_token", "string"},
                                       {"expires_at", "string"}}),
      .handler = [&services](http::Request& request) { return Login(services, request); },
  }));
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = http::Method::kGet,
      .pattern = "/api/v1/portal",
      .summary = "What the portal pages show before sign-in",
      .description =
          "The organisation's name and helpdesk contact (the settings company_name and "
          "helpdesk_contact, GET /api/v1/settings; null when not set) and the idle time after "
          "which the "
          "self-service page signs its user out.\n\nRoles: anyone (no credentials needed).",
      .response_schema = ObjectSchema({{"company_name", "string"},
                                       {"helpdesk_contact", "string"},
                                       {"self_service_idle_timeout_seconds", "integer"}}),
      .handler = [&services](http::Request&) { return PortalSettings(services); },
  }));
  const std::vector<Role> everyone = PeopleRoles();
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/session",
       .summary = "Who the caller is",
       .description = "The signed-in user (or the API token's owner), role and session expiry.",
       .response_schema = ObjectSchema({{"name", "string"},
                                        {"role", "string"},
                                        {"source", "string"},
                                        {"must_change_password", "boolean"},
                                        {"expires_at", "string"}}),
       .roles = everyone,
       .session_use = auth::SessionUse::kChangePassword,
       .handler = [](http::Request&, const Caller& caller) { return WhoAmI(caller); }}));
  LOCKBOX_RETURN_IF_ERROR(
      AddGuarded(router, services,
                 {.method = http::Method::kDelete,
                  .pattern = "/api/v1/session",
                  .summary = "Sign out",
                  .description = "Ends the browser session and clears its cookie.",
                  .response_schema = ObjectSchema({{"signed_out", "boolean"}}),
                  .roles = everyone,
                  .session_use = auth::SessionUse::kChangePassword,
                  .handler = [&services](http::Request& request, const Caller& caller) {
                    return Logout(services, request, caller);
                  }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/session/password",
       .summary = "Change one's own password",
       .description = "Checks the current password like a sign-in, sets the new one, ends every "
                      "session of the user and starts a new one for this browser (new cookie and "
                      "CSRF token). A new account must do this before anything else.",
       .request_schema = ObjectSchema({{"current_password", "string"}, {"new_password", "string"}},
                                      {"current_password", "new_password"}),
       .response_schema = ObjectSchema({{"name", "string"},
                                        {"role", "string"},
                                        {"must_change_password", "boolean"},
                                        {"csrf_token", "string"},
                                        {"expires_at", "string"}}),
       .roles = everyone,
       .session_use = auth::SessionUse::kChangePassword,
       .handler = [&services](http::Request& request, const Caller& caller) {
         return ChangePassword(services, request, caller);
       }});
}

}  // namespace lockbox::api::internal
