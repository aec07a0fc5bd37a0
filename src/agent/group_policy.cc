#include "agent/group_policy.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <vector>

#include "http_client/https_url.h"

namespace lockbox::agent {
namespace {

constexpr uint32_t kMinutesPerDay = 24 * 60;
constexpr size_t kMaxNameBytes = 256;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Status Bad(const std::string& name, const std::string& what) {
  return Status::InvalidArgument("Group Policy value HKLM\\" + std::string(kGroupPolicyKey) + "\\" +
                                 name + ": " + what +
                                 "; correct the GPO (docs/agent.md lists the values)");
}

std::string TypeOf(const RegistryValue& v) {
  if (std::holds_alternative<std::string>(v.value)) return "REG_SZ";
  if (std::holds_alternative<uint32_t>(v.value)) return "REG_DWORD";
  return std::get<RegistryValue::OtherType>(v.value).name;
}

Status Text(const std::string& name, const RegistryValue& v, size_t max_bytes, std::string* out) {
  const auto* text = std::get_if<std::string>(&v.value);
  if (text == nullptr) return Bad(name, "must be a REG_SZ, not a " + TypeOf(v));
  if (text->empty()) return Bad(name, "is empty");
  if (text->size() > max_bytes) {
    return Bad(name, "is longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (text->find('\0') != std::string::npos) return Bad(name, "holds a NUL character");
  *out = *text;
  return Status::Ok();
}

Status AbsolutePath(const std::string& name, const RegistryValue& v, std::string* out) {
  std::string path;
  LOCKBOX_RETURN_IF_ERROR(Text(name, v, 32767, &path));
  // Windows' absolute paths (C:\..., \\server\share\...) are not absolute to a POSIX
  // std::filesystem, so the test is written out.
  const bool drive = path.size() >= 3 && std::isalpha(static_cast<unsigned char>(path[0])) &&
                     path[1] == ':' && (path[2] == '\\' || path[2] == '/');
  const bool unc = path.rfind("\\\\", 0) == 0;
  if (!drive && !unc && !std::filesystem::path(path).is_absolute()) {
    return Bad(name,
               "must be an absolute path (C:\\... or \\\\server\\share\\...), not '" + path + "'");
  }
  *out = path;
  return Status::Ok();
}

Status Number(const std::string& name, const RegistryValue& v, uint32_t min, uint32_t max,
              uint32_t* out) {
  const std::string range =
      "a REG_DWORD from " + std::to_string(min) + " to " + std::to_string(max);
  const auto* n = std::get_if<uint32_t>(&v.value);
  if (n == nullptr) return Bad(name, "must be " + range + ", not a " + TypeOf(v));
  if (*n < min || *n > max) return Bad(name, "must be " + range + ", not " + std::to_string(*n));
  *out = *n;
  return Status::Ok();
}

Status Name(const std::string& name, const RegistryValue& v, std::optional<std::string>* out) {
  std::string text;
  LOCKBOX_RETURN_IF_ERROR(Text(name, v, kMaxNameBytes, &text));
  *out = text;
  return Status::Ok();
}

struct Mapping {
  const char* name;
  std::function<Status(const std::string&, const RegistryValue&, AgentConfig&)> apply;
};

const std::vector<Mapping>& Mappings() {
  static const std::vector<Mapping> mappings = {
      {"ServerUrl",
       [](const std::string& n, const RegistryValue& v, AgentConfig& c) {
         std::string url;
         LOCKBOX_RETURN_IF_ERROR(Text(n, v, 2048, &url));
         if (auto parsed = http_client::HttpsUrl::Parse(url); !parsed.ok()) {
           return Bad(n, parsed.status().message());
         }
         c.server_url = url;
         return Status::Ok();
       }},
      {"CaFile", [](const std::string& n, const RegistryValue& v,
                    AgentConfig& c) { return AbsolutePath(n, v, &c.ca_file); }},
      {"EnrollmentTokenFile",
       [](const std::string& n, const RegistryValue& v, AgentConfig& c) {
         return AbsolutePath(n, v, &c.enrollment_token_file);
       }},
      {"StateDir", [](const std::string& n, const RegistryValue& v,
                      AgentConfig& c) { return AbsolutePath(n, v, &c.state_dir); }},
      {"ReportIntervalMinutes",
       [](const std::string& n, const RegistryValue& v, AgentConfig& c) {
         return Number(n, v, 1, kMinutesPerDay, &c.report_interval_minutes);
       }},
      {"StartupDelay",
       [](const std::string& n, const RegistryValue& v, AgentConfig& c) {
         uint32_t on = 0;
         LOCKBOX_RETURN_IF_ERROR(Number(n, v, 0, 1, &on));
         c.startup_delay = on == 1;
         return Status::Ok();
       }},
      {"StartupDelayMinMinutes",
       [](const std::string& n, const RegistryValue& v, AgentConfig& c) {
         return Number(n, v, 0, kMinutesPerDay, &c.startup_delay_min_minutes);
       }},
      {"StartupDelayMaxMinutes",
       [](const std::string& n, const RegistryValue& v, AgentConfig& c) {
         return Number(n, v, 0, kMinutesPerDay, &c.startup_delay_max_minutes);
       }},
      {"ComputerName", [](const std::string& n, const RegistryValue& v,
                          AgentConfig& c) { return Name(n, v, &c.computer_name); }},
      {"Domain", [](const std::string& n, const RegistryValue& v,
                    AgentConfig& c) { return Name(n, v, &c.domain); }},
  };
  return mappings;
}

}  // namespace

Status ApplyGroupPolicy(const PolicyValues& values, AgentConfig& config) {
  AgentConfig changed = config;
  for (const auto& [name, value] : values) {
    // Registry value names are case-insensitive.
    const std::string wanted = Lower(name);
    const auto mapping = std::find_if(Mappings().begin(), Mappings().end(),
                                      [&wanted](const Mapping& m) { return Lower(m.name) == wanted; });
    if (mapping == Mappings().end()) {
      return Bad(name, "is not a Lockbox agent policy value; check its spelling");
    }
    LOCKBOX_RETURN_IF_ERROR(mapping->apply(mapping->name, value, changed));
  }
  if (changed.startup_delay_min_minutes > changed.startup_delay_max_minutes) {
    return Bad("StartupDelayMinMinutes", "the startup delay's minimum (" +
                                             std::to_string(changed.startup_delay_min_minutes) +
                                             " minutes) exceeds its maximum (" +
                                             std::to_string(changed.startup_delay_max_minutes) +
                                             ", from the policy or the config file)");
  }
  config = std::move(changed);
  return Status::Ok();
}

}  // namespace lockbox::agent
