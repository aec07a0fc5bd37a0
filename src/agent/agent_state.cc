#include "agent/agent_state.h"

#include <nlohmann/json.hpp>

#include "agent/private_file.h"
#include "crypto/json_wipe.h"
#include "crypto/random.h"

namespace lockbox::agent {
namespace {

// Binds the sealed bytes to what they are: a state file of this format.
constexpr const char* kAssociatedData = "lockbox-agent state v1";

crypto::SecretBytes Secret(const std::string& text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Result<RotationStep> StepNamed(const std::string& name) {
  for (RotationStep step :
       {RotationStep::kPlanned, RotationStep::kAdded, RotationStep::kEscrowed}) {
    if (name == RotationStepName(step)) return step;
  }
  return Status::Corrupt("unknown rotation step '" + name + "'");
}

Result<Guid> GuidField(const nlohmann::json& object, const char* key) {
  return Guid::Parse(object.at(key).get<std::string>());
}

Result<AgentState> Decode(const nlohmann::json& j) {
  AgentState state;
  for (const auto& id : j.at("escrowed")) state.escrowed.insert(id.get<std::string>());
  for (const auto& q : j.at("queue")) {
    QueuedKey key;
    LOCKBOX_ASSIGN_OR_RETURN(key.key_id, GuidField(q, "key_id"));
    LOCKBOX_ASSIGN_OR_RETURN(key.volume_id, GuidField(q, "volume_id"));
    key.password = Secret(q.at("password").get_ref<const std::string&>());
    key.created_at = q.at("created_at").get<std::string>();
    key.attempts = q.at("attempts").get<uint32_t>();
    state.queue.push_back(std::move(key));
  }
  for (const auto& r : j.at("rotations")) {
    Rotation rotation;
    LOCKBOX_ASSIGN_OR_RETURN(rotation.volume_id, GuidField(r, "volume_id"));
    LOCKBOX_ASSIGN_OR_RETURN(rotation.old_key_id, GuidField(r, "old_key_id"));
    LOCKBOX_ASSIGN_OR_RETURN(rotation.step, StepNamed(r.at("step").get<std::string>()));
    rotation.new_password = Secret(r.at("new_password").get_ref<const std::string&>());
    if (r.contains("new_key_id")) {
      LOCKBOX_ASSIGN_OR_RETURN(rotation.new_key_id, GuidField(r, "new_key_id"));
    }
    state.rotations.push_back(std::move(rotation));
  }
  state.tpm_owner_auth_escrowed = j.at("tpm_owner_auth_escrowed").get<std::string>();
  state.next_report_seconds = j.at("next_report_seconds").get<uint32_t>();
  state.failed_reports = j.at("failed_reports").get<uint32_t>();
  return state;
}

nlohmann::json Encode(const AgentState& state) {
  nlohmann::json queue = nlohmann::json::array();
  for (const QueuedKey& key : state.queue) {
    nlohmann::json item = {{"key_id", key.key_id.ToString()},
                           {"volume_id", key.volume_id.ToString()},
                           {"created_at", key.created_at},
                           {"attempts", key.attempts}};
    crypto::SetSecretString(item, "password", key.password);
    queue.push_back(std::move(item));
  }
  nlohmann::json rotations = nlohmann::json::array();
  for (const Rotation& r : state.rotations) {
    nlohmann::json item = {{"volume_id", r.volume_id.ToString()},
                           {"old_key_id", r.old_key_id.ToString()},
                           {"step", RotationStepName(r.step)}};
    crypto::SetSecretString(item, "new_password", r.new_password);
    if (r.new_key_id) item["new_key_id"] = r.new_key_id->ToString();
    rotations.push_back(std::move(item));
  }
  return {{"escrowed", state.escrowed},
          {"queue", std::move(queue)},
          {"rotations", std::move(rotations)},
          {"tpm_owner_auth_escrowed", state.tpm_owner_auth_escrowed},
          {"next_report_seconds", state.next_report_seconds},
          {"failed_reports", state.failed_reports}};
}

}  // namespace

const char* RotationStepName(RotationStep step) {
  switch (step) {
    case RotationStep::kPlanned:
      return "planned";
    case RotationStep::kAdded:
      return "added";
    case RotationStep::kEscrowed:
      return "escrowed";
  }
  return "planned";
}

Result<StateFile> StateFile::Open(const std::string& state_dir) {
  LOCKBOX_RETURN_IF_ERROR(EnsurePrivateFolder(state_dir));
  const std::string key_path = state_dir + "/" + kKeyFileName;
  const std::string state_path = state_dir + "/" + kStateFileName;
  auto key = ReadPrivateFile(key_path);
  if (!key.ok() && key.status().code() == ErrorCode::kNotFound) {
    if (ReadPrivateFile(state_path).ok()) {
      return Status::Corrupt(key_path + " is missing but " + state_path +
                             " exists: the queued escrows cannot be read. Restore the key file, "
                             "or remove the state folder to start over (the agent escrows the "
                             "volumes' recovery passwords again)");
    }
    crypto::SecretBytes fresh(crypto::Aead::kKeySize);
    LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(fresh.span()));
    LOCKBOX_RETURN_IF_ERROR(WritePrivateFile(key_path, fresh.span()));
    key = std::move(fresh);
  }
  if (!key.ok()) return key.status();
  if (key->size() != crypto::Aead::kKeySize) {
    return Status::Corrupt(key_path + " must hold 32 bytes, not " + std::to_string(key->size()));
  }
  LOCKBOX_ASSIGN_OR_RETURN(crypto::Aead aead, crypto::Aead::Create(key->span()));
  return StateFile(state_path, std::move(aead));
}

Result<AgentState> StateFile::Load() const {
  auto sealed = ReadPrivateFile(path_);
  if (!sealed.ok() && sealed.status().code() == ErrorCode::kNotFound) return AgentState{};
  if (!sealed.ok()) return sealed.status();
  auto plain = aead_.Open(sealed->span(), kAssociatedData);
  if (!plain.ok()) {
    return Status(plain.status().code(), path_ + " does not open under its key (" +
                                             plain.status().message() +
                                             "): it was altered or belongs to another key file");
  }
  nlohmann::json j = nlohmann::json::parse(plain->data(), plain->data() + plain->size(), nullptr,
                                           /*allow_exceptions=*/false);
  crypto::WipeOnExit wipe(j);
  if (j.is_discarded()) return Status::Corrupt(path_ + " holds no JSON");
  try {
    return Decode(j);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(path_ + " is not an agent state: " + e.what());
  }
}

Status StateFile::Save(const AgentState& state) const {
  nlohmann::json j = Encode(state);
  crypto::WipeOnExit wipe(j);
  LOCKBOX_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed,
                           aead_.Seal(crypto::DumpSecret(j).span(), kAssociatedData));
  return WritePrivateFile(path_, sealed);
}

}  // namespace lockbox::agent
