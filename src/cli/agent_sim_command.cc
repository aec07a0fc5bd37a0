// `lockbox agent-sim`: a fleet of simulated machines (agent_providers/simulated_provider.h),
// each running the real agent core against a server: enrolling, escrowing, reporting and
// rotating when told, at a configured rate. Prints check-ins per second and the p50/p99 time
// of one machine's check-in.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "agent_providers/simulated_provider.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace lockbox::cli {
namespace {

struct AgentSimOptions {
  std::string server;
  std::string ca_file;
  std::string enrollment_token_file;
  std::string dir = "agent-sim";
  int machines = 10;
  double rate = 10;  // cycles per second, all machines together
  int cycles = 1;    // per machine
  int threads = 4;
};

struct Counters {
  std::atomic<uint64_t> reports{0};
  std::atomic<uint64_t> cycles{0};
  std::atomic<uint64_t> failures{0};
};

std::string MachineFile(const AgentSimOptions& o, int i) {
  return o.dir + "/machine-" + std::to_string(i) + ".json";
}

// Thread `t` runs machines t, t + threads, ...: each machine's cycle at its turn, paced so
// that all threads together keep `rate`. Appends each cycle's seconds to `seconds`.
void RunThread(const AgentSimOptions& o, int t, Counters& counters, std::mutex& log_mu,
               std::vector<double>& seconds) {
  auto client = http_client::HttpsClient::Create(o.server, {.ca_file = o.ca_file});
  if (!client.ok()) {
    const uint64_t lost = static_cast<uint64_t>((o.machines - t + o.threads - 1) / o.threads) *
                          static_cast<uint64_t>(o.cycles);
    counters.failures += lost;
    counters.cycles += lost;
    const std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << "lockbox agent-sim: " << client.status().message() << "\n";
    return;
  }
  agent::ServerApi server(std::move(client).value());
  const auto interval = std::chrono::duration<double>(o.threads / o.rate);
  auto next = std::chrono::steady_clock::now();
  for (int cycle = 0; cycle < o.cycles; ++cycle) {
    for (int i = t; i < o.machines; i += o.threads) {
      std::this_thread::sleep_until(next);
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
      const auto started = std::chrono::steady_clock::now();
      auto provider = agent::SimulatedProvider::Open(MachineFile(o, i));
      Result<agent::CycleResult> result = provider.status();
      if (provider.ok()) {
        agent::Agent machine(**provider, server,
                             {.state_dir = o.dir + "/state-" + std::to_string(i),
                              .enrollment_token_file = o.enrollment_token_file,
                              .computer_name = std::nullopt,
                              .domain = std::nullopt,
                              .default_report_seconds = 5400},
                             [](const std::string&) {});
        result = machine.RunOnce();
      }
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      ++counters.cycles;
      if (result.ok()) {
        counters.reports += static_cast<uint64_t>(result->reports);
      } else {
        ++counters.failures;
        const std::lock_guard<std::mutex> lock(log_mu);
        std::cerr << "lockbox agent-sim: machine " << i << ": " << result.status().message()
                  << "\n";
      }
    }
  }
}

Status RunAgentSim(AgentSimOptions o) {
  o.threads = std::min(o.threads, o.machines);
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) return Status::IoError("cannot create " + o.dir + ": " + ec.message());
  for (int i = 0; i < o.machines; ++i) {
    const Status created = agent::SimulatedProvider::CreateMachine(
        MachineFile(o, i), "SIM-" + std::to_string(i), i % 2);
    if (!created.ok() && created.code() != ErrorCode::kAlreadyExists) return created;
  }
  Counters counters;
  std::mutex log_mu;
  std::vector<std::thread> threads;
  std::vector<std::vector<double>> cycle_seconds(static_cast<size_t>(o.threads));
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back(
        [&, t] { RunThread(o, t, counters, log_mu, cycle_seconds[static_cast<size_t>(t)]); });
  }
  const uint64_t total = static_cast<uint64_t>(o.machines) * static_cast<uint64_t>(o.cycles);
  // Progress once a second; the end is noticed within 50 ms, so the rate is measured well.
  uint64_t last = 0;
  for (int tick = 1; counters.cycles < total; ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (tick % 20 != 0) continue;
    const uint64_t now = counters.cycles;
    const std::lock_guard<std::mutex> lock(log_mu);
    std::cout << now << "/" << total << " check-ins, " << (now - last) << "/s, "
              << counters.failures << " failed" << std::endl;
    last = now;
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const std::vector<double>& some : cycle_seconds)
    all.insert(all.end(), some.begin(), some.end());
  std::sort(all.begin(), all.end());
  // The nearest-rank percentile, in milliseconds (a thread that could not connect adds none).
  const auto percentile_ms = [&all](double p) {
    if (all.empty()) return 0.0;
    const auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(all.size())));
    return all[std::max<size_t>(rank, 1) - 1] * 1000;
  };
  std::cout << "done: " << counters.cycles << " check-ins (" << counters.reports << " reports, "
            << counters.failures << " failed) in " << seconds
            << " s: " << static_cast<double>(counters.cycles) / seconds << " check-ins/s, "
            << std::fixed << std::setprecision(2) << "p50 " << percentile_ms(50) << " ms, p99 "
            << percentile_ms(99) << " ms per check-in" << std::endl;
  if (counters.failures > 0) {
    return Status::IoError(std::to_string(counters.failures.load()) + " check-ins failed");
  }
  return Status::Ok();
}

}  // namespace

void AddAgentSimCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<AgentSimOptions>();
  CLI::App* sim = app.add_subcommand(
      "agent-sim", "Simulate a fleet of agents against a server (enroll, report, rotate)");
  sim->add_option("--server", options->server, "The server's URL, https://HOST:PORT")->required();
  sim->add_option("--ca", options->ca_file,
                  "PEM file of the CA that signed the server's certificate")
      ->required();
  sim->add_option("--enrollment-token-file", options->enrollment_token_file,
                  "A file holding an enrollment token with enough uses for the machines")
      ->required();
  sim->add_option("--machines", options->machines, "How many machines")
      ->check(CLI::Range(1, 1000000));
  sim->add_option("--rate", options->rate, "Check-ins per second, all machines together")
      ->check(CLI::Range(0.01, 100000.0));
  sim->add_option("--cycles", options->cycles, "Check-ins per machine (default 1)")
      ->check(CLI::Range(1, 1000000));
  sim->add_option("--threads", options->threads, "Client threads (default 4)")
      ->check(CLI::Range(1, 256));
  sim->add_option("--dir", options->dir,
                  "Where the machines and their agents' state live (default ./agent-sim); a "
                  "second run continues the same fleet");
  sim->callback([options, exit_code] {
    const Status status = RunAgentSim(*options);
    if (!status.ok()) std::cerr << "lockbox agent-sim: " << status.message() << "\n";
    *exit_code = ExitCodeFor(status);
  });
}

}  // namespace lockbox::cli
