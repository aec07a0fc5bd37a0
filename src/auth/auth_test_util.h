// Test fixture for auth: a real store (a SQLite file, or a throwaway PostgreSQL database), its
// audit log, a settable clock, cheap argon2id parameters, and an Authenticator.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "auth/authenticator.h"
#include "postgres.h"
#include "store/database.h"
#include "store/store.h"

namespace lockbox::auth::testing {

enum class Backend { kSqlite, kPostgres };

inline store::Time At(int64_t seconds) { return store::Time(std::chrono::seconds(seconds)); }
inline crypto::SecretBytes Secret(std::string_view text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
inline std::string Plain(const crypto::SecretBytes& s) { return {s.data(), s.data() + s.size()}; }

inline service::Actor AdminActor(std::string name = "root") {
  return {.name = std::move(name),
          .role = service::Role::kAdmin,
          .source = service::Source::kHelpdesk,
          .address = "10.9.9.9",
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

inline constexpr std::string_view kAlicePassword = "correct horse battery staple";

class AuthFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      char templ[] = "/tmp/lockbox-auth-test-XXXXXX";
      ASSERT_NE(mkdtemp(templ), nullptr);
      dir_ = templ;
      url_ = dir_ + "/lockbox.db";
      files_at_rest_ = dir_;
    } else {
      LOCKBOX_POSTGRES_DATABASE_OR_SKIP(pg);
      url_ = pg.url;
      files_at_rest_ = pg.data_dir;
    }
    auto opened = store::OpenStore(url_, crypto::SecretBytes(std::vector<uint8_t>(32, 5)));
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    audit_ = std::make_unique<audit::AuditLog>(*store_);
    // Cheap: argon2's minimum memory, one pass. Production defaults are in options.h.
    options_.password_hash = {.time_cost = 1, .memory_kib = 8, .parallelism = 1};
    options_.now = [this] { return now_; };
    Rebuild();
  }

  void TearDown() override {
    auth_.reset();
    audit_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A new Authenticator with options_ (as a restarted server would be).
  void Rebuild() {
    auto auth = Authenticator::Create(*store_, *audit_, options_);
    ASSERT_TRUE(auth.ok()) << auth.status().message();
    auth_ = std::move(auth).value();
  }

  Accounts& accounts() { return auth_->accounts(); }

  // A person `name` with `role` and kAlicePassword, who has signed in once and changed it (so
  // must_change_password is off).
  void AddUser(const std::string& name, service::Role role = service::Role::kHelpdesk) {
    auto created = accounts().CreateUser(
        AdminActor(), {.name = name, .display_name = name + " Example", .role = role},
        Secret("initial password 1"));
    ASSERT_TRUE(created.ok()) << created.status().message();
    const Status changed = accounts().ChangePassword(name, Secret("initial password 1"),
                                                     Secret(kAlicePassword), "10.1.1.1");
    ASSERT_TRUE(changed.ok()) << changed.message();
  }

  LoginResult Login(const std::string& name, std::string_view password = kAlicePassword,
                    std::string_view address = "10.1.1.1") {
    auto login = accounts().Login(name, Secret(password), address);
    EXPECT_TRUE(login.ok()) << login.status().message();
    return login.ok() ? std::move(login).value() : LoginResult{};
  }

  std::vector<store::AuditEntry> Audit() { return store_->ReadAudit(1, 1000).value(); }

  // Every byte of the store's files (SQLite's, or PostgreSQL's whole data folder).
  std::string FilesAtRest() {
    store_.reset();
    if (GetParam() == Backend::kPostgres) {
      // Flush PostgreSQL's buffers to its files (the store's test reads files the same way).
      auto db = store::internal::OpenDatabase(url_);
      EXPECT_TRUE(db.ok()) << db.status().message();
      if (db.ok()) {
        const Status checkpoint =
            (*db)->Transact(store::internal::TxMode::kWrite,
                            [](store::internal::Transaction& tx) { return tx.Exec("CHECKPOINT"); });
        EXPECT_TRUE(checkpoint.ok()) << checkpoint.message();
      }
    }
    std::string everything;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(files_at_rest_)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      everything.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return everything;
  }

  std::string dir_;
  std::string url_;
  std::string files_at_rest_;
  store::Time now_ = At(1700000000);
  AuthOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Authenticator> auth_;
};

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

#define LOCKBOX_AUTH_BACKENDS(suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                 \
                           ::testing::Values(::lockbox::auth::testing::Backend::kSqlite,    \
                                             ::lockbox::auth::testing::Backend::kPostgres), \
                           ::lockbox::auth::testing::BackendName)

}  // namespace lockbox::auth::testing
