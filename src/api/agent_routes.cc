// What agents call: enrolling their computer, reporting it, and fetching the TPM owner
// authorisation to reset a TPM lockout.
#include "api/codec.h"
#include "api/guarded_route.h"
#include "api/json_fields.h"
#include "api/route_groups.h"
#include "auth/token.h"
#include "crypto/base64.h"
#include "http/json_io.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

http::Response Enroll(Services& services, http::Request& request) {
  nlohmann::json body;
  crypto::WipeOnExit wipe_body(body);
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  JsonFields fields(body, "");
  const crypto::SecretBytes token = fields.Secret("enrollment_token", 128);
  auth::MachineInfo machine;
  if (const nlohmann::json* computer = fields.Object("computer")) {
    JsonFields c(*computer, "computer");
    machine.name = c.Text("name");
    machine.domain = c.Text("domain", {.required = false});
    machine.os = c.Text("os", {.required = false});
    machine.hardware_ids = c.TextArray("hardware_ids", service::kMaxHardwareIds);
    fields.Fail(c.Finish());
  }
  if (Status status = fields.Finish(); !status.ok()) return Failure(status);
  auto enrollment =
      services.auth().machines().Enroll(auth::TextOf(token), machine, request.remote_address);
  if (!enrollment.ok()) return Failure(enrollment.status());
  nlohmann::json answer = {{"computer_id", enrollment->computer_id.ToString()},
                           {"existing_computer", enrollment->existing_computer},
                           {"credential_id", enrollment->credential_id},
                           {"credential", std::string(auth::TextOf(enrollment->credential))}};
  crypto::WipeOnExit wipe_answer(answer);
  return http::JsonResponse(200, answer);
}

// A check-in: the same bytes as a report before, answered without decoding them again (only
// reads, and the contact kept in memory); nullopt for a report to process in full.
std::optional<http::Response> CheckIn(Services& services, const http::Request& request,
                                      const Caller& caller) {
  const std::optional<Guid>& computer = caller.actor.computer;
  const auto summary =
      computer ? services.report_memo().Find(*computer, request.body) : std::nullopt;
  if (!summary) return std::nullopt;
  auto response = services.escrow().CheckIn(caller.actor, *summary);
  if (!response.ok()) return Failure(response.status());
  if (!*response) return std::nullopt;
  return http::JsonTextResponse(200, EncodeEscrowResponse(**response));
}

http::Response Report(Services& services, http::Request& request, const Caller& caller) {
  if (auto answer = CheckIn(services, request, caller)) return std::move(*answer);
  nlohmann::json body;
  crypto::WipeOnExit wipe(body);
  if (auto error = http::ReadJsonBody(request, &body)) return *error;
  auto report = DecodeEscrowReport(body);
  if (!report.ok()) return Failure(report.status());
  auto response = services.escrow().Escrow(caller.actor, *report);
  if (!response.ok()) return Failure(response.status());
  services.report_memo().Remember(report->computer.id, request.body,
                                  service::EscrowService::Summarize(*report));
  return http::JsonTextResponse(200, EncodeEscrowResponse(*response));
}

http::Response TpmOwnerAuth(Services& services, const Caller& caller) {
  auto owner_auth = services.recovery().AgentTpmOwnerAuth(caller.actor);
  if (!owner_auth.ok()) return Failure(owner_auth.status());
  nlohmann::json answer = {{"owner_auth", crypto::Base64Encode(owner_auth->span())}};
  crypto::WipeOnExit wipe(answer);
  return http::JsonResponse(200, answer);
}

}  // namespace

Status AddAgentRoutes(http::Router& router, Services& services) {
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = http::Method::kPost,
      .pattern = "/api/v1/agent/enroll",
      .summary = "Enroll a computer",
      .description =
          "Takes one use of an enrollment token (issued by an administrator) and answers the "
          "computer's id and its machine credential (\"lbx_agt_...\"), shown once: the agent "
          "keeps it and sends it as \"Authorization: Bearer\" from then on. A computer whose "
          "hardware IDs are known keeps its record and escrowed keys; its old credential is "
          "revoked.\n\nRoles: anyone holding an enrollment token.",
      .request_schema = ObjectSchema({{"enrollment_token", "string"}, {"computer", "object"}},
                                     {"enrollment_token", "computer"}),
      .response_schema = ObjectSchema({{"computer_id", "string"},
                                       {"existing_computer", "boolean"},
                                       {"credential_id", "string"},
                                       {"credential", "string"}}),
      .handler = [&services](http::Request& request) { return Enroll(services, request); },
  }));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/agent/report",
       .summary = "Report the agent's computer and escrow its keys",
       .description =
           "The computer, its volumes and protectors, recovery passwords (with key packages "
           "and FVE metadata for verification), TPM owner authorisation and users. Validated "
           "whole before anything is written; idempotent (the same report again changes "
           "nothing). The answer lists what happened to each secret and the instructions: "
           "`rotate` (recovery passwords to replace) and `next_report_in_seconds`.",
       .request_schema = ObjectSchema({{"computer", "object"},
                                       {"volumes", "array"},
                                       {"recovery_passwords", "array"},
                                       {"tpm_owner_auth", "object"},
                                       {"users", "array"}},
                                      {"computer", "volumes"}),
       .response_schema = ObjectSchema({{"changed", "boolean"},
                                        {"secrets", "array"},
                                        {"conflicts", "array"},
                                        {"verification_queued", "array"},
                                        {"retired", "array"},
                                        {"rotate", "array"},
                                        {"next_report_in_seconds", "integer"},
                                        {"tpm_owner_auth", "string"}}),
       .roles = {Role::kAgent},
       .handler = [&services](http::Request& request,
                              const Caller& caller) { return Report(services, request, caller); },
       .quick = [&services](http::Request& request,
                            const Caller& caller) { return CheckIn(services, request, caller); }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kPost,
       .pattern = "/api/v1/agent/tpm-owner-auth",
       .summary = "Fetch the computer's TPM owner authorisation (TPM lockout reset)",
       .description = "Only when the server allows TPM lockout auto-reset and a recovery password "
                      "of one of the computer's OS volumes was disclosed within the configured "
                      "window. Audited with source \"agent TPM unlock\". The value is base64.",
       .response_schema = ObjectSchema({{"owner_auth", "string"}}),
       .roles = {Role::kAgent},
       .handler = [&services](http::Request&, const Caller& caller) {
         return TpmOwnerAuth(services, caller);
       }});
}

}  // namespace lockbox::api::internal
