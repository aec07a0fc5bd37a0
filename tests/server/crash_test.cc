// Crash safety of the built server: agents escrow concurrently while the server is killed
// with SIGKILL. After a restart every escrow that was answered 200 is in the store with its
// password, and the audit chain verifies.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "auth/authenticator.h"
#include "auth/token.h"
#include "https_client.h"
#include "lockbox_process.h"
#include "recovery/key_id.h"
#include "recovery/recovery_password.h"
#include "store/master_key.h"
#include "store/store.h"

namespace lockbox {
namespace {

using testing::HttpsClient;
using testing::Lockbox;
using testing::TestDir;

constexpr int kAgents = 6;

struct Escrowed {
  Guid key_id;
  std::string password;
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(Lockbox(tmp_, {"init", "--data-dir", data_}).exit_code, 0); }

  Result<std::unique_ptr<store::Store>> OpenStore() {
    LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes master,
                             store::LoadMasterKey(data_ + "/master.key"));
    return store::OpenStore(data_ + "/lockbox.db", master);
  }

  // An enrollment token, issued on the store before the server runs.
  std::string IssueEnrollmentToken() {
    auto db = OpenStore();
    EXPECT_TRUE(db.ok()) << db.status().message();
    if (!db.ok()) return "";
    audit::AuditLog log(**db);
    auto authenticator = auth::Authenticator::Create(**db, log, auth::AuthOptions{});
    EXPECT_TRUE(authenticator.ok());
    const service::Actor admin{.name = "crash test",
                               .role = service::Role::kAdmin,
                               .source = service::Source::kApi,
                               .address = "",
                               .computer = std::nullopt,
                               .credential_id = "",
                               .credential_last_used = std::nullopt};
    auto token = (*authenticator)
                     ->machines()
                     .IssueEnrollmentToken(admin, "crash test", kAgents, std::chrono::hours(1));
    EXPECT_TRUE(token.ok());
    return token.ok() ? std::string(auth::TextOf(token->token)) : "";
  }

  // Starts `lockbox serve`, its output in RUN.out and RUN.err (a new name for each start, so
  // that the port read is this run's).
  pid_t StartServer(const std::string& run, int* port) {
    const pid_t pid = testing::Spawn({"serve", "--data-dir", data_, "--listen", "127.0.0.1:0"},
                                     tmp_ / (run + ".out"), tmp_ / (run + ".err"));
    *port = testing::ListeningPort(tmp_ / (run + ".out"));
    return pid;
  }

  Result<testing::HttpReply> Post(HttpsClient& client, const std::string& target,
                                  const nlohmann::json& body, const std::string& bearer = "") {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
    return client.Request("POST", target, body.dump(), headers);
  }

  TestDir tmp_;
  const std::string data_ = tmp_ / "data";
};

// One agent: reports its computer with one more new recovery password each time, until the
// server stops answering; `acknowledged` gets every key answered 200.
void EscrowUntilKilled(uint16_t port, const std::string& cert, const std::string& computer_id,
                       const std::string& credential, int agent,
                       std::vector<Escrowed>& acknowledged, std::mutex& mu) {
  auto client = HttpsClient::Connect(port, cert);
  if (!client.ok()) return;
  const std::string volume_id = "8f595209-f5b9-49a0-85d4-cb8f802580" + std::to_string(10 + agent);
  for (int i = 0; i < 100000; ++i) {
    const Guid key_id = recovery::NewProtectorId().value();
    const std::string password = recovery::RecoveryPassword::Generate().value().ToString();
    const nlohmann::json report = {
        {"computer",
         {{"id", computer_id},
          {"name", "PC-" + std::to_string(agent)},
          {"hardware_ids", {"serial:" + std::to_string(agent)}}}},
        {"volumes",
         {{{"id", volume_id},
           {"drive_letter", "C:"},
           {"type", "os"},
           {"protection", "on"},
           {"conversion", "encrypted"},
           {"protectors", {{{"id", key_id.ToString()}, {"type", "recovery_password"}}}}}}},
        {"recovery_passwords",
         {{{"key_id", key_id.ToString()}, {"volume_id", volume_id}, {"password", password}}}}};
    auto reply = (*client)->Request(
        "POST", "/api/v1/agent/report", report.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + credential}});
    if (!reply.ok()) return;  // the server is gone
    if (reply->status != 200) continue;
    std::lock_guard lock(mu);
    acknowledged.push_back({key_id, password});
  }
}

TEST_F(CrashTest, EveryAcknowledgedEscrowSurvivesSigkill) {
  const std::string enrollment_token = IssueEnrollmentToken();
  ASSERT_FALSE(enrollment_token.empty());
  int port = 0;
  const pid_t pid = StartServer("first", &port);
  ASSERT_NE(port, 0) << testing::ReadFile(tmp_ / "first.err");
  const std::string cert = data_ + "/tls/cert.pem";

  std::vector<std::pair<std::string, std::string>> agents;
  for (int agent = 0; agent < kAgents; ++agent) {
    auto client = HttpsClient::Connect(static_cast<uint16_t>(port), cert);
    ASSERT_TRUE(client.ok());
    auto reply = Post(**client, "/api/v1/agent/enroll",
                      {{"enrollment_token", enrollment_token},
                       {"computer",
                        {{"name", "PC-" + std::to_string(agent)},
                         {"hardware_ids", {"serial:" + std::to_string(agent)}}}}});
    ASSERT_TRUE(reply.ok());
    ASSERT_EQ(reply->status, 200) << reply->body;
    const auto body = nlohmann::json::parse(reply->body);
    agents.emplace_back(body["computer_id"], body["credential"]);
  }

  std::mutex mu;
  std::vector<Escrowed> acknowledged;
  std::vector<std::thread> threads;
  for (int agent = 0; agent < kAgents; ++agent) {
    threads.emplace_back(EscrowUntilKilled, static_cast<uint16_t>(port), cert, agents[agent].first,
                         agents[agent].second, agent, std::ref(acknowledged), std::ref(mu));
  }
  // Kill once a good number of escrows were answered, in the middle of others.
  for (int i = 0; i < 400; ++i) {
    {
      std::lock_guard lock(mu);
      if (acknowledged.size() >= 150) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(testing::Wait(pid), 128 + SIGKILL);
  for (auto& t : threads) t.join();
  ASSERT_GT(acknowledged.size(), 20u) << "too few escrows before the kill to test anything";
  std::cout << acknowledged.size() << " escrows were acknowledged before the kill\n";

  auto db = OpenStore();
  ASSERT_TRUE(db.ok()) << db.status().message();
  for (const Escrowed& e : acknowledged) {
    auto password = (*db)->OpenRecoveryPassword(e.key_id);
    ASSERT_TRUE(password.ok()) << e.key_id.ToString()
                               << " was acknowledged but is lost: " << password.status().message();
    EXPECT_EQ(std::string(password->data(), password->data() + password->size()), e.password);
  }
  audit::AuditLog log(**db);
  auto chain = log.Verify();
  ASSERT_TRUE(chain.ok()) << chain.status().message();
  EXPECT_TRUE(chain->ok) << chain->problem;
  db->reset();

  // And the server starts again on the same data.
  int again = 0;
  const pid_t restarted = StartServer("restarted", &again);
  ASSERT_NE(again, 0) << testing::ReadFile(tmp_ / "restarted.err");
  auto client = HttpsClient::Connect(static_cast<uint16_t>(again), cert);
  ASSERT_TRUE(client.ok());
  auto health = (*client)->Request("GET", "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  kill(restarted, SIGTERM);
  EXPECT_EQ(testing::Wait(restarted), 0);
}

}  // namespace
}  // namespace lockbox
