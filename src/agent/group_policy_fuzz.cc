// Feeds registry values, as a GPO may have written them, to ApplyGroupPolicy. The input is
// lines "NAME<tab>TYPE<tab>VALUE" (TYPE: sz, dword, or any other registry type name): the
// policy comes from outside the agent, so applying it either succeeds or fails with a
// message and leaves the config as it was; it must never crash or throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/group_policy.h"

namespace {

lockbox::agent::PolicyValues Decode(std::string_view input) {
  lockbox::agent::PolicyValues values;
  while (!input.empty()) {
    const size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    const size_t tab1 = line.find('\t');
    const size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos) continue;
    const std::string name(line.substr(0, tab1));
    const std::string_view type = line.substr(tab1 + 1, tab2 - tab1 - 1);
    const std::string text(line.substr(tab2 + 1));
    lockbox::agent::RegistryValue value;
    if (type == "sz") {
      value.value = text;
    } else if (type == "dword") {
      value.value = static_cast<uint32_t>(std::strtoul(text.c_str(), nullptr, 0));
    } else {
      value.value = lockbox::agent::RegistryValue::OtherType{std::string(type)};
    }
    values[name] = std::move(value);
  }
  return values;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lockbox::agent::PolicyValues values =
      Decode(std::string_view(reinterpret_cast<const char*>(data), size));
  lockbox::agent::AgentConfig config;
  config.server_url = "https://lockbox.example:8443";
  config.ca_file = "/etc/lockbox-agent/ca.pem";
  config.enrollment_token_file = "/etc/lockbox-agent/token";
  config.state_dir = "/var/lib/lockbox-agent";
  const lockbox::agent::AgentConfig before = config;
  const lockbox::Status status = lockbox::agent::ApplyGroupPolicy(values, config);
  if (!status.ok() && (status.message().empty() || !(config == before))) std::abort();
  return 0;
}
