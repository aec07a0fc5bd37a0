// The agent's cycle against the real API (src/api on a real store) on an in-process HTTPS
// server, with a simulated machine. A front router can fail any one call: refused before the
// server processed it, or processed with the answer lost. Rotation is run with a failure at
// every call in turn; after each failure, and at the end, the invariants must hold: the volume
// keeps an escrowed recovery password, the old protector goes only after the new key is on
// the server, no other protector is touched, nothing is added twice.
#include "agent/agent.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent_providers/simulated_provider.h"
#include "api/routes.h"
#include "api/services.h"
#include "auth/token.h"
#include "http/json_io.h"
#include "http/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls_certificate.h"
#include "recovery/recovery_password.h"
#include "store/store.h"

namespace lockbox::agent {
namespace {

enum class Fault { kNone, kRefuse, kLoseAnswer };

service::Actor Admin() {
  return {.name = "root",
          .role = service::Role::kAdmin,
          .source = service::Source::kApi,
          .address = "127.0.0.1",
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "lockbox-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    auto store =
        store::OpenStore(dir_ + "/lockbox.db", crypto::SecretBytes(std::vector<uint8_t>(32, 7)));
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    api::ApiOptions options;
    options.auth.password_hash = {.time_cost = 1, .memory_kib = 8, .parallelism = 1};
    auto services = api::Services::Create(*store_, std::move(options));
    ASSERT_TRUE(services.ok()) << services.status().message();
    services_ = std::move(services).value();
    ASSERT_TRUE(api::AddRoutes(api_router_, *services_).ok());
    // The front router: every API route, through the fault switch.
    for (const http::Route& route : api_router_.routes()) {
      http::Route front = route;
      front.quick = nullptr;  // every call goes through the switch, on the handler pool
      front.handler = [this](http::Request& request) {
        const Fault fault = ++calls_ == fail_call_ ? fail_how_.load() : Fault::kNone;
        if (fault == Fault::kRefuse) return http::ErrorResponse(503, "unavailable", "test fault");
        http::Response response = api_router_.Dispatch(request);
        return fault == Fault::kLoseAnswer ? http::ErrorResponse(503, "unavailable", "test fault")
                                           : response;
      };
      ASSERT_TRUE(front_router_.Add(std::move(front)).ok());
    }
    cert_ = dir_ + "/cert.pem";
    ASSERT_TRUE(http::CreateSelfSignedCertificate(
                    {.common_name = "localhost", .dns_names = {}, .ip_addresses = {"127.0.0.1"}},
                    cert_, dir_ + "/key.pem")
                    .ok());
    StartServer(0);
    auto token = services_->auth().machines().IssueEnrollmentToken(Admin(), "test", 5,
                                                                   std::chrono::hours(1));
    ASSERT_TRUE(token.ok());
    std::ofstream(dir_ + "/token") << auth::TextOf(token->token);
    ASSERT_TRUE(SimulatedProvider::CreateMachine(dir_ + "/machine.json", "PC-07", 1).ok());
    auto client = http_client::HttpsClient::Create(
        "https://127.0.0.1:" + std::to_string(server_->port()), {.ca_file = cert_});
    ASSERT_TRUE(client.ok());
    api_ = std::make_unique<ServerApi>(std::move(client).value());
  }

  void StartServer(uint16_t port) {
    auto server =
        http::Server::Create({.listen = {"127.0.0.1", port},
                              .limits = config::Limits{},
                              .tls_cert_file = cert_,
                              .tls_key_file = dir_ + "/key.pem",
                              .threads = 1,
                              .handler_threads = 2},
                             front_router_, metrics_,
                             http::MakeJsonLogger(std::make_shared<spdlog::sinks::null_sink_mt>(),
                                                  config::LogLevel::kOff));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  void StopServer() {
    if (server_) server_->Shutdown();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  void TearDown() override {
    api_.reset();  // its kept-alive connection would hold up the server's shutdown
    StopServer();
    if (services_) services_->verifier().WaitIdle();
    services_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A new agent process, as after a restart: the provider and state are read afresh.
  Result<CycleResult> RunAgent() {
    auto provider = SimulatedProvider::Open(dir_ + "/machine.json");
    EXPECT_TRUE(provider.ok());
    Agent agent(**provider, *api_,
                {.state_dir = dir_ + "/state",
                 .enrollment_token_file = dir_ + "/token",
                 .computer_name = std::nullopt,
                 .domain = std::nullopt,
                 .default_report_seconds = 5400},
                [this](const std::string& line) { log_ += line + "\n"; });
    return agent.RunOnce();
  }

  std::vector<ProtectorInfo> OsProtectors() {
    auto provider = SimulatedProvider::Open(dir_ + "/machine.json");
    auto volumes = (*provider)->Volumes();
    return (*volumes)[0].protectors;
  }
  std::vector<Guid> OsRecoveryKeys() {
    std::vector<Guid> out;
    for (const ProtectorInfo& p : OsProtectors()) {
      if (p.type == "recovery_password") out.push_back(p.id);
    }
    return out;
  }
  std::optional<store::KeyState> ServerState(const Guid& key_id) {
    auto key = store_->GetRecoveryKey(key_id);
    if (!key.ok()) return std::nullopt;
    return key->state;
  }

  // What must hold whatever failed: the TPM protector is there, and the volume has a recovery
  // password the server holds (and the old one while its replacement is not escrowed).
  void CheckInvariants(const Guid& old_key) {
    const auto protectors = OsProtectors();
    EXPECT_EQ(protectors[0].type, "tpm");
    const auto keys = OsRecoveryKeys();
    ASSERT_GE(keys.size(), 1u);
    ASSERT_LE(keys.size(), 2u) << "a protector was added twice";
    bool escrowed = false;
    for (const Guid& k : keys) escrowed = escrowed || ServerState(k).has_value();
    EXPECT_TRUE(escrowed) << "no escrowed recovery password on the volume";
    if (std::find(keys.begin(), keys.end(), old_key) == keys.end()) {
      ASSERT_EQ(keys.size(), 1u);
      EXPECT_EQ(ServerState(keys[0]), store::KeyState::kActive)
          << "the old protector went before its replacement was escrowed";
    }
  }

  std::string dir_;
  std::string cert_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<api::Services> services_;
  http::Router api_router_;
  http::Router front_router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::unique_ptr<ServerApi> api_;
  std::atomic<int> calls_{0};
  std::atomic<int> fail_call_{0};
  std::atomic<Fault> fail_how_{Fault::kNone};
  std::string log_;
};

TEST_F(AgentTest, EscrowsEveryVolumeThenChecksIn) {
  auto first = RunAgent();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->next_report_seconds, 5400u);
  auto provider = SimulatedProvider::Open(dir_ + "/machine.json");
  auto passwords = (*provider)->RecoveryPasswords();
  ASSERT_EQ(passwords->size(), 2u);
  for (const RecoveryPasswordInfo& p : *passwords) {
    EXPECT_EQ(ServerState(p.key_id), store::KeyState::kActive);
  }
  calls_ = 0;
  auto again = RunAgent();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reports, 1);
  EXPECT_EQ(calls_, 1);
}

TEST_F(AgentTest, RotationSurvivesAFailureAtEveryCall) {
  ASSERT_TRUE(RunAgent().ok());
  // A clean rotation, to count its calls.
  Guid old_key = OsRecoveryKeys()[0];
  ASSERT_TRUE(services_->escrow().ForceRotation(Admin(), old_key).ok());
  calls_ = 0;
  ASSERT_TRUE(RunAgent().ok()) << log_;
  const int clean_calls = calls_;
  EXPECT_EQ(clean_calls, 3);  // told to rotate; the new key escrowed; the old protector gone
  EXPECT_EQ(ServerState(old_key), store::KeyState::kRetired);

  for (const Fault how : {Fault::kRefuse, Fault::kLoseAnswer}) {
    for (int k = 1; k <= clean_calls; ++k) {
      SCOPED_TRACE("failing call " + std::to_string(k) +
                   (how == Fault::kRefuse ? " (refused)" : " (answer lost)"));
      old_key = OsRecoveryKeys()[0];
      ASSERT_TRUE(services_->escrow().ForceRotation(Admin(), old_key).ok());
      calls_ = 0;
      fail_call_ = k;
      fail_how_ = how;
      auto failed = RunAgent();
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), ErrorCode::kIoError);
      fail_call_ = 0;
      CheckInvariants(old_key);
      // The next cycle finishes the rotation.
      auto done = RunAgent();
      ASSERT_TRUE(done.ok()) << done.status().message();
      CheckInvariants(old_key);
      const auto keys = OsRecoveryKeys();
      ASSERT_EQ(keys.size(), 1u);
      EXPECT_NE(keys[0], old_key);
      EXPECT_EQ(ServerState(keys[0]), store::KeyState::kActive);
      EXPECT_EQ(ServerState(old_key), store::KeyState::kRetired);
    }
  }
  // The data volume's protectors were never touched.
  auto provider = SimulatedProvider::Open(dir_ + "/machine.json");
  EXPECT_EQ((*(*provider)->Volumes())[1].protectors.size(), 2u);
}

TEST_F(AgentTest, AKeyAddedWhileTheServerIsUnreachableStaysQueuedUntilItIsBack) {
  ASSERT_TRUE(RunAgent().ok());
  const uint16_t port = server_->port();
  // Someone adds a recovery password (manage-bde -protectors -add -rp) while the server is down.
  auto provider = SimulatedProvider::Open(dir_ + "/machine.json");
  auto volumes = (*provider)->Volumes();
  auto added =
      (*provider)->AddRecoveryPassword((*volumes)[0].id, *recovery::RecoveryPassword::Generate());
  ASSERT_TRUE(added.ok());
  StopServer();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto failed = RunAgent();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), ErrorCode::kIoError);
    EXPECT_NE(failed.status().message().find("connecting to https://127.0.0.1"), std::string::npos)
        << failed.status().message();
  }
  auto state = StateFile::Open(dir_ + "/state")->Load();
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->queue.size(), 1u);
  EXPECT_EQ(state->queue[0].key_id, *added);
  EXPECT_EQ(state->queue[0].attempts, 2u);
  EXPECT_EQ(state->failed_reports, 2u);
  EXPECT_FALSE(ServerState(*added).has_value());

  StartServer(port);
  auto done = RunAgent();
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(ServerState(*added), store::KeyState::kActive);
  state = StateFile::Open(dir_ + "/state")->Load();
  EXPECT_TRUE(state->queue.empty());
  EXPECT_EQ(state->failed_reports, 0u);
}

TEST(RetryDelayTest, DoublesFromThirtySecondsUpToTheCapWithJitter) {
  for (int i = 0; i < 20; ++i) {
    const uint32_t first = RetryDelaySeconds(1, 5400);
    EXPECT_GE(first, 30u);
    EXPECT_LE(first, 37u);
    const uint32_t third = RetryDelaySeconds(3, 5400);
    EXPECT_GE(third, 120u);
    EXPECT_LE(third, 150u);
    EXPECT_EQ(RetryDelaySeconds(20, 5400), 5400u);
  }
}

}  // namespace
}  // namespace lockbox::agent
