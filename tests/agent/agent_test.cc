// lockbox-agent end to end: `lockbox init` and `lockbox serve` as built, the agent as built,
// a helpdesk disclosing keys over the API, and what the machine and the server hold checked
// after each step.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "https_client.h"
#include "lockbox_process.h"
#include "test_dir.h"
#include "test_images.h"

namespace lockbox {
namespace {

using testing::CommandResult;
using testing::Lockbox;
using testing::ReadFile;
using testing::TestDir;

nlohmann::json JsonOut(const CommandResult& run) {
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return nlohmann::json::parse(run.out, nullptr, false);
}

// A server made by `lockbox init`, an advanced-helpdesk API token, an enrollment token, and a
// config for agents; the server can be stopped and started again on a new port.
class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Lockbox(tmp_, {"init", "--data-dir", data_}).exit_code, 0);
    ASSERT_EQ(Lockbox(tmp_, {"user", "create", "--data-dir", data_, "--name", "helpdesk1", "--role",
                             "advanced-helpdesk", "--service-account"})
                  .exit_code,
              0);
    helpdesk_ = JsonOut(Lockbox(
        tmp_, {"api-token", "create", "--data-dir", data_, "--user", "helpdesk1", "--role",
               "advanced-helpdesk", "--days", "1", "--description", "e2e", "--json"}))["token"];
    const std::string token =
        JsonOut(Lockbox(tmp_, {"enrollment-token", "create", "--data-dir", data_, "--description",
                               "e2e", "--uses", "10", "--days", "1", "--json"}))["token"];
    std::ofstream(tmp_ / "enrollment-token") << token << "\n";
    StartServer();
  }
  void TearDown() override { StopServer(); }

  void StartServer() {
    // A log of its own for each start: the last one's "listening" line names another port.
    const std::string log = tmp_ / ("serve-" + std::to_string(++starts_));
    server_ = testing::Spawn({"serve", "--data-dir", data_, "--listen", "127.0.0.1:0"},
                             log + ".out", log + ".err");
    port_ = testing::ListeningPort(log + ".out");
    ASSERT_NE(port_, 0) << ReadFile(log + ".err");
    std::ofstream(config_) << "server_url = \"https://127.0.0.1:" << port_ << "\"\n"
                           << "ca_file = \"" << data_ << "/tls/cert.pem\"\n"
                           << "enrollment_token_file = \"enrollment-token\"\n"
                           << "state_dir = \"agent-state\"\n"
                           << "startup_delay = false\n";
  }
  void StopServer() {
    if (server_ <= 0) return;
    kill(server_, SIGTERM);
    EXPECT_EQ(testing::Wait(server_), 0);
    server_ = 0;
  }

  // Runs lockbox-agent with `args` after --config; its exit code, stdout and stderr.
  CommandResult Agent(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config_});
    const int code = testing::Wait(
        testing::SpawnProgram(LOCKBOX_AGENT_BINARY, args, tmp_ / "agent.out", tmp_ / "agent.err"));
    const std::string err = ReadFile(tmp_ / "agent.err");
    agent_log_ += err;
    return {code, ReadFile(tmp_ / "agent.out"), err};
  }
  CommandResult Simulated(std::vector<std::string> args = {"--once"}) {
    args.insert(args.end(), {"--provider", "simulated", "--machine", machine_});
    return Agent(args);
  }

  nlohmann::json Call(const std::string& method, const std::string& target,
                      const nlohmann::json& body = nullptr, int expected_status = 200) {
    auto client =
        testing::HttpsClient::Connect(static_cast<uint16_t>(port_), data_ + "/tls/cert.pem");
    EXPECT_TRUE(client.ok()) << client.status().message();
    if (!client.ok()) return nullptr;
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + helpdesk_}};
    if (!body.is_null()) headers["Content-Type"] = "application/json";
    auto reply = (*client)->Request(method, target, body.is_null() ? "" : body.dump(), headers);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    if (!reply.ok()) return nullptr;
    EXPECT_EQ(reply->status, expected_status) << reply->body;
    return nlohmann::json::parse(reply->body, nullptr, false);
  }
  std::string Disclose(const std::string& key_id) {
    const nlohmann::json answer =
        Call("POST", "/api/v1/recovery/password",
             {{"key_id", key_id}, {"reason", "Other"}, {"reason_text", "agent end-to-end test"}});
    EXPECT_EQ(answer.value("result", ""), "disclosed") << answer.dump();
    return answer.value("recovery_password", "");
  }
  std::string ComputerId() {
    const nlohmann::json status = nlohmann::json::parse(
        Agent({"--status", "--provider", "simulated", "--machine", machine_}).out);
    return status.value("computer_id", "");
  }
  // key_id -> state ("active", "disclosed", "retired") of every key the server holds.
  std::map<std::string, std::string> ServerKeys(const std::string& computer_id) {
    std::map<std::string, std::string> keys;
    const nlohmann::json details = Call("GET", "/api/v1/computers/" + computer_id);
    for (const auto& volume : details["volumes"]) {
      for (const auto& key : volume["keys"]) keys[key["key_id"]] = key["state"];
    }
    return keys;
  }

  nlohmann::json Machine() { return nlohmann::json::parse(ReadFile(machine_)); }
  // The C: volume's recovery-password protectors: id -> password.
  std::map<std::string, std::string> OsRecoveryProtectors() {
    std::map<std::string, std::string> out;
    const nlohmann::json machine = Machine();
    for (const auto& p : machine["volumes"][0]["protectors"]) {
      if (p["type"] == "recovery_password") out[p["id"]] = p["password"];
    }
    return out;
  }
  void SetCrashAfter(const std::string& point) {
    nlohmann::json machine = Machine();
    machine["crash_after"] = point;
    std::ofstream(machine_) << machine.dump();
  }

  TestDir tmp_;
  const std::string data_ = tmp_ / "data";
  const std::string config_ = tmp_ / "agent.toml";
  const std::string machine_ = tmp_ / "machine.json";
  std::string helpdesk_;
  pid_t server_ = 0;
  int port_ = 0;
  int starts_ = 0;
  std::string agent_log_;
};

TEST_F(AgentTest, EnrollsEscrowsAndRotatesADisclosedKeyRemovingTheOldOneLast) {
  const CommandResult first = Simulated();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("enrolled "), std::string::npos) << first.err;
  EXPECT_EQ(testing::ModeOf(tmp_ / "agent-state/credential"), 0600u);
  EXPECT_EQ(testing::ModeOf(tmp_ / "agent-state/state.key"), 0600u);
  const std::string computer_id = ComputerId();
  ASSERT_FALSE(computer_id.empty());

  // Both volumes' recovery passwords are on the server.
  const auto before = OsRecoveryProtectors();
  ASSERT_EQ(before.size(), 1u);
  const auto [old_id, old_password] = *before.begin();
  auto keys = ServerKeys(computer_id);
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[old_id], "active");
  EXPECT_EQ(Disclose(old_id), old_password);

  const CommandResult rotation = Simulated();
  ASSERT_EQ(rotation.exit_code, 0) << rotation.err;
  const auto after = OsRecoveryProtectors();
  ASSERT_EQ(after.size(), 1u);
  const auto [new_id, new_password] = *after.begin();
  EXPECT_NE(new_id, old_id);
  EXPECT_NE(new_password, old_password);
  keys = ServerKeys(computer_id);
  EXPECT_EQ(keys[old_id], "retired");
  EXPECT_EQ(keys[new_id], "active");
  // Added, escrowed, then deleted: in that order.
  const size_t added = rotation.err.find("added recovery-password protector");
  const size_t escrowed = rotation.err.find("escrowed recovery password");
  const size_t deleted = rotation.err.find("deleted the disclosed protector");
  ASSERT_NE(deleted, std::string::npos) << rotation.err;
  EXPECT_LT(added, escrowed);
  EXPECT_LT(escrowed, deleted);
  // The other protectors (TPM, the data volume's) are untouched.
  EXPECT_EQ(Machine()["volumes"][0]["protectors"][0]["type"], "tpm");
  EXPECT_EQ(Machine()["volumes"][1]["protectors"].size(), 2u);
  EXPECT_EQ(Disclose(new_id), new_password);

  // Nothing secret in the logs or the status, nor in the state file.
  const CommandResult status = Simulated({"--status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  for (const std::string& secret : {old_password, new_password}) {
    EXPECT_EQ(agent_log_.find(secret), std::string::npos);
    EXPECT_EQ(status.out.find(secret), std::string::npos);
    EXPECT_EQ(ReadFile(tmp_ / "agent-state/state.sealed").find(secret), std::string::npos);
  }
  EXPECT_EQ(nlohmann::json::parse(status.out)["queued"].size(), 0u);
}

TEST_F(AgentTest, AKillMidRotationAndALostServerLoseNothingAndKeepTheOldProtector) {
  ASSERT_EQ(Simulated().exit_code, 0);
  const std::string computer_id = ComputerId();
  const auto [old_id, old_password] = *OsRecoveryProtectors().begin();
  Disclose(old_id);

  // Killed right after the new protector was added, before the agent wrote that down.
  SetCrashAfter("add_protector");
  EXPECT_EQ(Simulated().exit_code, 128 + SIGKILL);
  SetCrashAfter("");
  EXPECT_EQ(OsRecoveryProtectors().size(), 2u);

  // The server is gone when the agent comes back: the new key stays queued, the old
  // protector stays.
  StopServer();
  const CommandResult offline = Simulated();
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_NE(offline.err.find("connecting to"), std::string::npos) << offline.err;
  EXPECT_NE(offline.err.find("was added before a restart"), std::string::npos) << offline.err;
  auto protectors = OsRecoveryProtectors();
  ASSERT_EQ(protectors.size(), 2u);
  ASSERT_TRUE(protectors.count(old_id));
  const nlohmann::json status = nlohmann::json::parse(Simulated({"--status"}).out);
  ASSERT_EQ(status["rotations"].size(), 1u);
  EXPECT_EQ(status["rotations"][0]["step"], "added");
  ASSERT_EQ(status["queued"].size(), 1u);
  const std::string new_id = status["queued"][0]["key_id"];
  EXPECT_NE(new_id, old_id);

  // Back online: escrowed, then the old one goes. One protector was added, not two.
  StartServer();
  const CommandResult online = Simulated();
  ASSERT_EQ(online.exit_code, 0) << online.err;
  protectors = OsRecoveryProtectors();
  ASSERT_EQ(protectors.size(), 1u);
  EXPECT_EQ(protectors.begin()->first, new_id);
  auto keys = ServerKeys(computer_id);
  EXPECT_EQ(keys[old_id], "retired");
  EXPECT_EQ(keys[new_id], "active");
  EXPECT_EQ(Disclose(new_id), protectors.begin()->second);
}

TEST_F(AgentTest, AKillAfterDeletingTheOldProtectorFinishesOnRestart) {
  ASSERT_EQ(Simulated().exit_code, 0);
  const std::string computer_id = ComputerId();
  const auto [old_id, old_password] = *OsRecoveryProtectors().begin();
  Disclose(old_id);
  SetCrashAfter("delete_protector");
  EXPECT_EQ(Simulated().exit_code, 128 + SIGKILL);
  SetCrashAfter("");
  const auto protectors = OsRecoveryProtectors();
  ASSERT_EQ(protectors.size(), 1u);
  EXPECT_FALSE(protectors.count(old_id));
  const CommandResult again = Simulated();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(OsRecoveryProtectors(), protectors);
  const nlohmann::json status = nlohmann::json::parse(Simulated({"--status"}).out);
  EXPECT_EQ(status["rotations"].size(), 0u);
  EXPECT_EQ(ServerKeys(computer_id)[old_id], "retired");
}

TEST_F(AgentTest, ImageProviderEscrowsRealVolumesWhoseKeysVerifyAndCannotRotate) {
  const testing::TestImageSet* images = testing::TestImages();
  if (images == nullptr) GTEST_SKIP() << testing::TestImagesSkipReason();
  std::vector<std::string> args = {"--once", "--provider", "image"};
  std::map<std::string, std::string> expected;  // key ID -> password
  for (const char* name : {"bitlk-aes-xts-128", "bitlk-aes-cbc-128"}) {
    const testing::TestImage* image = images->Find(name);
    ASSERT_NE(image, nullptr);
    const std::string file = tmp_ / (std::string(name) + ".txt");
    std::ofstream(file) << image->Get("RP") << "\n";
    args.insert(args.end(), {"--volume", image->path, "--recovery-password-file", file});
    expected[image->Get("RP_VMK_GUID")] = image->Get("RP");
  }
  const CommandResult run = Agent(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> status_args = args;
  status_args[0] = "--status";
  const std::string computer_id =
      nlohmann::json::parse(Agent(status_args).out).value("computer_id", "");

  // The server checks each escrowed password against the metadata the agent sent.
  std::map<std::string, std::string> verification;
  for (int i = 0; i < 100; ++i) {
    verification.clear();
    const nlohmann::json details = Call("GET", "/api/v1/computers/" + computer_id);
    for (const auto& volume : details["volumes"]) {
      for (const auto& key : volume["keys"]) verification[key["key_id"]] = key["verification"];
    }
    if (verification.size() == 2 && verification.begin()->second != "unknown" &&
        verification.rbegin()->second != "unknown") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const auto& [key_id, password] : expected) {
    EXPECT_EQ(verification[key_id], "verified") << key_id;
  }

  // Disclosed: the agent says it cannot rotate, and keeps the volume as it is.
  Disclose(expected.begin()->first);
  const CommandResult after = Agent(args);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.err.find("the image provider cannot change protectors"), std::string::npos)
      << after.err;
}

TEST_F(AgentTest, ALockedOutTpmIsResetWithTheOwnerAuthTheServerAllowsAfterARecovery) {
  // The server allows it for an hour after a disclosure of an OS volume's key.
  StopServer();
  std::string config = ReadFile(data_ + "/lockbox.toml");
  const std::string off = "agent_tpm_unlock_window_minutes = 0";
  ASSERT_NE(config.find(off), std::string::npos) << config;
  config.replace(config.find(off), off.size(), "agent_tpm_unlock_window_minutes = 60");
  std::ofstream(data_ + "/lockbox.toml") << config;
  StartServer();

  ASSERT_EQ(Simulated().exit_code, 0);  // escrows the TPM owner authorisation too
  nlohmann::json machine = Machine();
  machine["tpm"]["locked_out"] = true;
  std::ofstream(machine_) << machine.dump();
  const CommandResult refused = Simulated();
  EXPECT_EQ(refused.exit_code, 0) << refused.err;
  EXPECT_NE(refused.err.find("the server gives no owner authorisation"), std::string::npos)
      << refused.err;
  EXPECT_TRUE(Machine()["tpm"]["locked_out"].get<bool>());

  Disclose(OsRecoveryProtectors().begin()->first);
  const CommandResult reset = Simulated();
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.err.find("reset the TPM's lockout"), std::string::npos) << reset.err;
  EXPECT_FALSE(Machine()["tpm"]["locked_out"].get<bool>());
}

TEST_F(AgentTest, TheFleetSimulatorEnrollsAndChecksInEveryMachine) {
  const CommandResult run =
      Lockbox(tmp_, {"agent-sim", "--server", "https://127.0.0.1:" + std::to_string(port_), "--ca",
                     data_ + "/tls/cert.pem", "--enrollment-token-file", tmp_ / "enrollment-token",
                     "--machines", "4", "--rate", "50", "--cycles", "2", "--threads", "2", "--dir",
                     tmp_ / "fleet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("done: 8 check-ins"), std::string::npos) << run.out;
  // "... check-ins/s, p50 1.23 ms, p99 4.56 ms per check-in" (no std::regex: GCC 12 warns
  // inside it under the sanitizers).
  const size_t p50 = run.out.find("check-ins/s, p50 ");
  const size_t p99 = run.out.find(" ms, p99 ", p50 == std::string::npos ? 0 : p50);
  EXPECT_TRUE(p50 != std::string::npos && p99 != std::string::npos &&
              run.out.find(" ms per check-in", p99) != std::string::npos)
      << run.out;
  const nlohmann::json found = Call("GET", "/api/v1/computers?search=SIM-");
  EXPECT_EQ(found.dump().find("SIM-3") != std::string::npos, true) << found.dump();
}

TEST_F(AgentTest, AsAServiceItReportsAtOnceWithoutTheStartUpDelayAndStopsOnSigterm) {
  // The config asks for the delay (1 to 18 minutes); --no-startup-delay skips it.
  std::string config = ReadFile(config_);
  config.replace(config.find("startup_delay = false"), 21, "startup_delay = true");
  std::ofstream(config_) << config;
  const pid_t agent = testing::SpawnProgram(
      LOCKBOX_AGENT_BINARY,
      {"--config", config_, "--no-startup-delay", "--provider", "simulated", "--machine", machine_},
      tmp_ / "service.out", tmp_ / "service.err");
  std::string log;
  for (int i = 0; i < 100 && log.find("next in 5400 s") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    log = ReadFile(tmp_ / "service.err");
  }
  EXPECT_NE(log.find("escrowed recovery password"), std::string::npos) << log;
  kill(agent, SIGTERM);
  EXPECT_EQ(testing::Wait(agent), 0);
  EXPECT_NE(ReadFile(tmp_ / "service.err").find("stopped"), std::string::npos);
}

TEST_F(AgentTest, VersionAndHelp) {
  const int code = testing::Wait(
      testing::SpawnProgram(LOCKBOX_AGENT_BINARY, {"--version"}, tmp_ / "v.out", tmp_ / "v.err"));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(ReadFile(tmp_ / "v.out"), "lockbox-agent 0.1.0\n");
}

TEST_F(AgentTest, ABadConfigIsAClearError) {
  std::ofstream(config_)
      << "server_url = \"http://127.0.0.1:1\"\nca_file = \"x\"\nstate_dir = \"s\"\n";
  const CommandResult run = Simulated();
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("agent.toml:1: key 'server_url': the server URL must start with https://"),
            std::string::npos)
      << run.err;
}

// The cross-built lockbox-agent.exe (scripts/build-windows-agent.sh) under wine: the same
// --once as above, with the simulated provider, against the same real server. Skipped when
// wine or the cross-build is missing, except under CI (CI=true), where that fails.
constexpr char kWine[] = "/usr/lib/wine/wine64";  // Debian's wine64 package

TEST_F(AgentTest, TheWindowsBuildRunsUnderWineAndEscrowsWithTheSimulatedProvider) {
  const bool ci = std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true";
  for (const std::string& needed : {std::string(kWine), std::string(LOCKBOX_WINDOWS_AGENT)}) {
    if (std::filesystem::exists(needed)) continue;
    const std::string why =
        needed + " is missing (" +
        (needed == kWine ? "apt-get install wine64" : "run scripts/build-windows-agent.sh") + ")";
    if (ci) FAIL() << why << ": CI must run the Windows agent under wine";
    GTEST_SKIP() << why;
  }
  // A prefix of its own: its first start (about 10 s) creates it.
  setenv("WINEPREFIX", (tmp_ / "wine").c_str(), 1);
  setenv("WINEDEBUG", "-all", 1);
  auto windows_agent = [&](std::vector<std::string> args) {
    args.insert(args.begin(), LOCKBOX_WINDOWS_AGENT);
    const int code = testing::Wait(
        testing::SpawnProgram(kWine, args, tmp_ / "windows.out", tmp_ / "windows.err"));
    return CommandResult{code, ReadFile(tmp_ / "windows.out"), ReadFile(tmp_ / "windows.err")};
  };
  const CommandResult version = windows_agent({"--version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out.rfind("lockbox-agent 0.1.0", 0), 0u) << version.out;  // \r\n on Windows

  // Unix paths work as they are: wine maps / to its drive Z:.
  const CommandResult once = windows_agent(
      {"--config", config_, "--provider", "simulated", "--machine", machine_, "--once"});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  EXPECT_NE(once.err.find("enrolled "), std::string::npos) << once.err;
  const CommandResult status = windows_agent(
      {"--config", config_, "--provider", "simulated", "--machine", machine_, "--status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json described = nlohmann::json::parse(status.out, nullptr, false);
  EXPECT_EQ(described["queued"].size(), 0u) << status.out;
  // Both volumes' recovery passwords reached the server.
  const auto keys = ServerKeys(described.value("computer_id", ""));
  EXPECT_EQ(keys.size(), 2u);
  for (const auto& [id, state] : keys) EXPECT_EQ(state, "active") << id;
  testing::Wait(testing::SpawnProgram("/usr/lib/wine/wineserver64", {"-k"}, tmp_ / "wineserver.out",
                                      tmp_ / "wineserver.err"));
}

}  // namespace
}  // namespace lockbox
