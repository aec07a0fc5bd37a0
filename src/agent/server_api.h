// ServerApi: the three calls an agent makes to the escrow server (docs/api.md): enroll,
// report, and fetch the TPM owner authorisation for a lockout reset.
//
// An HTTP error answer becomes a Status whose code says what the agent can do about it:
// kIoError (network, TLS, 5xx: retry later), kUnauthenticated (401: the credential was
// revoked: enroll again), kPermissionDenied (403), kInvalidArgument (400: a bug to report),
// kRateLimited (429). Messages carry the server's message, which never holds secrets.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "agent/credential.h"
#include "agent/provider.h"
#include "agent/report.h"
#include "crypto/secret.h"
#include "http_client/https_client.h"

namespace lockbox::agent {

class ServerApi {
 public:
  explicit ServerApi(std::unique_ptr<http_client::HttpsClient> client)
      : client_(std::move(client)) {}

  Result<MachineCredential> Enroll(const crypto::SecretBytes& enrollment_token,
                                   const ComputerInfo& computer);
  // `report` from EncodeReport().
  Result<ReportAnswer> Report(const MachineCredential& credential, const nlohmann::json& report);
  Result<crypto::SecretBytes> TpmOwnerAuth(const MachineCredential& credential);

  const http_client::HttpsUrl& url() const { return client_->url(); }

 private:
  // POSTs `body`; the answer's JSON when the status is 200, else the Status for it.
  Result<nlohmann::json> Call(std::string_view path, const crypto::SecretBytes& body,
                              const crypto::SecretBytes* bearer);

  std::unique_ptr<http_client::HttpsClient> client_;
};

}  // namespace lockbox::agent
