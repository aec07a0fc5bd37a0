#include "ad/migration_sink.h"

#include "crypto/base64.h"
#include "crypto/json_wipe.h"
#include "http_client/json_call.h"
#include "util/utc_time.h"

namespace lockbox::ad {
namespace {

nlohmann::json ComputerJson(const service::MigratedComputer& computer) {
  nlohmann::json out = {{"name", computer.name}};
  if (!computer.domain.empty()) out["domain"] = computer.domain;
  if (computer.id) out["id"] = computer.id->ToString();
  return out;
}

// The base64 text of `secret`, put into object[key] in wiped memory.
void SetBase64(nlohmann::json& object, std::string_view key, const crypto::SecretBytes& secret) {
  std::string text = crypto::Base64Encode(secret.span());
  const crypto::SecretBytes wiped(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  crypto::SetSecretString(object, key, wiped);
}

Result<service::MigrationOutcome> OutcomeNamed(std::string_view name) {
  for (const auto outcome :
       {service::MigrationOutcome::kCreated, service::MigrationOutcome::kUpdated,
        service::MigrationOutcome::kUnchanged, service::MigrationOutcome::kConflict,
        service::MigrationOutcome::kStale, service::MigrationOutcome::kInvalid}) {
    if (service::NameOf(outcome) == name) return outcome;
  }
  return Status::Corrupt("the server answered an unknown migration outcome \"" + std::string(name) +
                         "\"");
}

}  // namespace

Result<std::unique_ptr<ApiSink>> ApiSink::Create(const std::string& server_url,
                                                 const std::string& ca_file,
                                                 crypto::SecretBytes token) {
  LOCKBOX_ASSIGN_OR_RETURN(auto client,
                           http_client::HttpsClient::Create(server_url, {.ca_file = ca_file}));
  return std::unique_ptr<ApiSink>(new ApiSink(std::move(client), std::move(token)));
}

Result<service::MigrationResult> ApiSink::Post(std::string_view path, nlohmann::json& items,
                                               size_t count) {
  nlohmann::json body = nlohmann::json::object();
  body["items"] = std::move(items);
  crypto::SecretBytes text = crypto::DumpSecret(body);
  crypto::WipeStrings(body);
  LOCKBOX_ASSIGN_OR_RETURN(
      const nlohmann::json answer,
      http_client::PostJson(*client_, path, text,
                            {reinterpret_cast<const char*>(token_.data()), token_.size()}));
  const auto malformed = [&] {
    return Status::Corrupt("the server's answer to " + std::string(path) +
                           " does not have one result per item");
  };
  if (!answer.contains("items") || !answer["items"].is_array() || answer["items"].size() != count) {
    return malformed();
  }
  service::MigrationResult result;
  for (const nlohmann::json& item : answer["items"]) {
    if (!item.is_object() || !item.value("outcome", nlohmann::json()).is_string()) {
      return malformed();
    }
    service::MigrationItemResult out;
    LOCKBOX_ASSIGN_OR_RETURN(out.outcome, OutcomeNamed(item["outcome"].get<std::string>()));
    if (item.value("computer_id", nlohmann::json()).is_string()) {
      const auto id = Guid::Parse(item["computer_id"].get<std::string>());
      if (id.ok()) out.computer_id = *id;
    }
    if (item.value("message", nlohmann::json()).is_string()) {
      out.message = item["message"].get<std::string>();
    }
    result.items.push_back(std::move(out));
  }
  return result;
}

Result<service::MigrationResult> ApiSink::WriteRecoveryInformation(
    const std::vector<service::MigratedRecoveryInformation>& items) {
  nlohmann::json list = nlohmann::json::array();
  crypto::WipeOnExit wipe(list);
  for (const service::MigratedRecoveryInformation& item : items) {
    nlohmann::json out = {{"computer", ComputerJson(item.computer)},
                          {"volume_id", item.volume_id.ToString()},
                          {"key_id", item.key_id.ToString()}};
    crypto::SetSecretString(out, "recovery_password", item.recovery_password);
    if (item.key_package) SetBase64(out, "key_package", *item.key_package);
    if (item.created_at) out["created_at"] = FormatUtc(*item.created_at);
    if (item.volume_type) out["volume_type"] = store::NameOf(*item.volume_type);
    list.push_back(std::move(out));
  }
  return Post("/api/v1/migration/recovery-information", list, items.size());
}

Result<service::MigrationResult> ApiSink::WriteTpmInformation(
    const std::vector<service::MigratedTpmInformation>& items) {
  nlohmann::json list = nlohmann::json::array();
  crypto::WipeOnExit wipe(list);
  for (const service::MigratedTpmInformation& item : items) {
    nlohmann::json out = {{"computer", ComputerJson(item.computer)},
                          {"changed_at", FormatUtc(item.changed_at)}};
    SetBase64(out, "owner_auth", item.owner_auth);
    list.push_back(std::move(out));
  }
  return Post("/api/v1/migration/tpm-information", list, items.size());
}

Result<service::MigrationResult> ApiSink::WriteComputerUsers(
    const std::vector<service::MigratedComputerUsers>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const service::MigratedComputerUsers& item : items) {
    list.push_back({{"computer", ComputerJson(item.computer)}, {"users", item.users}});
  }
  return Post("/api/v1/migration/computer-users", list, items.size());
}

}  // namespace lockbox::ad
