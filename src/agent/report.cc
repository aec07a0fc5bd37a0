#include "agent/report.h"

#include "crypto/base64.h"
#include "crypto/json_wipe.h"

namespace lockbox::agent {
namespace {

nlohmann::json EncodeVolume(const VolumeInfo& v, bool with_metadata) {
  nlohmann::json protectors = nlohmann::json::array();
  for (const ProtectorInfo& p : v.protectors) {
    protectors.push_back({{"id", p.id.ToString()}, {"type", p.type}});
  }
  nlohmann::json out = {{"id", v.id.ToString()},
                        {"drive_letter", v.drive_letter},
                        {"type", v.type},
                        {"description", v.description},
                        {"encryption_method", v.encryption_method},
                        {"protection", v.protection},
                        {"conversion", v.conversion},
                        {"protectors", std::move(protectors)}};
  if (with_metadata && v.metadata) {
    out["metadata"] = {{"offset", v.metadata->offset},
                       {"data", crypto::Base64Encode(v.metadata->bytes)}};
  }
  return out;
}

// The string at `key`, or "" when absent or not a string (the answer comes from the network).
std::string StringAt(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<std::vector<Guid>> GuidList(const nlohmann::json& answer, const char* key) {
  std::vector<Guid> out;
  if (!answer.contains(key)) return out;
  const nlohmann::json& list = answer[key];
  if (!list.is_array()) return Status::Corrupt(std::string("answer.") + key + " is not a list");
  for (const nlohmann::json& item : list) {
    if (!item.is_string())
      return Status::Corrupt(std::string("answer.") + key + " holds a non-string");
    LOCKBOX_ASSIGN_OR_RETURN(Guid id, Guid::Parse(item.get<std::string>()));
    out.push_back(id);
  }
  return out;
}

}  // namespace

nlohmann::json EncodeReport(const ReportContent& content) {
  const ComputerInfo& c = *content.computer;
  nlohmann::json report = {{"computer",
                            {{"id", content.computer_id.ToString()},
                             {"name", c.name},
                             {"domain", c.domain},
                             {"os", c.os},
                             {"hardware_ids", c.hardware_ids}}},
                           {"users", c.users}};
  nlohmann::json volumes = nlohmann::json::array();
  for (const VolumeInfo& v : *content.volumes) {
    bool new_key = false;
    for (const QueuedKey& k : *content.keys) new_key = new_key || k.volume_id == v.id;
    volumes.push_back(EncodeVolume(v, new_key));
  }
  report["volumes"] = std::move(volumes);
  nlohmann::json& passwords = report["recovery_passwords"] = nlohmann::json::array();
  for (const QueuedKey& k : *content.keys) {
    nlohmann::json item = {{"key_id", k.key_id.ToString()}, {"volume_id", k.volume_id.ToString()}};
    crypto::SetSecretString(item, "password", k.password);
    if (!k.created_at.empty()) item["created_at"] = k.created_at;
    passwords.push_back(std::move(item));
  }
  if (content.tpm && content.tpm->owner_auth) {
    report["tpm_owner_auth"] = {
        {"owner_auth", crypto::Base64Encode(content.tpm->owner_auth->span())},
        {"changed_at", content.tpm->owner_auth_changed_at}};
  }
  return report;
}

Result<ReportAnswer> DecodeReportAnswer(const nlohmann::json& answer) {
  if (!answer.is_object()) return Status::Corrupt("the server's answer is not a JSON object");
  ReportAnswer out;
  if (answer.contains("secrets")) {
    if (!answer["secrets"].is_array()) return Status::Corrupt("answer.secrets is not a list");
    for (const nlohmann::json& s : answer["secrets"]) {
      if (!s.is_object() || StringAt(s, "kind") != "recovery_password") continue;
      const std::string outcome = StringAt(s, "outcome");
      if (outcome != "created" && outcome != "updated" && outcome != "unchanged") continue;
      LOCKBOX_ASSIGN_OR_RETURN(Guid id, Guid::Parse(StringAt(s, "key_id")));
      out.acknowledged.push_back(id);
    }
  }
  LOCKBOX_ASSIGN_OR_RETURN(out.conflicts, GuidList(answer, "conflicts"));
  LOCKBOX_ASSIGN_OR_RETURN(out.verification_queued, GuidList(answer, "verification_queued"));
  LOCKBOX_ASSIGN_OR_RETURN(out.retired, GuidList(answer, "retired"));
  LOCKBOX_ASSIGN_OR_RETURN(out.rotate, GuidList(answer, "rotate"));
  const std::string tpm_outcome = StringAt(answer, "tpm_owner_auth");
  out.tpm_owner_auth_acknowledged = !tpm_outcome.empty() && tpm_outcome != "conflict";
  if (answer.contains("next_report_in_seconds")) {
    const nlohmann::json& next = answer["next_report_in_seconds"];
    if (!next.is_number_unsigned() || next.get<uint64_t>() > 7 * 24 * 3600) {
      return Status::Corrupt(
          "answer.next_report_in_seconds is not a number of seconds up to a week");
    }
    out.next_report_seconds = next.get<uint32_t>();
  }
  return out;
}

}  // namespace lockbox::agent
