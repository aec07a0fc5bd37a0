// Finding computers and seeing what Lockbox knows of them (no secrets): advanced helpdesk,
// admins and report readers search any computer; a self-service user sees their own.
#include "api/codec.h"
#include "api/guarded_route.h"
#include "api/route_groups.h"
#include "http/json_io.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

http::Response Search(Services& services, http::Request& request, const Caller& caller) {
  auto query = http::QueryParam(request, "search");
  if (!query.ok()) return Failure(query.status());
  if (!*query || (*query)->empty()) {
    return Failure(Status::InvalidArgument(
        "give ?search= with the start of a computer name or of a word of a drive's label"));
  }
  auto found = services.directory().SearchComputers(caller.actor, **query);
  if (!found.ok()) return Failure(found.status());
  nlohmann::json computers = nlohmann::json::array();
  for (const auto& c : found->computers) computers.push_back(EncodeComputer(c));
  return http::JsonResponse(200,
                            {{"computers", std::move(computers)}, {"truncated", found->truncated}});
}

http::Response Details(Services& services, http::Request& request, const Caller& caller) {
  auto id = PathId(request, "computer_id");
  if (!id.ok()) return Failure(id.status());
  auto record = services.directory().ComputerDetails(caller.actor, *id);
  if (!record.ok()) return Failure(record.status());
  nlohmann::json volumes = nlohmann::json::array();
  for (const auto& v : record->volumes) {
    nlohmann::json volume = EncodeVolume(v.volume);
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : v.keys) keys.push_back(EncodeRecoveryKey(k));
    volume["keys"] = std::move(keys);
    volumes.push_back(std::move(volume));
  }
  nlohmann::json users = nlohmann::json::array();
  for (const auto& u : record->users) {
    users.push_back({{"user", u.user},
                     {"first_seen", EncodeTime(u.first_seen)},
                     {"last_seen", EncodeTime(u.last_seen)}});
  }
  return http::JsonResponse(200, {{"computer", EncodeComputer(record->computer)},
                                  {"volumes", std::move(volumes)},
                                  {"users", std::move(users)}});
}

http::Response OwnComputers(Services& services, const Caller& caller) {
  auto own = services.directory().ComputersOfUser(caller.actor);
  if (!own.ok()) return Failure(own.status());
  nlohmann::json computers = nlohmann::json::array();
  for (const auto& c : *own) {
    nlohmann::json computer = EncodeComputer(c.computer);
    nlohmann::json volumes = nlohmann::json::array();
    for (const auto& v : c.volumes) volumes.push_back(EncodeVolume(v));
    computer["volumes"] = std::move(volumes);
    computers.push_back(std::move(computer));
  }
  return http::JsonResponse(200, {{"computers", std::move(computers)}});
}

}  // namespace

Status AddDirectoryRoutes(http::Router& router, Services& services) {
  const std::vector<Role> browsers = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kReportReader};
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/computers",
       .summary = "Search computers",
       .description = "?search=WORD: computers whose name starts with WORD, or with a drive whose "
                      "label has a word starting with it (\"backup\" finds \"PC-07 BACKUP "
                      "6/7/2023\"), ignoring case; by name, at most 100 (`truncated` when more "
                      "matched).",
       .response_schema = ObjectSchema({{"computers", "array"}, {"truncated", "boolean"}}),
       .roles = browsers,
       .handler = [&services](http::Request& request, const Caller& caller) {
         return Search(services, request, caller);
       }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/computers/{computer_id}",
       .summary = "A computer: volumes, protectors, keys (no secrets), users, last contact",
       .response_schema =
           ObjectSchema({{"computer", "object"}, {"volumes", "array"}, {"users", "array"}}),
       .roles = browsers,
       .handler = [&services](http::Request& request, const Caller& caller) {
         return Details(services, request, caller);
       }}));
  LOCKBOX_RETURN_IF_ERROR(
      AddGuarded(router, services,
                 {.method = http::Method::kGet,
                  .pattern = "/api/v1/self-service/computers",
                  .summary = "The signed-in user's own computers, with their volumes (no keys)",
                  .response_schema = ObjectSchema({{"computers", "array"}}),
                  .roles = {Role::kSelfServiceUser},
                  .handler = [&services](http::Request&, const Caller& caller) {
                    return OwnComputers(services, caller);
                  }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/self-service/notice",
       .summary = "The notice a self-service user acknowledges before recovering a key",
       .description = "Send notice_acknowledged: true with the recovery request once the user "
                      "has read and accepted it.",
       .response_schema = ObjectSchema({{"notice", "string"}}),
       .roles = {Role::kSelfServiceUser, Role::kAdmin},
       .handler = [&services](http::Request&, const Caller&) {
         const auto settings = services.settings().Current();
         if (!settings.ok()) return Failure(settings.status());
         return http::JsonResponse(200, {{"notice", (*settings)->self_service_notice}});
       }});
}

}  // namespace lockbox::api::internal
