// Disclosing escrowed secrets to the people allowed to have them, and the key metadata around
// them. Every disclosure attempt is audited by the service before any secret is opened.
#include "api/codec.h"
#include "api/guarded_route.h"
#include "api/json_fields.h"
#include "api/route_groups.h"
#include "crypto/base64.h"
#include "http/json_io.h"
#include "recovery/key_id.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

constexpr std::string_view kRotationNotice =
    "This recovery password is now single-use: the computer's agent replaces it at its next "
    "report, and it stops working once the new one is escrowed.";

// The fields every drive-unlock request has.
Result<service::RecoveryRequest> DecodeRecoveryRequest(const nlohmann::json& body,
                                                       const Caller& caller) {
  JsonFields fields(body, "");
  service::RecoveryRequest out;
  out.actor = caller.actor;
  out.key_id = fields.Text("key_id", {.max_bytes = 64});
  out.reason = fields.Text("reason");
  out.reason_text = fields.Text("reason_text", {.required = false, .max_bytes = 1024});
  out.end_user = fields.Text("end_user", {.required = false});
  out.notice_acknowledged = fields.Flag("notice_acknowledged");
  LOCKBOX_RETURN_IF_ERROR(fields.Finish());
  return out;
}

// The answer to a drive-unlock request: the candidates, or the disclosed secret under
// `secret_field` (as text, or base64 for binary secrets).
http::Response AnswerDisclosure(Services& services, const Result<service::RecoveryAnswer>& answer,
                                std::string_view secret_field, bool binary_secret) {
  if (!answer.ok()) return Failure(answer.status());
  if (!answer->disclosure) {
    nlohmann::json candidates = nlohmann::json::array();
    for (const auto& c : answer->candidates) candidates.push_back(EncodeCandidate(c));
    return http::JsonResponse(
        200, {{"result", "ambiguous"},
              {"message", "several keys start with these characters: type more of the key ID"},
              {"candidates", std::move(candidates)}});
  }
  const service::Disclosure& d = *answer->disclosure;
  nlohmann::json out = {{"result", "disclosed"},
                        {"key", EncodeRecoveryKey(d.key)},
                        {"computer", EncodeComputer(d.computer)},
                        {"volume", nullptr}};
  crypto::WipeOnExit wipe(out);
  if (auto volume = services.store().GetVolume(d.key.volume_id); volume.ok()) {
    out["volume"] = EncodeVolume(*volume);
  }
  if (binary_secret) {
    out[secret_field] = crypto::Base64Encode(d.secret.span());
  } else {
    out[secret_field] = std::string(d.secret.data(), d.secret.data() + d.secret.size());
    out["rotation"] = kRotationNotice;
  }
  return http::JsonResponse(200, out);
}

enum class SecretKind { kRecoveryPassword, kKeyPackage };

http::Response Disclose(Services& services, http::Request& request, const Caller& caller,
                        SecretKind kind) {
  nlohmann::json body;
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  auto recovery_request = DecodeRecoveryRequest(body, caller);
  if (!recovery_request.ok()) return Failure(recovery_request.status());
  if (kind == SecretKind::kRecoveryPassword) {
    return AnswerDisclosure(services, services.recovery().RecoverPassword(*recovery_request),
                            "recovery_password", false);
  }
  return AnswerDisclosure(services, services.recovery().RecoverKeyPackage(*recovery_request),
                          "key_package", true);
}

http::Response RecoverTpm(Services& services, http::Request& request, const Caller& caller) {
  auto computer_id = PathId(request, "computer_id");
  if (!computer_id.ok()) return Failure(computer_id.status());
  nlohmann::json body;
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  JsonFields fields(body, "");
  service::TpmRequest tpm;
  tpm.actor = caller.actor;
  tpm.computer_id = *computer_id;
  tpm.reason = fields.Text("reason");
  tpm.reason_text = fields.Text("reason_text", {.required = false, .max_bytes = 1024});
  if (Status status = fields.Finish(); !status.ok()) return Failure(status);
  auto owner_auth = services.recovery().RecoverTpmOwnerAuth(tpm);
  if (!owner_auth.ok()) return Failure(owner_auth.status());
  nlohmann::json answer = {{"computer_id", computer_id->ToString()},
                           {"owner_auth", crypto::Base64Encode(owner_auth->span())}};
  crypto::WipeOnExit wipe(answer);
  return http::JsonResponse(200, answer);
}

http::Response ListKeys(Services& services, http::Request& request, const Caller& caller) {
  auto computer_id = PathId(request, "computer_id");
  if (!computer_id.ok()) return Failure(computer_id.status());
  auto keys = services.recovery().ListKeys(caller.actor, *computer_id);
  if (!keys.ok()) return Failure(keys.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& key : *keys) list.push_back(EncodeRecoveryKey(key));
  return http::JsonResponse(200, {{"keys", std::move(list)}});
}

http::Response ForceRotation(Services& services, http::Request& request, const Caller& caller) {
  auto key_id = PathId(request, "key_id");
  if (!key_id.ok()) return Failure(key_id.status());
  if (Status status = services.escrow().ForceRotation(caller.actor, *key_id); !status.ok()) {
    return Failure(status);
  }
  return http::JsonResponse(200, {{"key_id", key_id->ToString()}, {"rotation_requested", true}});
}

http::Response Reasons(Services& services) {
  const auto settings = services.settings().Current();
  if (!settings.ok()) return Failure(settings.status());
  return http::JsonResponse(200, {{"drive_unlock", (*settings)->drive_unlock_reasons},
                                  {"tpm", (*settings)->tpm_reasons},
                                  {"other", service::kOtherReason}});
}

}  // namespace

Status AddRecoveryRoutes(http::Router& router, Services& services) {
  const nlohmann::json disclosure_request = ObjectSchema({{"key_id", "string"},
                                                          {"reason", "string"},
                                                          {"reason_text", "string"},
                                                          {"end_user", "string"},
                                                          {"notice_acknowledged", "boolean"}},
                                                         {"key_id", "reason"});
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/recovery/password",
       .summary = "Disclose a recovery password by its key ID",
       .description =
           "key_id: at least the 8 hex characters the recovery screen shows (hyphens, braces and "
           "case do not matter). reason: one of GET /api/v1/recovery/reasons (\"Other\" needs "
           "reason_text). Standard helpdesk names the end_user; self-service users set "
           "notice_acknowledged. When several keys match, the answer is result \"ambiguous\" "
           "with the candidates and no secret. A disclosed password is marked for rotation. "
           "Every attempt is in the audit log.",
       .request_schema = disclosure_request,
       .response_schema = ObjectSchema({{"result", "string"},
                                        {"recovery_password", "string"},
                                        {"key", "object"},
                                        {"computer", "object"},
                                        {"volume", "object"},
                                        {"rotation", "string"},
                                        {"candidates", "array"}}),
       .roles = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kHelpdesk, Role::kSelfServiceUser},
       .handler = [&services](http::Request& request, const Caller& caller) {
         return Disclose(services, request, caller, SecretKind::kRecoveryPassword);
       }}));
  LOCKBOX_RETURN_IF_ERROR(
      AddGuarded(router, services,
                 {.method = http::Method::kPost,
                  .pattern = "/api/v1/recovery/key-package",
                  .summary = "Disclose a recovery password's key package",
                  .description = "As /api/v1/recovery/password; the key package (for repair-bde or "
                                 "`lockbox bde`) comes back base64 in key_package.",
                  .request_schema = disclosure_request,
                  .response_schema = ObjectSchema({{"result", "string"},
                                                   {"key_package", "string"},
                                                   {"key", "object"},
                                                   {"computer", "object"},
                                                   {"candidates", "array"}}),
                  .roles = {Role::kAdmin, Role::kAdvancedHelpdesk},
                  .handler = [&services](http::Request& request, const Caller& caller) {
                    return Disclose(services, request, caller, SecretKind::kKeyPackage);
                  }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/computers/{computer_id}/tpm-owner-auth",
       .summary = "Disclose a computer's TPM owner authorisation",
       .description = "reason: one of the TPM reasons of GET /api/v1/recovery/reasons. The value "
                      "comes back base64. Audited.",
       .request_schema =
           ObjectSchema({{"reason", "string"}, {"reason_text", "string"}}, {"reason"}),
       .response_schema = ObjectSchema({{"computer_id", "string"}, {"owner_auth", "string"}}),
       .roles = {Role::kAdmin, Role::kAdvancedHelpdesk},
       .handler = [&services](http::Request& request, const Caller& caller) {
         return RecoverTpm(services, request, caller);
       }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/computers/{computer_id}/keys",
       .summary = "A computer's recovery keys (no secrets)",
       .description = "Every key of every volume, retired ones included: state (active, "
                      "disclosed, retired), verification against the volume's metadata, dates.",
       .response_schema = ObjectSchema({{"keys", "array"}}),
       .roles = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kReportReader},
       .handler = [&services](http::Request& request, const Caller& caller) {
         return ListKeys(services, request, caller);
       }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/keys/{key_id}/rotate",
       .summary = "Force rotation of a recovery password",
       .description = "key_id: the full key GUID. The computer's agent is told to replace the key "
                      "at its next report, as after a disclosure. Audited.",
       .response_schema = ObjectSchema({{"key_id", "string"}, {"rotation_requested", "boolean"}}),
       .roles = {Role::kAdmin},
       .handler = [&services](http::Request& request, const Caller& caller) {
         return ForceRotation(services, request, caller);
       }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/recovery/reasons",
       .summary = "The reasons a disclosure may give",
       .description = "drive_unlock: for recovery passwords and key packages; tpm: "
                      "for TPM owner authorisation. The reason named in `other` "
                      "needs reason_text.",
       .response_schema =
           ObjectSchema({{"drive_unlock", "array"}, {"tpm", "array"}, {"other", "string"}}),
       .roles = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kHelpdesk, Role::kSelfServiceUser},
       .handler = [&services](http::Request&, const Caller&) { return Reasons(services); }});
}

}  // namespace lockbox::api::internal
