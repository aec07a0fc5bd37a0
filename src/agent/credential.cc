#include "agent/credential.h"

#include <nlohmann/json.hpp>

#include "agent/private_file.h"
#include "crypto/json_wipe.h"

namespace lockbox::agent {
namespace {

std::string PathIn(const std::string& state_dir) { return state_dir + "/credential"; }

}  // namespace

Result<MachineCredential> CredentialFromJson(const nlohmann::json& j, const std::string& what) {
  const bool valid = j.is_object() && j.contains("computer_id") && j["computer_id"].is_string() &&
                     j.contains("credential") && j["credential"].is_string();
  if (!valid) return Status::Corrupt(what + " lacks computer_id or credential");
  MachineCredential credential;
  LOCKBOX_ASSIGN_OR_RETURN(credential.computer_id,
                           Guid::Parse(j["computer_id"].get<std::string>()));
  const auto& text = j["credential"].get_ref<const std::string&>();
  credential.credential = crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  return credential;
}

Result<MachineCredential> LoadCredential(const std::string& state_dir) {
  const std::string path = PathIn(state_dir);
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes bytes, ReadPrivateFile(path));
  nlohmann::json j = nlohmann::json::parse(bytes.data(), bytes.data() + bytes.size(), nullptr,
                                           /*allow_exceptions=*/false);
  crypto::WipeOnExit wipe(j);
  return CredentialFromJson(j, path);
}

Status SaveCredential(const std::string& state_dir, const MachineCredential& credential) {
  nlohmann::json j = {{"computer_id", credential.computer_id.ToString()}};
  crypto::SetSecretString(j, "credential", credential.credential);
  crypto::WipeOnExit wipe(j);
  return WritePrivateFile(PathIn(state_dir), crypto::DumpSecret(j).span());
}

}  // namespace lockbox::agent
