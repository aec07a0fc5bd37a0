#include "agent_providers/simulated_provider.h"

#include "agent/private_file.h"
#include "crypto/base64.h"
#include "crypto/json_wipe.h"
#include "crypto/random.h"
#include "recovery/key_id.h"
#include "util/platform.h"
#include "util/utc_time.h"

namespace lockbox::agent {
namespace {

std::string Now() {
  return FormatUtc(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

Result<std::string> NewId() {
  LOCKBOX_ASSIGN_OR_RETURN(Guid id, recovery::NewProtectorId());
  return id.ToString();
}

Result<nlohmann::json> RecoveryProtector() {
  LOCKBOX_ASSIGN_OR_RETURN(std::string id, NewId());
  LOCKBOX_ASSIGN_OR_RETURN(recovery::RecoveryPassword password,
                           recovery::RecoveryPassword::Generate());
  return nlohmann::json{{"id", id},
                        {"type", "recovery_password"},
                        {"password", password.ToString()},
                        {"created_at", Now()}};
}

Result<nlohmann::json> Volume(const std::string& letter, const std::string& type,
                              const std::string& machine, const char* other_protector) {
  LOCKBOX_ASSIGN_OR_RETURN(std::string id, NewId());
  LOCKBOX_ASSIGN_OR_RETURN(std::string other_id, NewId());
  LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json recovery_protector, RecoveryProtector());
  return nlohmann::json{
      {"id", id},
      {"drive_letter", letter},
      {"type", type},
      {"description", machine + " " + letter + " " + Now().substr(0, 10)},
      {"encryption_method", "XTS-AES 128"},
      {"protection", "on"},
      {"conversion", "encrypted"},
      {"protectors",
       {{{"id", other_id}, {"type", other_protector}}, std::move(recovery_protector)}}};
}

// The string at `key`, or "" when absent or not a string: a damaged file must not throw.
std::string Field(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Runs `read` on the machine's JSON; a damaged file (a wrong type somewhere) is kCorrupt.
template <typename Read>
auto Guarded(const std::string& path, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(path + " is damaged: " + e.what());
  }
}

}  // namespace

Status SimulatedProvider::CreateMachine(const std::string& path, const std::string& name,
                                        int data_volumes) {
  if (ReadPrivateFile(path).ok()) return Status::AlreadyExists(path + " exists already");
  std::array<uint8_t, 8> serial{};
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(serial));
  // All 64 bits: the server takes two machines with one serial for one computer re-enrolling
  // (and revokes the first's credential), and 32 bits collide in a fleet of 100,000.
  std::string serial_text;
  for (uint8_t b : serial) {
    serial_text += "0123456789ABCDEF"[b >> 4];
    serial_text += "0123456789ABCDEF"[b & 15];
  }
  crypto::SecretBytes owner_auth(20);
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(owner_auth.span()));
  nlohmann::json volumes = nlohmann::json::array();
  LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json os, Volume("C:", "os", name, "tpm"));
  volumes.push_back(std::move(os));
  for (int i = 0; i < data_volumes; ++i) {
    const std::string letter(1, static_cast<char>('D' + i));
    LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json data,
                             Volume(letter + ":", "fixed", name, "external_key"));
    volumes.push_back(std::move(data));
  }
  nlohmann::json machine = {{"computer",
                             {{"name", name},
                              {"domain", "contoso.example"},
                              {"os", "Windows 11 Pro"},
                              {"hardware_ids", {"serial:" + serial_text}},
                              {"users", {"contoso\\" + name + "-user"}}}},
                            {"volumes", std::move(volumes)},
                            {"tpm",
                             {{"present", true},
                              {"owned", true},
                              {"locked_out", false},
                              {"owner_auth", crypto::Base64Encode(owner_auth.span())},
                              {"changed_at", Now()}}},
                            {"crash_after", ""}};
  crypto::WipeOnExit wipe(machine);
  return WritePrivateFile(path, crypto::DumpSecret(machine).span());
}

Result<std::unique_ptr<SimulatedProvider>> SimulatedProvider::Open(const std::string& path) {
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes bytes, ReadPrivateFile(path));
  nlohmann::json machine = nlohmann::json::parse(bytes.data(), bytes.data() + bytes.size(), nullptr,
                                                 /*allow_exceptions=*/false);
  if (!machine.is_object() || !machine.contains("computer") || !machine.contains("volumes") ||
      !machine["volumes"].is_array() || !machine.contains("tpm")) {
    crypto::WipeStrings(machine);
    return Status::Corrupt(path + " is not a simulated machine (`lockbox agent-sim` makes them)");
  }
  return std::unique_ptr<SimulatedProvider>(new SimulatedProvider(path, std::move(machine)));
}

Status SimulatedProvider::Save() {
  return WritePrivateFile(path_, crypto::DumpSecret(machine_).span());
}

void SimulatedProvider::CrashIfAsked(const char* point) {
  if (Field(machine_, "crash_after") == point) KillThisProcess();
}

nlohmann::json* SimulatedProvider::FindVolume(const Guid& volume_id) {
  for (nlohmann::json& v : machine_["volumes"]) {
    if (Field(v, "id") == volume_id.ToString()) return &v;
  }
  return nullptr;
}

Result<ComputerInfo> SimulatedProvider::Computer() {
  const std::lock_guard<std::mutex> lock(mu_);
  return Guarded(path_, [&]() -> Result<ComputerInfo> {
    const nlohmann::json& c = machine_.at("computer");
    return ComputerInfo{.name = c.at("name"),
                        .domain = c.at("domain"),
                        .os = c.at("os"),
                        .hardware_ids = c.at("hardware_ids"),
                        .users = c.at("users")};
  });
}

Result<std::vector<VolumeInfo>> SimulatedProvider::Volumes() {
  const std::lock_guard<std::mutex> lock(mu_);
  return Guarded(path_, [&]() -> Result<std::vector<VolumeInfo>> {
    std::vector<VolumeInfo> out;
    for (const nlohmann::json& v : machine_["volumes"]) {
      VolumeInfo info;
      LOCKBOX_ASSIGN_OR_RETURN(info.id, Guid::Parse(Field(v, "id")));
      info.drive_letter = Field(v, "drive_letter");
      info.type = Field(v, "type");
      info.description = Field(v, "description");
      info.encryption_method = Field(v, "encryption_method");
      info.protection = Field(v, "protection");
      info.conversion = Field(v, "conversion");
      for (const nlohmann::json& p : v.value("protectors", nlohmann::json::array())) {
        LOCKBOX_ASSIGN_OR_RETURN(Guid id, Guid::Parse(Field(p, "id")));
        info.protectors.push_back({.id = id, .type = Field(p, "type")});
      }
      out.push_back(std::move(info));
    }
    return out;
  });
}

Result<std::vector<RecoveryPasswordInfo>> SimulatedProvider::RecoveryPasswords() {
  const std::lock_guard<std::mutex> lock(mu_);
  return Guarded(path_, [&]() -> Result<std::vector<RecoveryPasswordInfo>> {
    std::vector<RecoveryPasswordInfo> out;
    for (const nlohmann::json& v : machine_["volumes"]) {
      LOCKBOX_ASSIGN_OR_RETURN(Guid volume_id, Guid::Parse(Field(v, "id")));
      for (const nlohmann::json& p : v.value("protectors", nlohmann::json::array())) {
        if (Field(p, "type") != "recovery_password") continue;
        LOCKBOX_ASSIGN_OR_RETURN(Guid key_id, Guid::Parse(Field(p, "id")));
        const auto password = p.find("password");
        if (password == p.end() || !password->is_string()) {
          return Status::Corrupt(path_ + ": protector " + key_id.ToString() + " has no password");
        }
        const std::string& text = password->get_ref<const std::string&>();
        out.push_back({.key_id = key_id,
                       .volume_id = volume_id,
                       .password = crypto::SecretBytes(std::span<const uint8_t>(
                           reinterpret_cast<const uint8_t*>(text.data()), text.size())),
                       .created_at = Field(p, "created_at")});
      }
    }
    return out;
  });
}

Result<Guid> SimulatedProvider::AddRecoveryPassword(const Guid& volume_id,
                                                    const recovery::RecoveryPassword& password) {
  const std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json* volume = FindVolume(volume_id);
  if (volume == nullptr) return Status::NotFound("no volume " + volume_id.ToString());
  LOCKBOX_ASSIGN_OR_RETURN(Guid id, recovery::NewProtectorId());
  (*volume)["protectors"].push_back({{"id", id.ToString()},
                                     {"type", "recovery_password"},
                                     {"password", password.ToString()},
                                     {"created_at", Now()}});
  LOCKBOX_RETURN_IF_ERROR(Save());
  CrashIfAsked("add_protector");
  return id;
}

Status SimulatedProvider::DeleteProtector(const Guid& volume_id, const Guid& protector_id) {
  const std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json* volume = FindVolume(volume_id);
  if (volume == nullptr) return Status::NotFound("no volume " + volume_id.ToString());
  nlohmann::json& protectors = (*volume)["protectors"];
  for (size_t i = 0; i < protectors.size(); ++i) {
    if (Field(protectors[i], "id") != protector_id.ToString()) continue;
    crypto::WipeStrings(protectors[i]);
    protectors.erase(i);
    LOCKBOX_RETURN_IF_ERROR(Save());
    CrashIfAsked("delete_protector");
    return Status::Ok();
  }
  return Status::NotFound("volume " + volume_id.ToString() + " has no protector " +
                          protector_id.ToString());
}

Result<TpmInfo> SimulatedProvider::Tpm() {
  const std::lock_guard<std::mutex> lock(mu_);
  return Guarded(path_, [&]() -> Result<TpmInfo> {
    const nlohmann::json& t = machine_["tpm"];
    TpmInfo info{.present = t.value("present", false),
                 .owned = t.value("owned", false),
                 .locked_out = t.value("locked_out", false),
                 .owner_auth = std::nullopt,
                 .owner_auth_changed_at = Field(t, "changed_at")};
    if (t.contains("owner_auth")) {
      LOCKBOX_ASSIGN_OR_RETURN(
          info.owner_auth,
          crypto::Base64Decode(t["owner_auth"].get_ref<const std::string&>(), 1024));
    }
    return info;
  });
}

Status SimulatedProvider::ResetTpmLockout(const crypto::SecretBytes& owner_auth) {
  const std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json& t = machine_["tpm"];
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes expected,
                           crypto::Base64Decode(Field(t, "owner_auth"), 1024));
  if (!crypto::ConstantTimeEqual(expected.span(), owner_auth.span())) {
    return Status::WrongKey("the owner authorisation is not this TPM's");
  }
  t["locked_out"] = false;
  return Save();
}

}  // namespace lockbox::agent
