#include "api/codec.h"

#include "api/json_fields.h"
#include "http/json_io.h"
#include "recovery/key_id.h"
#include "util/text.h"
#include "util/utc_time.h"

namespace lockbox::api {
namespace {

using store::ConversionStatus;
using store::ProtectionStatus;
using store::ProtectorType;
using store::VolumeType;

const std::vector<std::string>& VolumeTypeNames() {
  static const auto names =
      NamesOf({VolumeType::kOperatingSystem, VolumeType::kFixed, VolumeType::kRemovable});
  return names;
}
const std::vector<std::string>& ProtectionNames() {
  static const auto names =
      NamesOf({ProtectionStatus::kOn, ProtectionStatus::kOff, ProtectionStatus::kUnknown});
  return names;
}
const std::vector<std::string>& ConversionNames() {
  static const auto names =
      NamesOf({ConversionStatus::kDecrypted, ConversionStatus::kEncrypted,
               ConversionStatus::kEncrypting, ConversionStatus::kDecrypting,
               ConversionStatus::kEncryptionPaused, ConversionStatus::kDecryptionPaused});
  return names;
}
const std::vector<std::string>& ProtectorTypeNames() {
  static const auto names = NamesOf(
      {ProtectorType::kUnknown, ProtectorType::kTpm, ProtectorType::kExternalKey,
       ProtectorType::kRecoveryPassword, ProtectorType::kTpmPin, ProtectorType::kTpmStartupKey,
       ProtectorType::kTpmPinStartupKey, ProtectorType::kPublicKey, ProtectorType::kPassword,
       ProtectorType::kTpmNetworkKey, ProtectorType::kAdAccount});
  return names;
}

// `name`, already checked to be one of the enum's names.
template <typename Enum>
Enum ParseKnown(const std::optional<std::string>& name, Enum fallback) {
  return name ? store::Parse<Enum>(*name).value_or(fallback) : fallback;
}

store::Computer DecodeComputer(JsonFields& parent) {
  store::Computer computer;
  const nlohmann::json* object = parent.Object("computer");
  if (object == nullptr) return computer;
  JsonFields f(*object, parent.FieldPath("computer"));
  computer.id = f.Id("id");
  computer.name = f.Text("name");
  computer.domain = f.Text("domain", {.required = false});
  computer.os = f.Text("os", {.required = false});
  computer.hardware_ids =
      f.TextArray("hardware_ids", service::kMaxHardwareIds, {.required = false});
  parent.Fail(f.Finish());
  return computer;
}

service::ReportedVolume DecodeVolume(const nlohmann::json& value, std::string path,
                                     JsonFields& parent) {
  service::ReportedVolume reported;
  JsonFields f(value, std::move(path));
  store::Volume& v = reported.volume;
  v.id = f.Id("id");
  v.drive_letter = f.Text("drive_letter", {.required = false});
  v.type = ParseKnown(f.OneOf("type", VolumeTypeNames()), VolumeType::kFixed);
  v.description = f.Text("description", {.required = false});
  v.encryption_method = f.Text("encryption_method", {.required = false});
  v.protection = ParseKnown(f.OneOf("protection", ProtectionNames()), ProtectionStatus::kUnknown);
  v.conversion = ParseKnown(f.OneOf("conversion", ConversionNames()), ConversionStatus::kDecrypted);
  const auto& protectors = f.Array("protectors", service::kMaxProtectorsPerVolume);
  for (size_t i = 0; i < protectors.size() && f.ok(); ++i) {
    JsonFields p(protectors[i], f.ElementPath("protectors", i));
    store::Protector protector{.id = p.Id("id"), .type = ProtectorType::kUnknown};
    protector.type = ParseKnown(p.OneOf("type", ProtectorTypeNames()), ProtectorType::kUnknown);
    f.Fail(p.Finish());
    v.protectors.push_back(protector);
  }
  if (const nlohmann::json* metadata = f.Object("metadata", /*required=*/false)) {
    JsonFields m(*metadata, f.FieldPath("metadata"));
    service::MetadataCopy copy;
    copy.offset = static_cast<uint64_t>(m.Integer("offset", 0, INT64_MAX));
    copy.bytes = m.Base64Bytes("data", service::kMaxMetadataBytes);
    f.Fail(m.Finish());
    reported.metadata = std::move(copy);
  }
  parent.Fail(f.Finish());
  return reported;
}

service::ReportedRecoveryPassword DecodeRecoveryPassword(const nlohmann::json& value,
                                                         std::string path, JsonFields& parent) {
  service::ReportedRecoveryPassword rp;
  JsonFields f(value, std::move(path));
  rp.key_id = f.Id("key_id");
  rp.volume_id = f.Id("volume_id");
  // Generous: recovery::Check explains what is wrong with a mistyped one.
  rp.password = f.Secret("password", 128);
  rp.created_at = f.Time("created_at");
  crypto::SecretBytes package = f.Base64Secret("key_package", service::kMaxKeyPackageBytes, false);
  if (!package.empty()) rp.key_package = std::move(package);
  parent.Fail(f.Finish());
  return rp;
}

}  // namespace

Result<service::EscrowReport> DecodeEscrowReport(const nlohmann::json& body) {
  service::EscrowReport report;
  JsonFields f(body, "");
  report.computer = DecodeComputer(f);
  const auto& volumes = f.Array("volumes", service::kMaxVolumes);
  for (size_t i = 0; i < volumes.size() && f.ok(); ++i) {
    service::ReportedVolume volume = DecodeVolume(volumes[i], f.ElementPath("volumes", i), f);
    volume.volume.computer_id = report.computer.id;
    report.volumes.push_back(std::move(volume));
  }
  const auto& passwords = f.Array("recovery_passwords", service::kMaxRecoveryPasswords, false);
  for (size_t i = 0; i < passwords.size() && f.ok(); ++i) {
    report.recovery_passwords.push_back(
        DecodeRecoveryPassword(passwords[i], f.ElementPath("recovery_passwords", i), f));
  }
  if (const nlohmann::json* tpm = f.Object("tpm_owner_auth", /*required=*/false)) {
    JsonFields t(*tpm, f.FieldPath("tpm_owner_auth"));
    service::ReportedTpmOwnerAuth auth;
    auth.owner_auth = t.Base64Secret("owner_auth", service::kMaxTpmOwnerAuthBytes);
    const auto changed = t.Time("changed_at");
    if (!changed && t.ok()) t.Fail("changed_at", "is required (a date and time)");
    auth.changed_at = changed.value_or(store::Time{});
    f.Fail(t.Finish());
    report.tpm_owner_auth = std::move(auth);
  }
  report.users = f.TextArray("users", service::kMaxUsers, {.required = false});
  LOCKBOX_RETURN_IF_ERROR(f.Finish());
  return report;
}

nlohmann::json EncodeTime(const std::optional<store::Time>& time) {
  return time ? nlohmann::json(FormatUtc(*time)) : nlohmann::json(nullptr);
}

std::string EncodeEscrowResponse(const service::EscrowResponse& response) {
  std::string out = "{\"changed\":";
  out += response.changed ? "true" : "false";
  out += ",\"secrets\":[";
  for (const service::SecretOutcome& s : response.secrets) {
    if (out.back() != '[') out += ',';
    out += "{\"key_id\":";
    http::AppendJsonString(out, s.key_id.ToString());
    out += ",\"kind\":";
    http::AppendJsonString(out, s.kind);
    out += ",\"outcome\":";
    http::AppendJsonString(out, store::NameOf(s.outcome));
    out += '}';
  }
  out += ']';
  const auto ids = [&out](std::string_view name, const std::vector<Guid>& guids) {
    out += ",\"";
    out += name;
    out += "\":[";
    for (const Guid& g : guids) {
      if (out.back() != '[') out += ',';
      http::AppendJsonString(out, g.ToString());
    }
    out += ']';
  };
  ids("conflicts", response.conflicts);
  ids("verification_queued", response.verification_queued);
  ids("retired", response.retired);
  ids("rotate", response.rotate);
  out += ",\"next_report_in_seconds\":";
  out += std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(response.next_report_in).count());
  out += ",\"tpm_owner_auth\":";
  if (response.tpm_owner_auth) {
    http::AppendJsonString(out, store::NameOf(*response.tpm_owner_auth));
  } else {
    out += "null";
  }
  out += '}';
  return out;
}

nlohmann::json EncodeComputer(const store::Computer& c) {
  return {{"id", c.id.ToString()},
          {"name", c.name},
          {"domain", c.domain},
          {"os", c.os},
          {"hardware_ids", c.hardware_ids},
          {"last_contact", EncodeTime(c.last_contact)}};
}

nlohmann::json EncodeVolume(const store::Volume& v) {
  nlohmann::json protectors = nlohmann::json::array();
  for (const auto& p : v.protectors) {
    protectors.push_back({{"id", p.id.ToString()}, {"type", store::NameOf(p.type)}});
  }
  return {{"id", v.id.ToString()},
          {"computer_id", v.computer_id.ToString()},
          {"drive_letter", v.drive_letter},
          {"type", store::NameOf(v.type)},
          {"description", v.description},
          {"encryption_method", v.encryption_method},
          {"protection", store::NameOf(v.protection)},
          {"conversion", store::NameOf(v.conversion)},
          {"protectors", std::move(protectors)}};
}

nlohmann::json EncodeRecoveryKey(const store::RecoveryKey& k) {
  return {{"key_id", k.key_id.ToString()},
          {"short_key_id", recovery::ShortKeyId(k.key_id)},
          {"volume_id", k.volume_id.ToString()},
          {"created_at", EncodeTime(k.created_at)},
          {"state", store::NameOf(k.state)},
          {"verification", store::NameOf(k.verification)},
          {"escrowed_at", FormatUtc(k.escrowed_at)},
          {"source", k.source},
          {"state_changed_at", EncodeTime(k.state_changed_at)}};
}

nlohmann::json EncodeCandidate(const service::KeyCandidate& c) {
  return {{"key_id", c.key_id.ToString()},
          {"computer_name", c.computer_name},
          {"volume_id", c.volume_id.ToString()},
          {"drive_letter", c.drive_letter},
          {"created_at", EncodeTime(c.created_at)}};
}

nlohmann::json EncodeAuditEntry(const store::AuditEntry& e) {
  return {{"sequence", e.sequence}, {"time", FormatUtc(e.time)}, {"actor", e.actor},
          {"role", e.role},         {"source", e.source},        {"computer", e.computer},
          {"key_id", e.key_id},     {"key_type", e.key_type},    {"reason", e.reason},
          {"end_user", e.end_user}, {"result", e.result},        {"hash", ToHex(e.hash)}};
}

nlohmann::json EncodeChainReport(const audit::ChainReport& r) {
  nlohmann::json out = {
      {"ok", r.ok}, {"entries_checked", r.entries_checked}, {"last_hash", ToHex(r.last_hash)}};
  if (!r.ok) {
    out["bad_sequence"] = r.bad_sequence;
    out["problem"] = r.problem;
  }
  return out;
}

nlohmann::json EncodeUser(const store::User& u) {
  return {{"name", u.name},
          {"display_name", u.display_name},
          {"role", u.role},
          {"service_account", u.service_account},
          {"must_change_password", u.must_change_password},
          {"disabled", u.disabled},
          {"locked_until", EncodeTime(u.locked_until)},
          {"last_login", EncodeTime(u.last_login)},
          {"created_at", FormatUtc(u.created_at)},
          {"password_changed_at", EncodeTime(u.password_changed_at)},
          {"directory", u.directory}};
}

nlohmann::json EncodeApiToken(const store::ApiToken& t) {
  return {{"id", t.id},
          {"user", t.user_name},
          {"role", t.role},
          {"description", t.description},
          {"created_by", t.created_by},
          {"created_at", FormatUtc(t.created_at)},
          {"expires_at", FormatUtc(t.expires_at)},
          {"revoked_at", EncodeTime(t.revoked_at)},
          {"last_used", EncodeTime(t.last_used)}};
}

nlohmann::json EncodeEnrollmentToken(const store::EnrollmentToken& t) {
  return {{"id", t.id},
          {"description", t.description},
          {"created_by", t.created_by},
          {"created_at", FormatUtc(t.created_at)},
          {"expires_at", FormatUtc(t.expires_at)},
          {"max_uses", t.max_uses},
          {"uses", t.uses},
          {"revoked_at", EncodeTime(t.revoked_at)}};
}

}  // namespace lockbox::api
