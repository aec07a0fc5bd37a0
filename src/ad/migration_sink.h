// MigrationSink: where ad::Importer writes what it read, a batch (at most
// service::kMaxMigrationItems items) at a time, with one result per item in order:
//
//   ad::StoreSink sink(migration, actor);                       // a data dir's store
//   LOCKBOX_ASSIGN_OR_RETURN(auto sink, ad::ApiSink::Create(     // a running server
//       "https://lockbox.corp.example", "server-ca.pem", std::move(token)));
//
// ApiSink POSTs to the server's data-migration API (/api/v1/migration/*, docs/api.md) with an
// API token of role data-migration or admin; the server does what StoreSink does locally, so a
// rerun is all "unchanged" either way.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "http_client/https_client.h"
#include "service/migration.h"
#include "service/roles.h"

namespace lockbox::ad {

class MigrationSink {
 public:
  virtual ~MigrationSink() = default;
  virtual Result<service::MigrationResult> WriteRecoveryInformation(
      const std::vector<service::MigratedRecoveryInformation>& items) = 0;
  virtual Result<service::MigrationResult> WriteTpmInformation(
      const std::vector<service::MigratedTpmInformation>& items) = 0;
  virtual Result<service::MigrationResult> WriteComputerUsers(
      const std::vector<service::MigratedComputerUsers>& items) = 0;
};

// Into the store, through `migration` as `actor`; `migration` must outlive the sink.
class StoreSink final : public MigrationSink {
 public:
  StoreSink(service::MigrationService& migration, service::Actor actor)
      : migration_(migration), actor_(std::move(actor)) {}
  Result<service::MigrationResult> WriteRecoveryInformation(
      const std::vector<service::MigratedRecoveryInformation>& items) override {
    return migration_.WriteRecoveryInformation(actor_, items);
  }
  Result<service::MigrationResult> WriteTpmInformation(
      const std::vector<service::MigratedTpmInformation>& items) override {
    return migration_.WriteTpmInformation(actor_, items);
  }
  Result<service::MigrationResult> WriteComputerUsers(
      const std::vector<service::MigratedComputerUsers>& items) override {
    return migration_.WriteComputerUsers(actor_, items);
  }

 private:
  service::MigrationService& migration_;
  service::Actor actor_;
};

// To a server's data-migration API over HTTPS (the server's certificate verified against
// `ca_file`), with the API token `token` (wiped with the sink).
class ApiSink final : public MigrationSink {
 public:
  // kInvalidArgument for a URL that is not https://HOST[:PORT], kIoError for an unreadable CA
  // file. Connects at the first batch.
  static Result<std::unique_ptr<ApiSink>> Create(const std::string& server_url,
                                                 const std::string& ca_file,
                                                 crypto::SecretBytes token);
  Result<service::MigrationResult> WriteRecoveryInformation(
      const std::vector<service::MigratedRecoveryInformation>& items) override;
  Result<service::MigrationResult> WriteTpmInformation(
      const std::vector<service::MigratedTpmInformation>& items) override;
  Result<service::MigrationResult> WriteComputerUsers(
      const std::vector<service::MigratedComputerUsers>& items) override;

 private:
  ApiSink(std::unique_ptr<http_client::HttpsClient> client, crypto::SecretBytes token)
      : client_(std::move(client)), token_(std::move(token)) {}
  // POSTs {"items": items} (wiped afterwards) to `path`; the answer's item results.
  Result<service::MigrationResult> Post(std::string_view path, nlohmann::json& items, size_t count);

  std::unique_ptr<http_client::HttpsClient> client_;
  crypto::SecretBytes token_;
};

}  // namespace lockbox::ad
