#include "agent_cli/agent_command.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "agent_cli/platform.h"
#include "agent_providers/image_provider.h"
#include "agent_providers/simulated_provider.h"
#include "util/platform.h"
#include "util/utc_time.h"

namespace lockbox::agent {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitConfig = 3;
// How often the service looks for changed volumes and protectors between reports.
constexpr int kChangeCheckSeconds = 60;

std::atomic<bool> stopping{false};

void Log(const std::string& line) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::cerr << FormatUtc(now) << " lockbox-agent: " << line << std::endl;
}

Result<std::unique_ptr<Provider>> OpenProvider(const AgentCommand& command,
                                               const AgentConfig& config) {
  if (command.provider == "image") {
    if (command.volumes.empty()) {
      return Status::InvalidArgument("--provider image needs at least one --volume IMAGE");
    }
    LOCKBOX_ASSIGN_OR_RETURN(auto provider,
                             ImageProvider::Open(command.volumes, command.password_files));
    return std::unique_ptr<Provider>(std::move(provider));
  }
  if (command.provider == "simulated") {
    const std::string path = command.machine_file.empty()
                                 ? config.state_dir + "/simulated-machine.json"
                                 : command.machine_file;
    auto provider = SimulatedProvider::Open(path);
    if (!provider.ok() && provider.status().code() == ErrorCode::kNotFound) {
      LOCKBOX_RETURN_IF_ERROR(
          SimulatedProvider::CreateMachine(path, config.computer_name.value_or(HostName()), 1));
      Log("created the simulated machine " + path);
      provider = SimulatedProvider::Open(path);
    }
    if (!provider.ok()) return provider.status();
    return std::unique_ptr<Provider>(std::move(provider).value());
  }
  return OpenPlatformProvider(command);
}

// The volumes and protectors as a text, to notice a change between reports.
std::string Fingerprint(Provider& provider) {
  auto volumes = provider.Volumes();
  if (!volumes.ok()) return "";
  std::string out;
  for (const VolumeInfo& v : *volumes) {
    out += v.id.ToString() + v.protection + v.conversion;
    for (const ProtectorInfo& p : v.protectors) out += p.id.ToString();
  }
  return out;
}

// Sleeps up to `seconds`; returns early on SIGTERM, or when the volumes change.
void Wait(uint32_t seconds, Provider& provider) {
  const std::string before = Fingerprint(provider);
  for (uint32_t waited = 0; waited < seconds && !stopping; ++waited) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if ((waited + 1) % kChangeCheckSeconds == 0 && Fingerprint(provider) != before) {
      Log("the volumes changed: reporting now");
      return;
    }
  }
}

void Serve(Agent& agent, Provider& provider, const AgentConfig& config, bool startup_delay) {
  signal(SIGTERM, [](int) { RequestAgentStop(); });
  signal(SIGINT, [](int) { RequestAgentStop(); });
  if (startup_delay) {
    std::random_device random;
    const uint32_t span = config.startup_delay_max_minutes - config.startup_delay_min_minutes;
    const uint32_t delay = config.startup_delay_min_minutes * 60 + random() % (span * 60 + 1);
    Log("waiting " + std::to_string(delay) + " s before the first report (start-up delay)");
    Wait(delay, provider);
  }
  uint32_t failures = 0;
  while (!stopping) {
    auto result = agent.RunOnce();
    uint32_t wait = config.report_interval_minutes * 60;
    if (result.ok()) {
      failures = 0;
      wait = result->next_report_seconds;
      Log("reported (" + std::to_string(result->reports) + " report(s)); next in " +
          std::to_string(wait) + " s");
    } else {
      wait = RetryDelaySeconds(++failures, config.report_interval_minutes * 60);
      Log("the cycle failed: " + result.status().message() + "; retrying in " +
          std::to_string(wait) + " s");
    }
    Wait(wait, provider);
  }
  Log("stopped");
}

}  // namespace

void RequestAgentStop() { stopping = true; }

int RunAgentCommand(const AgentCommand& command) {
  auto config = LoadAgentConfig(command.config_file);
  if (config.ok()) {
    if (Status policy = ApplyPlatformPolicy(*config); !policy.ok()) config = policy;
  }
  if (!config.ok()) {
    std::cerr << "lockbox-agent: " << config.status().message() << "\n";
    return kExitConfig;
  }
  auto provider = OpenProvider(command, *config);
  if (!provider.ok()) {
    std::cerr << "lockbox-agent: " << provider.status().message() << "\n";
    return kExitConfig;
  }
  auto client = http_client::HttpsClient::Create(config->server_url, {.ca_file = config->ca_file});
  if (!client.ok()) {
    std::cerr << "lockbox-agent: " << client.status().message() << "\n";
    return kExitConfig;
  }
  ServerApi server(std::move(client).value());
  Agent agent(**provider, server,
              {.state_dir = config->state_dir,
               .enrollment_token_file = config->enrollment_token_file,
               .computer_name = config->computer_name,
               .domain = config->domain,
               .default_report_seconds = config->report_interval_minutes * 60},
              Log);
  if (command.status) {
    auto status = agent.Describe();
    if (!status.ok()) {
      std::cerr << "lockbox-agent: " << status.status().message() << "\n";
      return kExitFailed;
    }
    std::cout << status->dump(2) << "\n";
    return 0;
  }
  if (command.once) {
    auto result = agent.RunOnce();
    if (!result.ok()) {
      std::cerr << "lockbox-agent: " << result.status().message() << "\n";
      return kExitFailed;
    }
    Log("reported (" + std::to_string(result->reports) +
        " report(s)); the server asks for the next in " +
        std::to_string(result->next_report_seconds) + " s");
    return 0;
  }
  Serve(agent, **provider, *config, config->startup_delay && !command.no_startup_delay);
  return 0;
}

}  // namespace lockbox::agent
