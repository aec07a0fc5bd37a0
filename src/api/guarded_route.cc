#include "api/guarded_route.h"

#include <algorithm>
#include <variant>

#include "http/json_io.h"

namespace lockbox::api::internal {

std::vector<service::Role> PeopleRoles() {
  using service::Role;
  return {Role::kAdmin,        Role::kAdvancedHelpdesk, Role::kHelpdesk,
          Role::kReportReader, Role::kDataMigration,    Role::kSelfServiceUser};
}

nlohmann::json ObjectSchema(std::initializer_list<std::pair<const char*, const char*>> fields,
                            std::initializer_list<const char*> required) {
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [name, type] : fields) properties[name] = {{"type", type}};
  nlohmann::json schema = {{"type", "object"}, {"properties", std::move(properties)}};
  if (required.size() > 0)
    schema["required"] = std::vector<std::string>(required.begin(), required.end());
  return schema;
}

Result<Guid> PathId(const http::Request& request, std::string_view name) {
  auto id = Guid::Parse(request.Param(name));
  if (!id.ok()) {
    return Status::InvalidArgument("the path's " + std::string(name) +
                                   " must be a GUID like 8f595209-f5b9-49a0-85d4-cb8f80258c27");
  }
  return id;
}

http::Response Failure(const Status& status) {
  http::Response response = http::ErrorResponse(status);
  if (status.code() == ErrorCode::kUnauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"lockbox\"");
  }
  return response;
}

namespace {

// The caller, when it is authenticated and has one of `roles`; otherwise the answer (401, 403).
std::variant<Caller, http::Response> Admit(Services& services, const http::Request& request,
                                           const std::vector<service::Role>& roles,
                                           auth::SessionUse use) {
  auto caller = Authenticate(services, request, use);
  if (!caller.ok()) return Failure(caller.status());
  if (std::find(roles.begin(), roles.end(), caller->actor.role) == roles.end()) {
    return Failure(Status::PermissionDenied(
        "the role " + std::string(service::NameOf(caller->actor.role)) + " may not use " +
        std::string(http::MethodName(request.method)) + " " + request.route +
        ": ask an administrator for a role that may"));
  }
  return std::move(*caller);
}

}  // namespace

Status AddGuarded(http::Router& router, Services& services, GuardedRoute route) {
  std::string roles_text;
  for (service::Role role : route.roles) {
    roles_text += (roles_text.empty() ? "" : ", ") + std::string(service::NameOf(role));
  }
  std::string description = route.description;
  if (!description.empty()) description += "\n\n";
  description += "Roles: " + roles_text + ".";
  http::QuickHandler quick;
  if (route.quick && services.store().ReadsAreLocal()) {
    quick = [&services, roles = route.roles, use = route.session_use,
             handler =
                 std::move(route.quick)](http::Request& request) -> std::optional<http::Response> {
      if (!PresentsMachineCredential(request)) return std::nullopt;
      std::optional<http::Response> answer;
      // Authenticating and answering read the store: one read transaction for both.
      const Status read = services.store().ReadTogether([&]() -> Status {
        auto admitted = Admit(services, request, roles, use);
        if (auto* refused = std::get_if<http::Response>(&admitted)) {
          answer = std::move(*refused);
          return Status::Ok();
        }
        answer = handler(request, std::get<Caller>(admitted));
        if (!answer) request.handoff = std::move(std::get<Caller>(admitted));
        return Status::Ok();
      });
      if (!read.ok()) return Failure(read);
      return answer;
    };
  }
  return router.Add({
      .method = route.method,
      .pattern = route.pattern,
      .summary = route.summary,
      .description = std::move(description),
      .request_schema = std::move(route.request_schema),
      .response_schema = std::move(route.response_schema),
      .handler =
          [&services, roles = std::move(route.roles), use = route.session_use,
           handler = std::move(route.handler)](http::Request& request) {
            // Admitted already by the quick handler, moments ago on the I/O thread.
            if (const auto* caller = std::any_cast<Caller>(&request.handoff)) {
              return handler(request, *caller);
            }
            auto admitted = Admit(services, request, roles, use);
            if (auto* refused = std::get_if<http::Response>(&admitted)) return std::move(*refused);
            return handler(request, std::get<Caller>(admitted));
          },
      .quick = std::move(quick),
  });
}

}  // namespace lockbox::api::internal
