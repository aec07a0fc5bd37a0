// SimulatedProvider: a machine that exists only in a JSON state file: its computer, volumes
// (realistic: an OS volume with TPM and recovery password, a data volume with recovery password
// and auto-unlock key), recovery passwords generated with src/recovery, and a TPM. Protectors
// are added and deleted in the file, written whole each time (mode 0600), so a simulated
// machine survives its agent's restarts. For tests and `lockbox agent-sim`.
//
// `"crash_after": "add_protector"` (or "delete_protector") in the file makes the process die
// by SIGKILL right after that change is written: how tests kill an agent mid-rotation.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/provider.h"
#include "crypto/json_wipe.h"

namespace lockbox::agent {

class SimulatedProvider : public Provider {
 public:
  // A new machine named `name` with `data_volumes` data volumes besides the OS volume, written
  // to `path` (kAlreadyExists when it exists).
  static Status CreateMachine(const std::string& path, const std::string& name, int data_volumes);
  // kNotFound when `path` does not exist; kCorrupt when it is not a simulated machine.
  static Result<std::unique_ptr<SimulatedProvider>> Open(const std::string& path);

  ~SimulatedProvider() override { crypto::WipeStrings(machine_); }

  std::string name() const override { return "simulated"; }
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
  SimulatedProvider(std::string path, nlohmann::json machine)
      : path_(std::move(path)), machine_(std::move(machine)) {}
  nlohmann::json* FindVolume(const Guid& volume_id);
  Status Save();
  void CrashIfAsked(const char* point);

  std::string path_;
  std::mutex mu_;
  nlohmann::json machine_;
};

}  // namespace lockbox::agent
