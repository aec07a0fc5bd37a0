// The JSON forms of the API's values: requests decoded into the service's types, records and
// answers encoded for clients. docs/api.md shows each form; the OpenAPI document describes
// them. Decoding is strict (JsonFields): wrong types, unknown fields and oversized values are
// errors naming the field. Encoders never include secrets; the few answers that carry one
// (a disclosed recovery password) add it explicitly in their route.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "service/escrow.h"
#include "service/recovery.h"
#include "store/records.h"
#include "util/status.h"

namespace lockbox::api {

// An agent's report (POST /api/v1/agent/report).
Result<service::EscrowReport> DecodeEscrowReport(const nlohmann::json& body);
// The answer to a report, as JSON text: written directly, not built as a JSON value first,
// as it answers most of all requests (check-ins).
std::string EncodeEscrowResponse(const service::EscrowResponse& response);

nlohmann::json EncodeComputer(const store::Computer& computer);
nlohmann::json EncodeVolume(const store::Volume& volume);
nlohmann::json EncodeRecoveryKey(const store::RecoveryKey& key);
nlohmann::json EncodeCandidate(const service::KeyCandidate& candidate);
nlohmann::json EncodeAuditEntry(const store::AuditEntry& entry);
nlohmann::json EncodeChainReport(const audit::ChainReport& report);
nlohmann::json EncodeUser(const store::User& user);
nlohmann::json EncodeApiToken(const store::ApiToken& token);
nlohmann::json EncodeEnrollmentToken(const store::EnrollmentToken& token);

// "2024-05-01T09:30:00Z", or null.
nlohmann::json EncodeTime(const std::optional<store::Time>& time);

// The names of an enum's values, for JsonFields::OneOf and the OpenAPI document.
template <typename Enum>
std::vector<std::string> NamesOf(std::initializer_list<Enum> values) {
  std::vector<std::string> names;
  for (Enum v : values) names.emplace_back(store::NameOf(v));
  return names;
}

}  // namespace lockbox::api
