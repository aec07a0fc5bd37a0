#include "agent/server_api.h"

#include "crypto/base64.h"
#include "crypto/json_wipe.h"
#include "http_client/json_call.h"

namespace lockbox::agent {
namespace {

std::string_view View(const crypto::SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

Result<nlohmann::json> ServerApi::Call(std::string_view path, const crypto::SecretBytes& body,
                                       const crypto::SecretBytes* bearer) {
  return http_client::PostJson(*client_, path, body, bearer ? View(*bearer) : "");
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
