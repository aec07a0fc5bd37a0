#include "agent/agent_config.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/table_reader.h"
#include "http_client/https_url.h"

namespace lockbox::agent {
namespace {

constexpr uint32_t kMinutesPerDay = 24 * 60;

Status Required(const std::string& file, std::string_view key, const std::string& value) {
  if (!value.empty()) return Status::Ok();
  return Status::InvalidArgument(file + ": key '" + std::string(key) +
                                 "' is required (docs/agent.md shows an example)");
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view text, const std::string& file_name,
                                     const std::string& base_dir) {
  LOCKBOX_ASSIGN_OR_RETURN(const toml::table root, config::ParseToml(text, file_name));
  config::TableReader r(file_name, root, "");
  LOCKBOX_RETURN_IF_ERROR(
      r.RejectUnknownKeys({"server_url", "ca_file", "enrollment_token_file", "state_dir",
                           "report_interval_minutes", "startup_delay", "startup_delay_min_minutes",
                           "startup_delay_max_minutes", "computer_name", "domain"}));
  AgentConfig c;
  LOCKBOX_RETURN_IF_ERROR(r.String("server_url", &c.server_url));
  LOCKBOX_RETURN_IF_ERROR(r.String("ca_file", &c.ca_file));
  LOCKBOX_RETURN_IF_ERROR(r.String("enrollment_token_file", &c.enrollment_token_file));
  LOCKBOX_RETURN_IF_ERROR(r.String("state_dir", &c.state_dir));
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("report_interval_minutes", 1, kMinutesPerDay,
                                              &c.report_interval_minutes));
  LOCKBOX_RETURN_IF_ERROR(r.Bool("startup_delay", &c.startup_delay));
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("startup_delay_min_minutes", 0, kMinutesPerDay,
                                              &c.startup_delay_min_minutes));
  LOCKBOX_RETURN_IF_ERROR(r.Integer<uint32_t>("startup_delay_max_minutes", 0, kMinutesPerDay,
                                              &c.startup_delay_max_minutes));
  LOCKBOX_RETURN_IF_ERROR(r.Text("computer_name", 256, &c.computer_name));
  LOCKBOX_RETURN_IF_ERROR(r.Text("domain", 256, &c.domain));
  LOCKBOX_RETURN_IF_ERROR(Required(file_name, "server_url", c.server_url));
  LOCKBOX_RETURN_IF_ERROR(Required(file_name, "ca_file", c.ca_file));
  LOCKBOX_RETURN_IF_ERROR(Required(file_name, "state_dir", c.state_dir));
  if (auto url = http_client::HttpsUrl::Parse(c.server_url); !url.ok()) {
    return r.Error("server_url", url.status().message());
  }
  if (c.startup_delay_min_minutes > c.startup_delay_max_minutes) {
    return r.Error("startup_delay_min_minutes", "must not exceed startup_delay_max_minutes (" +
                                                    std::to_string(c.startup_delay_max_minutes) +
                                                    ")");
  }
  c.ca_file = Resolve(base_dir, c.ca_file);
  c.enrollment_token_file = Resolve(base_dir, c.enrollment_token_file);
  c.state_dir = Resolve(base_dir, c.state_dir);
  return c;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read the agent's config file " + path +
                            ": create it (docs/agent.md shows an example)");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("reading the agent's config file " + path + " failed");
  std::error_code ec;
  const std::filesystem::path folder = std::filesystem::absolute(path, ec).parent_path();
  return ParseAgentConfig(text, path, folder.string());
}

}  // namespace lockbox::agent
