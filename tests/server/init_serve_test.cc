// `lockbox init` and `lockbox serve` run as the built binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <vector>

#include "config/config.h"
#include "https_client.h"
#include "lockbox_process.h"
#include "test_dir.h"

namespace lockbox {
namespace {

using testing::CommandResult;
using testing::Lockbox;
using testing::ModeOf;
using testing::ReadFile;
using testing::Spawn;
using testing::TestDir;
using testing::Wait;

TEST(InitTest, CreatesEveryFileWithPrivateModesAndAConfigThatLoads) {
  TestDir tmp;
  const std::string data = tmp / "data";
  const CommandResult run = Lockbox(tmp, {"init", "--data-dir", data});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("lockbox serve --data-dir " + data), std::string::npos) << run.out;
  EXPECT_EQ(ModeOf(data), 0700u);
  EXPECT_EQ(ModeOf(data + "/lockbox.toml"), 0600u);
  EXPECT_EQ(ModeOf(data + "/master.key"), 0600u);
  EXPECT_EQ(ModeOf(data + "/lockbox.db"), 0600u);
  EXPECT_EQ(ModeOf(data + "/tls/key.pem"), 0600u);
  EXPECT_EQ(ModeOf(data + "/tls/cert.pem"), 0644u);

  auto config = config::LoadConfig(data + "/lockbox.toml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  config::ServerConfig expected;
  expected.data_dir = data;
  EXPECT_EQ(*config, expected);
  EXPECT_EQ(config::FormatConfig(*config), ReadFile(data + "/lockbox.toml"));
}

TEST(InitTest, RefusesToOverwriteAnExistingSetup) {
  TestDir tmp;
  const std::string data = tmp / "data";
  ASSERT_EQ(Lockbox(tmp, {"init", "--data-dir", data}).exit_code, 0);
  const std::string key = ReadFile(data + "/master.key");
  const CommandResult again = Lockbox(tmp, {"init", "--data-dir", data});
  EXPECT_EQ(again.exit_code, 9);
  EXPECT_EQ(again.err, "lockbox: " + data + "/lockbox.toml exists: " + data +
                           " is set up already. Start it with `lockbox serve --data-dir " + data +
                           "`, or move it away to start over\n");
  EXPECT_EQ(ReadFile(data + "/master.key"), key);
}

TEST(InitTest, RefusesANonEmptyFolder) {
  TestDir tmp;
  std::ofstream(tmp / "something") << "x";
  const CommandResult run = Lockbox(tmp, {"init", "--data-dir", tmp.path().string()});
  EXPECT_EQ(run.exit_code, 9);
  EXPECT_NE(run.err.find("is not empty"), std::string::npos) << run.err;
}

TEST(ServeTest, BadConfigIsAClearError) {
  TestDir tmp;
  const std::string data = tmp / "data";
  ASSERT_EQ(Lockbox(tmp, {"init", "--data-dir", data}).exit_code, 0);
  // The file ends with the [auth] section; the misspelt key is its last line.
  std::ofstream(data + "/lockbox.toml", std::ios::app) << "lockout_minute = 5\n";
  std::ifstream config(data + "/lockbox.toml");
  size_t lines = 0;
  for (std::string line; std::getline(config, line);) ++lines;
  const CommandResult run = Lockbox(tmp, {"serve", "--data-dir", data});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find(data + "/lockbox.toml:" + std::to_string(lines) +
                         ": unknown key 'auth.lockout_minute'"),
            std::string::npos)
      << run.err;
}

TEST(ServeTest, ServesHttpsAndExitsZeroOnSigterm) {
  TestDir tmp;
  const std::string data = tmp / "data";
  ASSERT_EQ(Lockbox(tmp, {"init", "--data-dir", data}).exit_code, 0);
  const pid_t pid = Spawn({"serve", "--data-dir", data, "--listen", "127.0.0.1:0"},
                          tmp / "serve.out", tmp / "serve.err");
  const int port = testing::ListeningPort(tmp / "serve.out");
  ASSERT_NE(port, 0) << ReadFile(tmp / "serve.err");
  auto client = testing::HttpsClient::Connect(static_cast<uint16_t>(port), data + "/tls/cert.pem");
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto reply = (*client)->Request("GET", "/healthz");
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"status":"ok"})");
  client->reset();

  kill(pid, SIGTERM);
  EXPECT_EQ(Wait(pid), 0) << ReadFile(tmp / "serve.err");
  const std::string log = ReadFile(tmp / "serve.out");
  EXPECT_NE(log.find("\"msg\":\"shutting down\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"msg\":\"stopped\""), std::string::npos) << log;
}

}  // namespace
}  // namespace lockbox
