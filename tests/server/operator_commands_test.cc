// The operator's commands run as the built binary on a data dir made by `lockbox init`: the
// first admin, rotate-master-key, backup, audit verify, and the offline administration. What
// they wrote is checked through the libraries (store, auth), as the server would read it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "auth/api_tokens.h"
#include "lockbox_process.h"
#include "store/database.h"
#include "store/master_key.h"
#include "store/store.h"

namespace lockbox {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::Lockbox;
using testing::ModeOf;
using testing::ReadFile;
using testing::Spawn;
using testing::TestDir;
using testing::Wait;

crypto::SecretBytes Secret(const std::string& text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::unique_ptr<store::Store> OpenStore(const std::string& db_path, const std::string& key_path) {
  auto key = store::LoadMasterKey(key_path);
  EXPECT_TRUE(key.ok()) << key.status().message();
  if (!key.ok()) return nullptr;
  auto db = store::OpenStore(db_path, *key);
  EXPECT_TRUE(db.ok()) << db.status().message();
  return db.ok() ? std::move(db).value() : nullptr;
}

// A data dir made by `lockbox init`, and the admin's one-time password it printed.
class OperatorCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CommandResult init = Lockbox(tmp_, {"init", "--data-dir", data_, "--admin", "alice"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    std::smatch m;
    const std::regex password("alice, one-time password: ([a-z2-9-]{23})\n");
    ASSERT_TRUE(std::regex_search(init.out, m, password)) << init.out;
    admin_password_ = m[1];
    init_out_ = init.out;
  }

  std::unique_ptr<store::Store> Store() { return OpenStore(data_ + "/lockbox.db", key_path_); }

  TestDir tmp_;
  const std::string data_ = tmp_ / "data";
  const std::string key_path_ = data_ + "/master.key";
  std::string admin_password_;
  std::string init_out_;
};

TEST_F(OperatorCommandsTest, InitMakesTheFirstAdminWhoMustChangeThePassword) {
  EXPECT_NE(init_out_.find("must be changed at the first sign-in"), std::string::npos);
  auto db = Store();
  ASSERT_NE(db, nullptr);
  audit::AuditLog log(*db);
  auto accounts = auth::Accounts::Create(*db, log, {});
  ASSERT_TRUE(accounts.ok());
  auto login = (*accounts)->Login("alice", Secret(admin_password_), "127.0.0.1");
  ASSERT_TRUE(login.ok()) << login.status().message();
  EXPECT_TRUE(login->must_change_password);
  EXPECT_EQ(login->actor.role, service::Role::kAdmin);
}

TEST(InitAdminTest, ABadAdminNameCreatesNothing) {
  TestDir tmp;
  const CommandResult run = Lockbox(tmp, {"init", "--data-dir", tmp / "data", "--admin", "a b"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("lockbox: "), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp / "data"));
}

TEST_F(OperatorCommandsTest, RotateMasterKeyKeepsTheOldKeyAndTheStoreOpensWithTheNewOne) {
  const std::string old_key = ReadFile(key_path_);
  const CommandResult run = Lockbox(tmp_, {"rotate-master-key", "--data-dir", data_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(run.out, m, std::regex("kept in (\\S+master\\.key\\.old-\\d{8}T\\d{6}Z)")))
      << run.out;
  const std::string retired = m[1];
  EXPECT_NE(run.out.find("destroy the old key"), std::string::npos) << run.out;
  EXPECT_EQ(ReadFile(retired), old_key);
  EXPECT_EQ(ModeOf(retired), 0600u);
  EXPECT_EQ(ModeOf(key_path_), 0600u);
  EXPECT_NE(ReadFile(key_path_), old_key);
  EXPECT_FALSE(fs::exists(key_path_ + ".new"));
  auto db = Store();
  ASSERT_NE(db, nullptr);
  auto entries = db->ReadAudit(2, 1);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].reason, "master key rotated");
  EXPECT_EQ((*entries)[0].actor, "local administrator (lockbox command line)");
  EXPECT_EQ(Lockbox(tmp_, {"audit", "verify", "--data-dir", data_}).exit_code, 0);
}

// A rotation interrupted after it re-wrapped the store, before it renamed master.key.new:
// the next command (any of them; here audit verify) completes it and says so.
TEST_F(OperatorCommandsTest, ACommandAfterAnInterruptedRotationCompletesIt) {
  const std::string old_key = ReadFile(key_path_);
  {
    auto db = Store();
    ASSERT_NE(db, nullptr);
    auto new_key = store::CreateMasterKeyFile(key_path_ + ".new");
    ASSERT_TRUE(new_key.ok());
    ASSERT_TRUE(db->RewrapDataKey(*new_key).ok());
  }
  const std::string new_key = ReadFile(key_path_ + ".new");
  const CommandResult run = Lockbox(tmp_, {"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("completed an interrupted `lockbox rotate-master-key`"), std::string::npos)
      << run.err;
  EXPECT_EQ(ReadFile(key_path_), new_key);
  EXPECT_FALSE(fs::exists(key_path_ + ".new"));
  int retired = 0;
  for (const auto& entry : fs::directory_iterator(data_)) {
    if (entry.path().filename().string().starts_with("master.key.old-")) {
      ++retired;
      EXPECT_EQ(ReadFile(entry.path()), old_key);
    }
  }
  EXPECT_EQ(retired, 1);
}

TEST_F(OperatorCommandsTest, BackupWhileServingOpensWithTheMasterKeyAndNeverReplacesAFile) {
  const pid_t server = Spawn({"serve", "--data-dir", data_, "--listen", "127.0.0.1:0"},
                             tmp_ / "serve.out", tmp_ / "serve.err");
  for (int i = 0; i < 600 && ReadFile(tmp_ / "serve.out").find("listening") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string copy = tmp_ / "backup.db";
  const CommandResult run = Lockbox(tmp_, {"backup", "--data-dir", data_, "--output", copy});
  const CommandResult again = Lockbox(tmp_, {"backup", "--data-dir", data_, "--output", copy});
  kill(server, SIGTERM);
  EXPECT_EQ(Wait(server), 0) << ReadFile(tmp_ / "serve.err");

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Keep the master key apart from the backups"), std::string::npos)
      << run.out;
  EXPECT_EQ(ModeOf(copy), 0600u);
  EXPECT_EQ(ReadFile(copy).find(ReadFile(key_path_)), std::string::npos);
  auto db = OpenStore(copy, key_path_);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->GetUser("alice")->role, "admin");

  EXPECT_EQ(again.exit_code, 9);
  EXPECT_NE(again.err.find(copy + " exists"), std::string::npos) << again.err;
}

TEST_F(OperatorCommandsTest, AuditVerifyReportsAnIntactChainAndTheFirstAlteredEntry) {
  ASSERT_EQ(
      Lockbox(tmp_, {"user", "create", "--data-dir", data_, "--name", "bob", "--role", "helpdesk"})
          .exit_code,
      0);
  CommandResult run = Lockbox(tmp_, {"audit", "verify", "--data-dir", data_, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["entries_checked"], 2);  // alice by init, bob
  EXPECT_EQ(report["last_good_hash"].get<std::string>().size(), 64u);
  const std::string intact_hash = report["last_good_hash"];

  // Someone with write access to the database edits the first entry.
  {
    auto db = store::internal::OpenDatabase(data_ + "/lockbox.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Transact(store::internal::TxMode::kWrite,
                               [](store::internal::Transaction& tx) {
                                 return tx.Exec(
                                     "UPDATE audit SET actor = 'nobody' WHERE sequence = 1");
                               })
                    .ok());
  }
  run = Lockbox(tmp_, {"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(run.exit_code, 5);
  EXPECT_NE(run.out.find("Chain:           BROKEN at entry 1"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("lockbox: the audit log was altered at entry 1"), std::string::npos)
      << run.err;
  run = Lockbox(tmp_, {"audit", "verify", "--data-dir", data_, "--json"});
  EXPECT_EQ(run.exit_code, 5);
  report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["bad_sequence"], 1);
  EXPECT_FALSE(report["problem"].get<std::string>().empty());
  EXPECT_NE(report["last_good_hash"], intact_hash);
}

TEST_F(OperatorCommandsTest, AScriptMakesAServiceAccountAndAnApiTokenThatAuthenticates) {
  CommandResult run = Lockbox(tmp_, {"user", "create", "--data-dir", data_, "--name", "bench",
                                     "--role", "helpdesk", "--service-account", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["service_account"], true);

  run = Lockbox(tmp_, {"api-token", "create", "--data-dir", data_, "--user", "bench", "--role",
                       "helpdesk", "--days", "7", "--description", "load test", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json made = nlohmann::json::parse(run.out);
  EXPECT_EQ(made["user"], "bench");
  EXPECT_EQ(made["role"], "helpdesk");

  auto db = Store();
  ASSERT_NE(db, nullptr);
  audit::AuditLog log(*db);
  auth::ApiTokens tokens(*db, log, {});
  auto actor = tokens.Authenticate(made["token"].get<std::string>(), "127.0.0.1");
  ASSERT_TRUE(actor.ok()) << actor.status().message();
  EXPECT_EQ(actor->name, "bench");
  EXPECT_EQ(actor->role, service::Role::kHelpdesk);
  auto entries = db->ReadAudit(1, 100);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);  // alice, bench, the token
  EXPECT_EQ((*entries)[2].actor, "local administrator (lockbox command line)");
  EXPECT_EQ((*entries)[2].reason, "API token created");

  // A token for someone who does not exist, or more rights than its owner, is refused.
  run = Lockbox(tmp_, {"api-token", "create", "--data-dir", data_, "--user", "nobody", "--role",
                       "helpdesk", "--days", "7", "--description", "x"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("nobody"), std::string::npos) << run.err;
  run = Lockbox(tmp_, {"api-token", "create", "--data-dir", data_, "--user", "bench", "--role",
                       "admin", "--days", "7", "--description", "x"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("more rights than its owner"), std::string::npos) << run.err;
}

TEST_F(OperatorCommandsTest, APersonGetsAOneTimePasswordTheyMustChange) {
  const CommandResult run = Lockbox(
      tmp_, {"user", "create", "--data-dir", data_, "--name", "Carol", "--role", "helpdesk"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.out, m, std::regex("Initial password: ([a-z2-9-]{23})\n")))
      << run.out;
  EXPECT_NE(run.out.find("must be changed at the first sign-in"), std::string::npos);
  auto db = Store();
  ASSERT_NE(db, nullptr);
  audit::AuditLog log(*db);
  auto accounts = auth::Accounts::Create(*db, log, {});
  ASSERT_TRUE(accounts.ok());
  auto login = (*accounts)->Login("carol", Secret(m[1]), "127.0.0.1");
  ASSERT_TRUE(login.ok()) << login.status().message();
  EXPECT_TRUE(login->must_change_password);
}

TEST_F(OperatorCommandsTest, EnrollmentTokenIsPrintedOnceAndAudited) {
  CommandResult run =
      Lockbox(tmp_, {"enrollment-token", "create", "--data-dir", data_, "--description",
                     "Berlin rollout", "--uses", "200", "--days", "14", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json made = nlohmann::json::parse(run.out);
  EXPECT_EQ(made["max_uses"], 200);
  EXPECT_EQ(made["description"], "Berlin rollout");
  EXPECT_TRUE(made["token"].get<std::string>().starts_with("lbx_enr_")) << run.out;
  auto db = Store();
  ASSERT_NE(db, nullptr);
  auto stored = db->GetEnrollmentToken(made["id"].get<std::string>());
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->created_by, "local administrator (lockbox command line)");
  EXPECT_EQ(db->ReadAudit(2, 1)->at(0).reason, "enrollment token issued");

  run = Lockbox(tmp_, {"enrollment-token", "create", "--data-dir", data_, "--description", "x",
                       "--uses", "1", "--days", "365"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("lockbox: an enrollment token lives between"), std::string::npos)
      << run.err;
}

TEST(OperatorHelpTest, EveryCommandHasHelp) {
  TestDir tmp;
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"rotate-master-key"},
                                             {"backup"},
                                             {"audit", "verify"},
                                             {"enrollment-token", "create"},
                                             {"api-token", "create"},
                                             {"user", "create"}}) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    const CommandResult run = Lockbox(tmp, args);
    EXPECT_EQ(run.exit_code, 0) << command[0];
    EXPECT_NE(run.out.find("--data-dir"), std::string::npos) << command[0] << run.out;
  }
}

}  // namespace
}  // namespace lockbox
