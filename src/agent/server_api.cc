#include "agent/server_api.h"

#include "crypto/base64.h"
#include "crypto/json_wipe.h"

namespace lockbox::agent {
namespace {

std::string_view View(const crypto::SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Status ErrorFor(int status, const nlohmann::json& body, std::string_view path) {
  std::string message =
      "the server answered " + std::to_string(status) + " to " + std::string(path);
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("message") && body["error"]["message"].is_string()) {
    message += ": " + body["error"]["message"].get<std::string>();
  }
  switch (status) {
    case 400:
    case 413:
    case 415:
      return Status::InvalidArgument(message);
    case 401:
      return Status::Unauthenticated(message);
    case 403:
      return Status::PermissionDenied(message);
    case 404:
      return Status::NotFound(message);
    case 429:
      return Status::RateLimited(message);
    default:
      return Status::IoError(message);
  }
}

}  // namespace

Result<nlohmann::json> ServerApi::Call(std::string_view path, const crypto::SecretBytes& body,
                                       const crypto::SecretBytes* bearer) {
  LOCKBOX_ASSIGN_OR_RETURN(http_client::HttpResponse response,
                           client_->Post(path, View(body), bearer ? View(*bearer) : ""));
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  crypto::Wipe({reinterpret_cast<uint8_t*>(response.body.data()), response.body.size()});
  if (response.status != 200) {
    crypto::WipeOnExit wipe(answer);
    return ErrorFor(response.status, answer, path);
  }
  if (answer.is_discarded()) {
    return Status::Corrupt("the server's answer to " + std::string(path) + " is not JSON");
  }
  return answer;
}

Result<MachineCredential> ServerApi::Enroll(const crypto::SecretBytes& enrollment_token,
                                            const ComputerInfo& computer) {
  nlohmann::json request = {{"computer",
                             {{"name", computer.name},
                              {"domain", computer.domain},
                              {"os", computer.os},
                              {"hardware_ids", computer.hardware_ids}}}};
  crypto::SetSecretString(request, "enrollment_token", enrollment_token);
  crypto::WipeOnExit wipe_request(request);
  LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json answer,
                           Call("/api/v1/agent/enroll", crypto::DumpSecret(request), nullptr));
  crypto::WipeOnExit wipe_answer(answer);
  return CredentialFromJson(answer, "the server's enrollment answer");
}

Result<ReportAnswer> ServerApi::Report(const MachineCredential& credential,
                                       const nlohmann::json& report) {
  LOCKBOX_ASSIGN_OR_RETURN(
      nlohmann::json answer,
      Call("/api/v1/agent/report", crypto::DumpSecret(report), &credential.credential));
  return DecodeReportAnswer(answer);
}

Result<crypto::SecretBytes> ServerApi::TpmOwnerAuth(const MachineCredential& credential) {
  LOCKBOX_ASSIGN_OR_RETURN(
      nlohmann::json answer,
      Call("/api/v1/agent/tpm-owner-auth", crypto::SecretBytes(), &credential.credential));
  crypto::WipeOnExit wipe(answer);
  if (!answer.is_object() || !answer.contains("owner_auth") || !answer["owner_auth"].is_string()) {
    return Status::Corrupt("the server's answer lacks owner_auth");
  }
  return crypto::Base64Decode(answer["owner_auth"].get_ref<const std::string&>(), 1024);
}

}  // namespace lockbox::agent
