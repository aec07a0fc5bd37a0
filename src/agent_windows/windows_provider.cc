#include "agent_windows/windows_provider.h"

#include <array>

#include "agent_providers/metadata_copy.h"
#include "bde/volume.h"
#include "crypto/base64.h"

namespace lockbox::agent {
namespace {

// The return codes BitLocker's and the TPM's WMI methods document.
constexpr uint32_t kFveLockedVolume = 0x80310000;
constexpr uint32_t kFveNotEncrypted = 0x80310001;
constexpr uint32_t kFveNotActivated = 0x80310008;
constexpr uint32_t kFveKeyRequired = 0x8031001D;
constexpr uint32_t kFveVolumeBoundAlready = 0x8031001F;
constexpr uint32_t kFveInvalidPasswordFormat = 0x8031006C;
constexpr uint32_t kEInvalidArg = 0x80070057;
constexpr uint32_t kEAccessDenied = 0x80070005;
constexpr uint32_t kTpmAuthFail = 0x80280001;

// Win32_EncryptableVolume's KeyProtectorType values, in order, by the API's names.
constexpr std::array<const char*, 11> kProtectorTypes = {"unknown",
                                                         "tpm",
                                                         "external_key",
                                                         "recovery_password",
                                                         "tpm_pin",
                                                         "tpm_startup_key",
                                                         "tpm_pin_startup_key",
                                                         "public_key",
                                                         "password",
                                                         "tpm_network_key",
                                                         "ad_account"};
constexpr uint32_t kNumericalPassword = 3;

std::string ProtectionName(uint32_t status) {
  switch (status) {
    case 0:
      return "off";
    case 1:
      return "on";
    default:
      return "unknown";  // 2: the volume is locked
  }
}

std::string ConversionName(uint32_t status) {
  static constexpr std::array<const char*, 6> kNames = {"decrypted",         "encrypted",
                                                        "encrypting",        "decrypting",
                                                        "encryption_paused", "decryption_paused"};
  return status < kNames.size() ? kNames[status] : "unknown";
}

// As manage-bde -status and the image provider name them.
std::string MethodName(uint32_t method) {
  static constexpr std::array<const char*, 8> kNames = {
      "none",    "AES 128 with Diffuser", "AES 256 with Diffuser", "AES 128",
      "AES 256", "hardware encryption",   "XTS-AES 128",           "XTS-AES 256"};
  return method < kNames.size() ? kNames[method] : "unknown";
}

std::string VolumeTypeName(uint32_t type) {
  switch (type) {
    case 0:
      return "os";
    case 2:
      return "removable";
    default:
      return "fixed";
  }
}

std::string StringField(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<uint32_t> NumberField(const nlohmann::json& object, const char* name,
                             const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer() || it->get<int64_t>() < 0 ||
      it->get<int64_t>() > int64_t{UINT32_MAX}) {
    return Status::Internal(where + " answered without the number " + name);
  }
  return static_cast<uint32_t>(it->get<int64_t>());
}

// The GUID in a WMI text: "{2D3B...}" (protector IDs) or "\\?\Volume{2D3B...}\" (DeviceID).
Result<Guid> GuidIn(const std::string& text, const std::string& what) {
  const size_t open = text.find('{');
  const size_t close = text.find('}', open);
  if (open == std::string::npos || close == std::string::npos) {
    return Status::Internal(what + " '" + text + "' holds no GUID");
  }
  auto guid = Guid::Parse(text.substr(open + 1, close - open - 1));
  if (!guid.ok()) return Status::Internal(what + " '" + text + "' holds no valid GUID");
  return guid;
}

// A protector ID as WMI writes it.
std::string ProtectorIdText(const Guid& id) {
  std::string text = "{" + id.ToString() + "}";
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// WMI object paths quote a key's value and escape its backslashes and quotes.
std::string VolumePath(const std::string& device_id) {
  std::string path = "Win32_EncryptableVolume.DeviceID=\"";
  for (char c : device_id) {
    if (c == '\\' || c == '"') path += '\\';
    path += c;
  }
  return path + "\"";
}

void WipeString(std::string& text) {
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
}

}  // namespace

Status WmiReturnStatus(const std::string& method, uint32_t code) {
  switch (code) {
    case 0:
      return Status::Ok();
    case kFveLockedVolume:
      return Status::Unsupported(method + ": the volume is locked: unlock it first");
    case kFveNotEncrypted:
    case kFveNotActivated:
      return Status::Unsupported(method + ": BitLocker is not on for this volume");
    case kEInvalidArg:
      return Status::NotFound(method + ": the volume has no such key protector");
    case kFveKeyRequired:
      return Status::Unsupported(method + ": it is the volume's last key protector");
    case kFveVolumeBoundAlready:
      return Status::Unsupported(method +
                                 ": the protector unlocks the volume automatically "
                                 "(disable auto-unlock first)");
    case kFveInvalidPasswordFormat:
      return Status::InvalidArgument(method + ": Windows refused the recovery password's format");
    case kEAccessDenied:
      return Status::PermissionDenied(method +
                                      ": access denied: the agent must run as SYSTEM or an "
                                      "administrator");
    case kTpmAuthFail:
      return Status::WrongKey(method + ": the TPM refused the owner authorisation");
    default: {
      char hex[16];
      snprintf(hex, sizeof hex, "0x%08X", code);
      return Status::Internal(method + " failed with code " + hex);
    }
  }
}

Result<nlohmann::json> WindowsProvider::CallVolume(const std::string& device_id,
                                                   const std::string& method,
                                                   const nlohmann::json& in) {
  LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json out,
                           wmi_->Call(kVolumeNamespace, VolumePath(device_id), method, in));
  LOCKBOX_ASSIGN_OR_RETURN(const uint32_t code, NumberField(out, "ReturnValue", method));
  LOCKBOX_RETURN_IF_ERROR(WmiReturnStatus(method, code));
  return out;
}

Result<nlohmann::json> WindowsProvider::CallTpm(const std::string& method,
                                                const nlohmann::json& in) {
  LOCKBOX_ASSIGN_OR_RETURN(auto tpms, wmi_->Query(kTpmNamespace, "SELECT * FROM Win32_Tpm"));
  if (tpms.empty()) return Status::NotFound("this machine has no TPM (Win32_Tpm is empty)");
  // Win32_Tpm is a singleton: its one instance's path is "Win32_Tpm=@".
  LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json out,
                           wmi_->Call(kTpmNamespace, "Win32_Tpm=@", method, in));
  LOCKBOX_ASSIGN_OR_RETURN(const uint32_t code, NumberField(out, "ReturnValue", method));
  LOCKBOX_RETURN_IF_ERROR(WmiReturnStatus(method, code));
  return out;
}

Result<ComputerInfo> WindowsProvider::Computer() {
  ComputerInfo computer;
  LOCKBOX_ASSIGN_OR_RETURN(auto systems,
                           wmi_->Query(kSystemNamespace,
                                       "SELECT Name, Domain, PartOfDomain, UserName FROM "
                                       "Win32_ComputerSystem"));
  if (systems.empty()) return Status::Internal("Win32_ComputerSystem has no instance");
  computer.name = StringField(systems[0], "Name");
  if (systems[0].value("PartOfDomain", false)) computer.domain = StringField(systems[0], "Domain");
  if (const std::string user = StringField(systems[0], "UserName"); !user.empty()) {
    computer.users.push_back(user);
  }
  LOCKBOX_ASSIGN_OR_RETURN(
      auto systems_os, wmi_->Query(kSystemNamespace, "SELECT Caption FROM Win32_OperatingSystem"));
  if (!systems_os.empty()) computer.os = StringField(systems_os[0], "Caption");
  LOCKBOX_ASSIGN_OR_RETURN(auto bios,
                           wmi_->Query(kSystemNamespace, "SELECT SerialNumber FROM Win32_BIOS"));
  if (!bios.empty() && !StringField(bios[0], "SerialNumber").empty()) {
    computer.hardware_ids.push_back("serial:" + StringField(bios[0], "SerialNumber"));
  }
  LOCKBOX_ASSIGN_OR_RETURN(
      auto products, wmi_->Query(kSystemNamespace, "SELECT UUID FROM Win32_ComputerSystemProduct"));
  if (!products.empty() && !StringField(products[0], "UUID").empty()) {
    computer.hardware_ids.push_back("uuid:" + StringField(products[0], "UUID"));
  }
  return computer;
}

Result<std::vector<WindowsProvider::Volume>> WindowsProvider::ReadVolumes() {
  LOCKBOX_ASSIGN_OR_RETURN(
      auto instances,
      wmi_->Query(kVolumeNamespace,
                  "SELECT DeviceID, DriveLetter, VolumeType FROM Win32_EncryptableVolume"));
  std::vector<Volume> volumes;
  for (const nlohmann::json& instance : instances) {
    Volume v;
    v.device_id = StringField(instance, "DeviceID");
    VolumeInfo& info = v.info;
    info.drive_letter = StringField(instance, "DriveLetter");
    info.description = info.drive_letter;
    // VolumeType is absent before Windows 8: a data volume then.
    const auto type = NumberField(instance, "VolumeType", "Win32_EncryptableVolume");
    info.type = VolumeTypeName(type.ok() ? *type : 1);
    LOCKBOX_ASSIGN_OR_RETURN(info.id, GuidIn(v.device_id, "the volume's DeviceID"));

    LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json out,
                             CallVolume(v.device_id, "GetProtectionStatus", {}));
    LOCKBOX_ASSIGN_OR_RETURN(uint32_t number,
                             NumberField(out, "ProtectionStatus", "GetProtectionStatus"));
    info.protection = ProtectionName(number);
    LOCKBOX_ASSIGN_OR_RETURN(out, CallVolume(v.device_id, "GetConversionStatus", {}));
    LOCKBOX_ASSIGN_OR_RETURN(number, NumberField(out, "ConversionStatus", "GetConversionStatus"));
    info.conversion = ConversionName(number);
    LOCKBOX_ASSIGN_OR_RETURN(out, CallVolume(v.device_id, "GetEncryptionMethod", {}));
    LOCKBOX_ASSIGN_OR_RETURN(number, NumberField(out, "EncryptionMethod", "GetEncryptionMethod"));
    info.encryption_method = MethodName(number);

    LOCKBOX_ASSIGN_OR_RETURN(
        out, CallVolume(v.device_id, "GetKeyProtectors", {{"KeyProtectorType", 0}}));
    for (const nlohmann::json& id : out.value("VolumeKeyProtectorID", nlohmann::json::array())) {
      if (!id.is_string()) return Status::Internal("GetKeyProtectors answered a non-text ID");
      LOCKBOX_ASSIGN_OR_RETURN(Guid guid, GuidIn(id.get<std::string>(), "the protector ID"));
      LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json typed, CallVolume(v.device_id, "GetKeyProtectorType",
                                                                {{"VolumeKeyProtectorID", id}}));
      LOCKBOX_ASSIGN_OR_RETURN(uint32_t kind,
                               NumberField(typed, "KeyProtectorType", "GetKeyProtectorType"));
      info.protectors.push_back(
          {.id = guid, .type = kind < kProtectorTypes.size() ? kProtectorTypes[kind] : "unknown"});
    }

    // The metadata, and with it BitLocker's own volume GUID, when the volume is BitLocker's.
    if (info.conversion != "decrypted" && !info.drive_letter.empty()) {
      auto reader = open_volume_("\\\\.\\" + info.drive_letter);
      if (reader.ok()) {
        auto volume =
            bde::Volume::Open(std::shared_ptr<const bde::BlockReader>(std::move(*reader)));
        if (volume.ok()) {
          info.id = volume->metadata().volume_guid;
          LOCKBOX_ASSIGN_OR_RETURN(info.metadata, ReadMetadataCopy(*volume));
        }
      }
    }
    volumes.push_back(std::move(v));
  }
  return volumes;
}

Result<WindowsProvider::Volume> WindowsProvider::FindVolume(const Guid& volume_id) {
  LOCKBOX_ASSIGN_OR_RETURN(std::vector<Volume> volumes, ReadVolumes());
  for (Volume& v : volumes) {
    if (v.info.id == volume_id) return std::move(v);
  }
  return Status::NotFound("no volume " + volume_id.ToString() + " on this machine");
}

Result<std::vector<VolumeInfo>> WindowsProvider::Volumes() {
  LOCKBOX_ASSIGN_OR_RETURN(std::vector<Volume> volumes, ReadVolumes());
  std::vector<VolumeInfo> out;
  for (Volume& v : volumes) out.push_back(std::move(v.info));
  return out;
}

Result<std::vector<RecoveryPasswordInfo>> WindowsProvider::RecoveryPasswords() {
  LOCKBOX_ASSIGN_OR_RETURN(std::vector<Volume> volumes, ReadVolumes());
  std::vector<RecoveryPasswordInfo> out;
  for (const Volume& v : volumes) {
    for (const ProtectorInfo& p : v.info.protectors) {
      // A locked volume (protection unknown) gives no password until it is unlocked.
      if (p.type != kProtectorTypes[kNumericalPassword] || v.info.protection == "unknown") continue;
      LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json answer,
                               CallVolume(v.device_id, "GetKeyProtectorNumericalPassword",
                                          {{"VolumeKeyProtectorID", ProtectorIdText(p.id)}}));
      std::string text = StringField(answer, "NumericalPassword");
      auto password = recovery::RecoveryPassword::Parse(text);
      WipeString(text);
      if (answer.contains("NumericalPassword")) {
        WipeString(answer["NumericalPassword"].get_ref<std::string&>());
      }
      if (!password.ok()) {
        return Status::Internal("the recovery password of protector " + p.id.ToString() +
                                " is not valid: " + password.status().message());
      }
      std::string canonical = password->ToString();
      out.push_back({.key_id = p.id,
                     .volume_id = v.info.id,
                     .password = crypto::SecretBytes(std::span<const uint8_t>(
                         reinterpret_cast<const uint8_t*>(canonical.data()), canonical.size())),
                     .created_at = ""});
      WipeString(canonical);
    }
  }
  return out;
}

Result<Guid> WindowsProvider::AddRecoveryPassword(const Guid& volume_id,
                                                  const recovery::RecoveryPassword& password) {
  LOCKBOX_ASSIGN_OR_RETURN(const Volume v, FindVolume(volume_id));
  nlohmann::json in = {{"FriendlyName", "Lockbox"}, {"NumericalPassword", password.ToString()}};
  auto out = CallVolume(v.device_id, "ProtectKeyWithNumericalPassword", in);
  WipeString(in["NumericalPassword"].get_ref<std::string&>());
  if (!out.ok()) return out.status();
  return GuidIn(StringField(*out, "VolumeKeyProtectorID"), "the new protector's ID");
}

Status WindowsProvider::DeleteProtector(const Guid& volume_id, const Guid& protector_id) {
  LOCKBOX_ASSIGN_OR_RETURN(const Volume v, FindVolume(volume_id));
  return CallVolume(v.device_id, "DeleteKeyProtector",
                    {{"VolumeKeyProtectorID", ProtectorIdText(protector_id)}})
      .status();
}

Result<TpmInfo> WindowsProvider::Tpm() {
  TpmInfo tpm;
  LOCKBOX_ASSIGN_OR_RETURN(auto tpms, wmi_->Query(kTpmNamespace, "SELECT * FROM Win32_Tpm"));
  if (tpms.empty()) return tpm;
  tpm.present = true;
  LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json out, CallTpm("IsOwned", {}));
  tpm.owned = out.value("IsOwned", false);
  LOCKBOX_ASSIGN_OR_RETURN(out, CallTpm("IsLockedOut", {}));
  tpm.locked_out = out.value("IsLockedOut", false);
  return tpm;
}

Status WindowsProvider::ResetTpmLockout(const crypto::SecretBytes& owner_auth) {
  // Win32_Tpm takes the owner authorisation as Windows stores it: base64.
  nlohmann::json in = {{"OwnerAuth", crypto::Base64Encode(owner_auth.span())}};
  const Status status = CallTpm("ResetAuthLockOut", in).status();
  WipeString(in["OwnerAuth"].get_ref<std::string&>());
  return status;
}

}  // namespace lockbox::agent
