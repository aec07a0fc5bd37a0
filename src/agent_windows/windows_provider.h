// WindowsProvider: the agent's provider on Windows, over WMI (wmi.h) and the raw volume.
//
// Volumes are Win32_EncryptableVolume instances (ROOT\CIMV2\Security\MicrosoftVolumeEncryption):
// protection, conversion and encryption method from GetProtectionStatus, GetConversionStatus
// and GetEncryptionMethod, the protectors from GetKeyProtectors and GetKeyProtectorType, the
// recovery passwords from GetKeyProtectorNumericalPassword; a rotation adds a protector with
// ProtectKeyWithNumericalPassword and removes the old one with DeleteKeyProtector. Each
// method's return code becomes a Status saying what it means (the FVE_E_* codes BitLocker
// documents). The FVE metadata copy is read raw from the volume (\\.\C:) with src/bde, which
// also gives the BitLocker volume GUID the server knows the volume by; a volume whose metadata
// cannot be read (not encrypted, no drive letter) is known by the GUID of its DeviceID.
//
// The TPM is Win32_Tpm (ROOT\CIMV2\Security\MicrosoftTpm): IsOwned, IsLockedOut, and
// ResetAuthLockOut with the owner authorisation the server releases. The owner authorisation
// itself is not read: Windows 10 and later keep no full copy of it by default.
//
// The computer is Win32_ComputerSystem, Win32_OperatingSystem, Win32_BIOS and
// Win32_ComputerSystemProduct (ROOT\CIMV2).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "agent/provider.h"
#include "agent_windows/wmi.h"
#include "bde/block_reader.h"

namespace lockbox::agent {

// Opens a volume for reading its metadata ("\\.\C:"); bde::OpenBlockReader on Windows.
using VolumeOpener =
    std::function<Result<std::unique_ptr<bde::BlockReader>>(const std::string& path)>;

class WindowsProvider : public Provider {
 public:
  WindowsProvider(std::unique_ptr<Wmi> wmi, VolumeOpener open_volume)
      : wmi_(std::move(wmi)), open_volume_(std::move(open_volume)) {}

  std::string name() const override { return "windows"; }
  Result<ComputerInfo> Computer() override;
  Result<std::vector<VolumeInfo>> Volumes() override;
  Result<std::vector<RecoveryPasswordInfo>> RecoveryPasswords() override;
  bool CanRotate() const override { return true; }
  Result<Guid> AddRecoveryPassword(const Guid& volume_id,
                                   const recovery::RecoveryPassword& password) override;
  Status DeleteProtector(const Guid& volume_id, const Guid& protector_id) override;
  Result<TpmInfo> Tpm() override;
  Status ResetTpmLockout(const crypto::SecretBytes& owner_auth) override;

 private:
  struct Volume {
    VolumeInfo info;
    std::string device_id;  // Win32_EncryptableVolume's key: "\\?\Volume{...}\"
  };
  Result<std::vector<Volume>> ReadVolumes();
  Result<Volume> FindVolume(const Guid& volume_id);
  // Calls a Win32_EncryptableVolume method; a return code other than S_OK is an error.
  Result<nlohmann::json> CallVolume(const std::string& device_id, const std::string& method,
                                    const nlohmann::json& in);
  Result<nlohmann::json> CallTpm(const std::string& method, const nlohmann::json& in);

  std::unique_ptr<Wmi> wmi_;
  VolumeOpener open_volume_;
};

// The Status for a BitLocker or TPM WMI method's return code (0 is OK), naming the method.
Status WmiReturnStatus(const std::string& method, uint32_t code);

}  // namespace lockbox::agent
