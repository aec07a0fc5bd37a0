// Administration: local accounts, API tokens, enrollment tokens, machine credentials (every
// change audited by the auth part) and the runtime settings (audited by service::Settings).
#include "api/codec.h"
#include "api/guarded_route.h"
#include "api/json_fields.h"
#include "api/route_groups.h"
#include "auth/token.h"
#include "config/config.h"
#include "http/json_io.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

std::vector<std::string> RoleNames() {
  std::vector<std::string> names;
  for (Role role : PeopleRoles()) names.emplace_back(service::NameOf(role));
  return names;
}

Role RoleOf(const std::optional<std::string>& name) {
  return name ? service::ParseRole(*name).value_or(Role::kReportReader) : Role::kReportReader;
}

// Runs `body` on the request's JSON fields, then answers what it returns.
template <typename Body>
http::Response WithFields(http::Request& request, Body&& body) {
  nlohmann::json json;
  crypto::WipeOnExit wipe(json);
  if (auto error = http::ReadJsonBody(request, &json)) return *error;
  JsonFields fields(json, "");
  return body(fields);
}

template <typename T, typename Encode>
http::Response List(const Result<std::vector<T>>& items, const char* name, Encode encode) {
  if (!items.ok()) return Failure(items.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : *items) list.push_back(encode(item));
  return http::JsonResponse(200, {{name, std::move(list)}});
}

http::Response Done(const Status& status, nlohmann::json answer) {
  if (!status.ok()) return Failure(status);
  return http::JsonResponse(200, answer);
}

http::Response CreateUser(Services& services, http::Request& request, const Caller& caller) {
  return WithFields(request, [&](JsonFields& f) {
    auth::NewUser user;
    user.name = f.Text("name", {.max_bytes = 64});
    user.display_name = f.Text("display_name", {.required = false});
    user.role = RoleOf(f.OneOf("role", RoleNames()));
    const bool service_account = f.Flag("service_account");
    const crypto::SecretBytes password =
        f.Secret("initial_password", services.options().auth.max_password_bytes, !service_account);
    if (Status status = f.Finish(); !status.ok()) return Failure(status);
    if (service_account && !password.empty()) {
      return Failure(Status::InvalidArgument(
          "a service account has no password (it signs in with API tokens): drop "
          "initial_password"));
    }
    auto& accounts = services.auth().accounts();
    auto created = service_account ? accounts.CreateServiceAccount(caller.actor, user)
                                   : accounts.CreateUser(caller.actor, user, password);
    if (!created.ok()) return Failure(created.status());
    return http::JsonResponse(201, EncodeUser(*created));
  });
}

http::Response UpdateUser(Services& services, http::Request& request, const Caller& caller) {
  const std::string name(request.Param("name"));
  return WithFields(request, [&](JsonFields& f) {
    std::optional<Role> role;
    std::optional<std::string> display_name;
    std::optional<bool> disabled;
    if (f.Has("role")) role = RoleOf(f.OneOf("role", RoleNames()));
    if (f.Has("display_name")) display_name = f.Text("display_name", {.required = false});
    if (f.Has("disabled")) disabled = f.Flag("disabled");
    if (Status status = f.Finish(); !status.ok()) return Failure(status);
    auto& accounts = services.auth().accounts();
    Status status;
    if (role) status = accounts.SetRole(caller.actor, name, *role);
    if (status.ok() && display_name) {
      status = accounts.SetDisplayName(caller.actor, name, *display_name);
    }
    if (status.ok() && disabled) status = accounts.SetDisabled(caller.actor, name, *disabled);
    if (!status.ok()) return Failure(status);
    auto user = services.store().GetUser(name);
    if (!user.ok()) return Failure(user.status());
    return http::JsonResponse(200, EncodeUser(*user));
  });
}

http::Response ResetPassword(Services& services, http::Request& request, const Caller& caller) {
  const std::string name(request.Param("name"));
  return WithFields(request, [&](JsonFields& f) {
    const crypto::SecretBytes password =
        f.Secret("new_password", services.options().auth.max_password_bytes);
    if (Status status = f.Finish(); !status.ok()) return Failure(status);
    return Done(services.auth().accounts().ResetPassword(caller.actor, name, password),
                {{"name", name}, {"must_change_password", true}});
  });
}

http::Response CreateApiToken(Services& services, http::Request& request, const Caller& caller) {
  return WithFields(request, [&](JsonFields& f) {
    const std::string owner = f.Text("user", {.max_bytes = 64});
    std::vector<std::string> roles = RoleNames();
    const Role role = RoleOf(f.OneOf("role", roles));
    const int64_t days = f.Integer("lifetime_days", 1, 366, 90);
    const std::string description = f.Text("description", {.required = false});
    if (Status status = f.Finish(); !status.ok()) return Failure(status);
    auto token = services.auth().api_tokens().Create(caller.actor, owner, role,
                                                     std::chrono::days(days), description);
    if (!token.ok()) return Failure(token.status());
    nlohmann::json out = EncodeApiToken(token->record);
    crypto::WipeOnExit wipe_answer(out);
    out["token"] = std::string(auth::TextOf(token->token));
    return http::JsonResponse(201, out);
  });
}

http::Response CreateEnrollmentToken(Services& services, http::Request& request,
                                     const Caller& caller) {
  return WithFields(request, [&](JsonFields& f) {
    const std::string description = f.Text("description");
    const int64_t max_uses = f.Integer("max_uses", 1, 1'000'000, 1);
    const int64_t days = f.Integer("lifetime_days", 1, 90, 14);
    if (Status status = f.Finish(); !status.ok()) return Failure(status);
    auto token = services.auth().machines().IssueEnrollmentToken(caller.actor, description,
                                                                 max_uses, std::chrono::days(days));
    if (!token.ok()) return Failure(token.status());
    nlohmann::json out = EncodeEnrollmentToken(token->record);
    crypto::WipeOnExit wipe_answer(out);
    out["token"] = std::string(auth::TextOf(token->token));
    return http::JsonResponse(201, out);
  });
}

http::Response RevokeComputer(Services& services, http::Request& request, const Caller& caller) {
  auto id = PathId(request, "computer_id");
  if (!id.ok()) return Failure(id.status());
  return Done(services.auth().machines().RevokeComputer(caller.actor, *id),
              {{"computer_id", id->ToString()}, {"credential_revoked", true}});
}

nlohmann::json EncodeSettings(const service::RuntimeSettings& s) {
  return {{"drive_unlock_reasons", s.drive_unlock_reasons},
          {"tpm_reasons", s.tpm_reasons},
          {"self_service_notice", s.self_service_notice},
          {"company_name", s.company_name},
          {"helpdesk_contact", s.helpdesk_contact},
          {"report_interval_minutes", s.report_interval.count()},
          {"agent_tpm_unlock_window_minutes", s.agent_tpm_unlock_window.count()}};
}

http::Response SettingsAnswer(const Result<service::RuntimeSettings>& settings) {
  if (!settings.ok()) return Failure(settings.status());
  return http::JsonResponse(200, EncodeSettings(*settings));
}

http::Response ChangeSettings(Services& services, http::Request& request, const Caller& caller) {
  return WithFields(request, [&](JsonFields& f) {
    service::SettingsChange change;
    const TextRules reason_rules{.max_bytes = config::kMaxReasonBytes};
    for (auto [key, list] : {std::pair{"drive_unlock_reasons", &change.drive_unlock_reasons},
                             std::pair{"tpm_reasons", &change.tpm_reasons}}) {
      if (f.Has(key)) *list = f.TextArray(key, config::kMaxReasons, reason_rules);
    }
    if (f.Has("self_service_notice")) {
      change.self_service_notice = f.Text(
          "self_service_notice", {.max_bytes = config::kMaxNoticeBytes, .allow_control = true});
    }
    for (auto [key, text] : {std::pair{"company_name", &change.company_name},
                             std::pair{"helpdesk_contact", &change.helpdesk_contact}}) {
      if (f.Has(key)) *text = f.Text(key, {.required = false, .max_bytes = config::kMaxLabelBytes});
    }
    if (f.Has("report_interval_minutes")) {
      change.report_interval = std::chrono::minutes(
          f.Integer("report_interval_minutes", 1, config::kMaxReportIntervalMinutes));
    }
    if (f.Has("agent_tpm_unlock_window_minutes")) {
      change.agent_tpm_unlock_window = std::chrono::minutes(
          f.Integer("agent_tpm_unlock_window_minutes", 0, config::kMaxAgentTpmUnlockWindowMinutes));
    }
    if (Status status = f.Finish(); !status.ok()) return Failure(status);
    return SettingsAnswer(services.settings().Change(caller.actor, change));
  });
}

}  // namespace

Status AddAdminRoutes(http::Router& router, Services& services) {
  const std::vector<Role> admin = {Role::kAdmin};
  const nlohmann::json user_schema = ObjectSchema({{"name", "string"},
                                                   {"display_name", "string"},
                                                   {"role", "string"},
                                                   {"service_account", "boolean"},
                                                   {"must_change_password", "boolean"},
                                                   {"disabled", "boolean"},
                                                   {"locked_until", "string"},
                                                   {"last_login", "string"},
                                                   {"created_at", "string"}});
  const auto add = [&](http::Method method, std::string pattern, std::string summary,
                       std::string description, nlohmann::json request_schema,
                       nlohmann::json response_schema, GuardedHandler handler) {
    return AddGuarded(router, services,
                      {.method = method,
                       .pattern = std::move(pattern),
                       .summary = std::move(summary),
                       .description = std::move(description),
                       .request_schema = std::move(request_schema),
                       .response_schema = std::move(response_schema),
                       .roles = admin,
                       .handler = std::move(handler)});
  };
  auto& accounts = services.auth().accounts();
  auto& api_tokens = services.auth().api_tokens();
  auto& machines = services.auth().machines();
  LOCKBOX_RETURN_IF_ERROR(add(http::Method::kGet, "/api/v1/users", "List local accounts", "",
                              nullptr, ObjectSchema({{"users", "array"}}),
                              [&accounts](http::Request&, const Caller& caller) {
                                return List(accounts.ListUsers(caller.actor), "users", EncodeUser);
                              }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kPost, "/api/v1/users", "Create a local account",
          "A person gets initial_password, to be changed at first sign-in; a service account "
          "(service_account true) has no password and acts only through API tokens.",
          ObjectSchema({{"name", "string"},
                        {"display_name", "string"},
                        {"role", "string"},
                        {"service_account", "boolean"},
                        {"initial_password", "string"}},
                       {"name", "role"}),
          user_schema, [&services](http::Request& request, const Caller& caller) {
            return CreateUser(services, request, caller);
          }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kPatch, "/api/v1/users/{name}", "Change an account's role, name or state",
          "Only the fields given change. Disabling ends the user's sessions.",
          ObjectSchema({{"role", "string"}, {"display_name", "string"}, {"disabled", "boolean"}}),
          user_schema, [&services](http::Request& request, const Caller& caller) {
            return UpdateUser(services, request, caller);
          }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kPost, "/api/v1/users/{name}/password", "Reset an account's password",
          "Unlocks the account, ends its sessions; the user must change it at next sign-in.",
          ObjectSchema({{"new_password", "string"}}, {"new_password"}),
          ObjectSchema({{"name", "string"}, {"must_change_password", "boolean"}}),
          [&services](http::Request& request, const Caller& caller) {
            return ResetPassword(services, request, caller);
          }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kPost, "/api/v1/users/{name}/unlock", "Clear an account's lockout", "",
          nullptr, ObjectSchema({{"name", "string"}, {"unlocked", "boolean"}}),
          [&accounts](http::Request& request, const Caller& caller) {
            const std::string name(request.Param("name"));
            return Done(accounts.Unlock(caller.actor, name), {{"name", name}, {"unlocked", true}});
          }));
  LOCKBOX_RETURN_IF_ERROR(add(
      http::Method::kGet, "/api/v1/api-tokens", "List API tokens (never their text)", "", nullptr,
      ObjectSchema({{"api_tokens", "array"}}), [&api_tokens](http::Request&, const Caller& caller) {
        return List(api_tokens.List(caller.actor), "api_tokens", EncodeApiToken);
      }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kPost, "/api/v1/api-tokens", "Create an API token",
          "For `user`, acting as `role` (no more than the user's own), for lifetime_days (default "
          "90, at most 366). The token's text is in `token`, shown once.",
          ObjectSchema({{"user", "string"},
                        {"role", "string"},
                        {"lifetime_days", "integer"},
                        {"description", "string"}},
                       {"user", "role"}),
          ObjectSchema({{"id", "string"}, {"token", "string"}, {"expires_at", "string"}}),
          [&services](http::Request& request, const Caller& caller) {
            return CreateApiToken(services, request, caller);
          }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kDelete, "/api/v1/api-tokens/{id}", "Revoke an API token", "", nullptr,
          ObjectSchema({{"id", "string"}, {"revoked", "boolean"}}),
          [&api_tokens](http::Request& request, const Caller& caller) {
            const std::string id(request.Param("id"));
            return Done(api_tokens.Revoke(caller.actor, id), {{"id", id}, {"revoked", true}});
          }));
  LOCKBOX_RETURN_IF_ERROR(add(http::Method::kGet, "/api/v1/enrollment-tokens",
                              "List enrollment tokens", "", nullptr,
                              ObjectSchema({{"enrollment_tokens", "array"}}),
                              [&machines](http::Request&, const Caller& caller) {
                                return List(machines.ListEnrollmentTokens(caller.actor),
                                            "enrollment_tokens", EncodeEnrollmentToken);
                              }));
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kPost, "/api/v1/enrollment-tokens", "Issue an enrollment token",
          "For agents to enroll: max_uses computers (default 1) within lifetime_days (default 14, "
          "at most 90). The token's text is in `token`, shown once.",
          ObjectSchema(
              {{"description", "string"}, {"max_uses", "integer"}, {"lifetime_days", "integer"}},
              {"description"}),
          ObjectSchema({{"id", "string"}, {"token", "string"}, {"expires_at", "string"}}),
          [&services](http::Request& request, const Caller& caller) {
            return CreateEnrollmentToken(services, request, caller);
          }));
  LOCKBOX_RETURN_IF_ERROR(add(http::Method::kDelete, "/api/v1/enrollment-tokens/{id}",
                              "Revoke an enrollment token", "", nullptr,
                              ObjectSchema({{"id", "string"}, {"revoked", "boolean"}}),
                              [&machines](http::Request& request, const Caller& caller) {
                                const std::string id(request.Param("id"));
                                return Done(machines.RevokeEnrollmentToken(caller.actor, id),
                                            {{"id", id}, {"revoked", true}});
                              }));
  const nlohmann::json settings_schema =
      ObjectSchema({{"drive_unlock_reasons", "array"},
                    {"tpm_reasons", "array"},
                    {"self_service_notice", "string"},
                    {"company_name", "string"},
                    {"helpdesk_contact", "string"},
                    {"report_interval_minutes", "integer"},
                    {"agent_tpm_unlock_window_minutes", "integer"}});
  LOCKBOX_RETURN_IF_ERROR(
      add(http::Method::kGet, "/api/v1/settings", "The settings an admin may change",
          "The values in force: the config file's, or an admin's change (PATCH) over them. "
          "company_name and helpdesk_contact are empty when not set.",
          nullptr, settings_schema, [&services](http::Request&, const Caller&) {
            const auto settings = services.settings().Current();
            if (!settings.ok()) return Failure(settings.status());
            return SettingsAnswer(**settings);
          }));
  LOCKBOX_RETURN_IF_ERROR(add(
      http::Method::kPatch, "/api/v1/settings", "Change settings",
      "Only the fields given change; each change is audited (\"setting changed\"). A reason "
      "list lacking \"Other\" gets it. report_interval_minutes (1 to 1440): how often agents "
      "report, so how soon a disclosed recovery password is replaced; "
      "agent_tpm_unlock_window_minutes (0 to 10080, 0 off): how long after a disclosure an "
      "agent may fetch its TPM owner authorisation to reset a TPM lockout. Another server "
      "sharing the store applies a change within 10 seconds.",
      settings_schema, settings_schema, [&services](http::Request& request, const Caller& caller) {
        return ChangeSettings(services, request, caller);
      }));
  return add(http::Method::kDelete, "/api/v1/computers/{computer_id}/credential",
             "Revoke a computer's machine credential",
             "Its agent must enroll again (with a new enrollment token) before it may report.",
             nullptr, ObjectSchema({{"computer_id", "string"}, {"credential_revoked", "boolean"}}),
             [&services](http::Request& request, const Caller& caller) {
               return RevokeComputer(services, request, caller);
             });
}

}  // namespace lockbox::api::internal
