// ImageProvider: real BitLocker volumes read from image files or block devices with src/bde
// (a dual-boot or lab machine, and the end-to-end tests with Windows-made test volumes).
//
// Read-only: it reports each volume, its protectors and one FVE metadata copy, and escrows the
// recovery passwords it is given (files holding one each): a password is matched to the volume
// and protector it opens (bde::Unlock, one key stretch per try), so a password that opens
// nothing is refused at the start. It cannot add or delete protectors: a rotation request is
// logged as impossible (CanRotate() is false), and the TPM is reported absent.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/provider.h"

namespace lockbox::agent {

class ImageProvider : public Provider {
 public:
  // kNotBitLocker/kCorrupt/kIoError for an image that cannot be read; kWrongKey for a password
  // file whose password opens none of the volumes.
  static Result<std::unique_ptr<ImageProvider>> Open(
      const std::vector<std::string>& images, const std::vector<std::string>& password_files);

  std::string name() const override { return "image"; }
  Result<ComputerInfo> Computer() override;
  Result<std::vector<VolumeInfo>> Volumes() override;
  Result<std::vector<RecoveryPasswordInfo>> RecoveryPasswords() override;
  bool CanRotate() const override { return false; }
  Result<Guid> AddRecoveryPassword(const Guid& volume_id,
                                   const recovery::RecoveryPassword& password) override;
  Status DeleteProtector(const Guid& volume_id, const Guid& protector_id) override;
  Result<TpmInfo> Tpm() override { return TpmInfo{}; }
  Status ResetTpmLockout(const crypto::SecretBytes& owner_auth) override;

 private:
  std::vector<VolumeInfo> volumes_;
  std::vector<RecoveryPasswordInfo> passwords_;
};

}  // namespace lockbox::agent
