// Data migration (role data-migration, and admin): recovery information, TPM information and
// computer users from MBAM or Active Directory, in batches, idempotently.
#include "api/codec.h"
#include "api/guarded_route.h"
#include "api/json_fields.h"
#include "api/route_groups.h"
#include "http/json_io.h"
#include "service/migration.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

service::MigratedComputer DecodeComputer(JsonFields& item) {
  service::MigratedComputer computer;
  const nlohmann::json* object = item.Object("computer");
  if (object == nullptr) return computer;
  JsonFields f(*object, item.FieldPath("computer"));
  computer.name = f.Text("name");
  computer.domain = f.Text("domain", {.required = false});
  computer.id = f.OptionalId("id");
  item.Fail(f.Finish());
  return computer;
}

service::MigratedRecoveryInformation DecodeRecoveryItem(JsonFields& f) {
  service::MigratedRecoveryInformation item;
  item.computer = DecodeComputer(f);
  item.volume_id = f.Id("volume_id");
  item.key_id = f.Id("key_id");
  item.recovery_password = f.Secret("recovery_password", 128);
  crypto::SecretBytes package = f.Base64Secret("key_package", service::kMaxKeyPackageBytes, false);
  if (!package.empty()) item.key_package = std::move(package);
  item.created_at = f.Time("created_at");
  if (f.Has("volume_type")) {
    const auto type =
        f.OneOf("volume_type", NamesOf({store::VolumeType::kOperatingSystem,
                                        store::VolumeType::kFixed, store::VolumeType::kRemovable}));
    if (type) item.volume_type = store::Parse<store::VolumeType>(*type);
  }
  return item;
}

service::MigratedTpmInformation DecodeTpmItem(JsonFields& f) {
  service::MigratedTpmInformation item;
  item.computer = DecodeComputer(f);
  item.owner_auth = f.Base64Secret("owner_auth", service::kMaxTpmOwnerAuthBytes);
  const auto changed = f.Time("changed_at");
  if (!changed && f.ok()) f.Fail("changed_at", "is required (a date and time)");
  item.changed_at = changed.value_or(store::Time{});
  return item;
}

service::MigratedComputerUsers DecodeUsersItem(JsonFields& f) {
  service::MigratedComputerUsers item;
  item.computer = DecodeComputer(f);
  item.users = f.TextArray("users", service::kMaxUsers);
  return item;
}

// Reads {"items": [...]} with `decode` for each item, runs `write` on them, and answers one
// result per item with the counts.
template <typename Item, typename Decode, typename Write>
http::Response Migrate(http::Request& request, Decode decode, Write write) {
  nlohmann::json body;
  crypto::WipeOnExit wipe(body);
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  JsonFields fields(body, "");
  std::vector<Item> items;
  const auto& list = fields.Array("items", service::kMaxMigrationItems);
  for (size_t i = 0; i < list.size() && fields.ok(); ++i) {
    JsonFields f(list[i], fields.ElementPath("items", i));
    items.push_back(decode(f));
    fields.Fail(f.Finish());
  }
  if (Status status = fields.Finish(); !status.ok()) return Failure(status);
  Result<service::MigrationResult> result = write(items);
  if (!result.ok()) return Failure(result.status());
  nlohmann::json results = nlohmann::json::array();
  nlohmann::json counts = nlohmann::json::object();
  for (const auto outcome :
       {service::MigrationOutcome::kCreated, service::MigrationOutcome::kUpdated,
        service::MigrationOutcome::kUnchanged, service::MigrationOutcome::kConflict,
        service::MigrationOutcome::kStale, service::MigrationOutcome::kInvalid}) {
    counts[std::string(service::NameOf(outcome))] = result->Count(outcome);
  }
  for (const auto& item : result->items) {
    results.push_back(
        {{"outcome", service::NameOf(item.outcome)},
         {"computer_id", item.computer_id.IsZero() ? nlohmann::json(nullptr)
                                                   : nlohmann::json(item.computer_id.ToString())},
         {"message", item.message}});
  }
  return http::JsonResponse(200, {{"items", std::move(results)}, {"counts", std::move(counts)}});
}

}  // namespace

Status AddMigrationRoutes(http::Router& router, Services& services) {
  const std::vector<Role> migrators = {Role::kAdmin, Role::kDataMigration};
  const nlohmann::json answer = ObjectSchema({{"items", "array"}, {"counts", "object"}});
  const nlohmann::json batch = ObjectSchema({{"items", "array"}}, {"items"});
  const std::string rules =
      "At most 1000 items. Each is checked and written on its own (a bad one is \"invalid\" with "
      "its message, the rest go on); a rerun changes nothing (\"unchanged\"); a secret stored "
      "with other content is kept (\"conflict\", audited). A computer without an id is found by "
      "name and domain.";
  service::MigrationService& migration = services.migration();
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/migration/recovery-information",
       .summary = "Import recovery passwords (Write-MbamRecoveryInformation)",
       .description = "items: [{computer: {name, domain, id}, volume_id, key_id, "
                      "recovery_password, key_package (base64), created_at, volume_type}]. " +
                      rules,
       .request_schema = batch,
       .response_schema = answer,
       .roles = migrators,
       .handler = [&migration](http::Request& request, const Caller& caller) {
         return Migrate<service::MigratedRecoveryInformation>(
             request, DecodeRecoveryItem, [&](const auto& items) {
               return migration.WriteRecoveryInformation(caller.actor, items);
             });
       }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/migration/tpm-information",
       .summary = "Import TPM owner authorisation (Write-MbamTPMInformation)",
       .description = "items: [{computer, owner_auth (base64), changed_at}]; the newest value "
                      "wins (an older one is \"stale\"). " +
                      rules,
       .request_schema = batch,
       .response_schema = answer,
       .roles = migrators,
       .handler = [&migration](http::Request& request, const Caller& caller) {
         return Migrate<service::MigratedTpmInformation>(
             request, DecodeTpmItem,
             [&](const auto& items) { return migration.WriteTpmInformation(caller.actor, items); });
       }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/migration/computer-users",
       .summary = "Import the users of computers (Write-MbamComputerUser)",
       .description = "items: [{computer, users: [\"contoso\\\\alice\", ...]}], so that "
                      "self-service works for imported computers. " +
                      rules,
       .request_schema = batch,
       .response_schema = answer,
       .roles = migrators,
       .handler = [&migration](http::Request& request, const Caller& caller) {
         return Migrate<service::MigratedComputerUsers>(
             request, DecodeUsersItem,
             [&](const auto& items) { return migration.WriteComputerUsers(caller.actor, items); });
       }});
}

}  // namespace lockbox::api::internal
