#include "agent_providers/image_provider.h"

#include <array>
#include <fstream>
#include <iterator>

#include "agent_providers/metadata_copy.h"
#include "bde/block_reader.h"
#include "bde/unlock.h"
#include "bde/volume.h"
#include "util/platform.h"

namespace lockbox::agent {
namespace {

std::string ProtectorType(uint16_t protection) {
  switch (static_cast<bde::ProtectionType>(protection)) {
    case bde::ProtectionType::kTpm:
      return "tpm";
    case bde::ProtectionType::kStartupKey:
      return "external_key";
    case bde::ProtectionType::kTpmAndPin:
      return "tpm_pin";
    case bde::ProtectionType::kRecoveryPassword:
      return "recovery_password";
    case bde::ProtectionType::kSmartCard:
      return "public_key";
    case bde::ProtectionType::kPassword:
      return "password";
    default:
      return "unknown";
  }
}

// As Windows names it (manage-bde -status).
std::string MethodName(uint16_t method) {
  const auto info = bde::DescribeMethod(method);
  if (!info) return "unknown";
  const std::string bits = std::to_string(info->key_bits);
  if (std::string(info->name) == "aes-xts") return "XTS-AES " + bits;
  return "AES " + bits + (info->diffuser ? " with Diffuser" : "");
}

std::string Conversion(uint16_t state) {
  switch (static_cast<bde::VolumeState>(state)) {
    case bde::VolumeState::kDecrypted:
      return "decrypted";
    case bde::VolumeState::kSwitching:
    case bde::VolumeState::kEowActivated:
      return "encrypting";
    case bde::VolumeState::kSwitchPaused:
      return "encryption_paused";
    default:
      return "encrypted";
  }
}

Result<VolumeInfo> Describe(const bde::Volume& volume) {
  const bde::Metadata& m = volume.metadata();
  VolumeInfo info{.id = m.volume_guid,
                  .drive_letter = "",
                  .type = "fixed",
                  .description = m.description,
                  .encryption_method = MethodName(m.method),
                  .protection = "on",
                  .conversion = Conversion(m.current_state),
                  .protectors = {},
                  .metadata = std::nullopt};
  for (const bde::Protector& p : m.protectors) {
    // A clear key in the open means BitLocker is suspended: the volume is not protected.
    if (p.protection == static_cast<uint16_t>(bde::ProtectionType::kClearKey))
      info.protection = "off";
    info.protectors.push_back({.id = p.guid, .type = ProtectorType(p.protection)});
  }
  LOCKBOX_ASSIGN_OR_RETURN(info.metadata, ReadMetadataCopy(volume));
  return info;
}

Result<recovery::RecoveryPassword> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the recovery password file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto password = recovery::RecoveryPassword::Parse(text);
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  if (!password.ok()) {
    return Status::InvalidArgument("the recovery password in " + path +
                                   " is not valid: " + password.status().message());
  }
  return password;
}

}  // namespace

Result<std::unique_ptr<ImageProvider>> ImageProvider::Open(
    const std::vector<std::string>& images, const std::vector<std::string>& password_files) {
  auto provider = std::make_unique<ImageProvider>();
  std::vector<bde::Volume> volumes;
  for (const std::string& image : images) {
    LOCKBOX_ASSIGN_OR_RETURN(auto reader, bde::OpenBlockReader(image));
    auto volume = bde::Volume::Open(std::move(reader));
    if (!volume.ok()) {
      return Status(volume.status().code(), image + ": " + volume.status().message());
    }
    LOCKBOX_ASSIGN_OR_RETURN(VolumeInfo info, Describe(*volume));
    provider->volumes_.push_back(std::move(info));
    volumes.push_back(std::move(volume).value());
  }
  for (const std::string& file : password_files) {
    LOCKBOX_ASSIGN_OR_RETURN(recovery::RecoveryPassword password, ReadPasswordFile(file));
    const std::array<bde::KeyMaterial, 1> keys = {bde::KeyMaterial::FromRecoveryPassword(password)};
    bool matched = false;
    for (const bde::Volume& volume : volumes) {
      auto unlocked = bde::Unlock(volume, keys);
      if (!unlocked.ok()) continue;
      std::string text = password.ToString();
      provider->passwords_.push_back(
          {.key_id = unlocked->protector_guid,
           .volume_id = volume.metadata().volume_guid,
           .password = crypto::SecretBytes(std::span<const uint8_t>(
               reinterpret_cast<const uint8_t*>(text.data()), text.size())),
           .created_at = ""});
      crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
      matched = true;
      break;
    }
    if (!matched) {
      return Status::WrongKey("the recovery password in " + file +
                              " opens none of the volumes given: check that it belongs to one");
    }
  }
  return provider;
}

Result<ComputerInfo> ImageProvider::Computer() {
  ComputerInfo computer{
      .name = HostName(), .domain = "", .os = "Linux", .hardware_ids = {}, .users = {}};
  std::ifstream machine_id("/etc/machine-id");
  std::string id;
  if (machine_id >> id) computer.hardware_ids.push_back("machine-id:" + id);
  return computer;
}

Result<std::vector<VolumeInfo>> ImageProvider::Volumes() { return volumes_; }

Result<std::vector<RecoveryPasswordInfo>> ImageProvider::RecoveryPasswords() {
  std::vector<RecoveryPasswordInfo> out;
  for (const RecoveryPasswordInfo& p : passwords_) {
    out.push_back({.key_id = p.key_id,
                   .volume_id = p.volume_id,
                   .password = p.password.Clone(),
                   .created_at = p.created_at});
  }
  return out;
}

Result<Guid> ImageProvider::AddRecoveryPassword(const Guid&, const recovery::RecoveryPassword&) {
  return Status::Unsupported("the image provider reads volumes only: it cannot add protectors");
}

Status ImageProvider::DeleteProtector(const Guid&, const Guid&) {
  return Status::Unsupported("the image provider reads volumes only: it cannot delete protectors");
}

Status ImageProvider::ResetTpmLockout(const crypto::SecretBytes&) {
  return Status::Unsupported("the image provider has no TPM");
}

}  // namespace lockbox::agent
