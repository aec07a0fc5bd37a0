// Test fixture for the service: a real store (a SQLite file, or a throwaway PostgreSQL
// database), its audit log, a settable clock, and report builders.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "postgres.h"
#include "service/escrow.h"
#include "service/migration.h"
#include "service/recovery.h"
#include "service/settings.h"
#include "store/store.h"

namespace lockbox::service::testing {

enum class Backend { kSqlite, kPostgres };

inline Guid G(std::string_view text) { return Guid::Parse(text).value(); }
inline store::Time At(int64_t seconds) { return store::Time(std::chrono::seconds(seconds)); }
inline crypto::SecretBytes Secret(std::string_view text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
inline std::string Plain(const crypto::SecretBytes& s) { return {s.data(), s.data() + s.size()}; }

// Valid recovery passwords (every block divisible by 11).
inline constexpr std::string_view kPassword1 =
    "235818-357951-253979-013365-241120-245575-342914-591910";
inline constexpr std::string_view kPassword2 =
    "042647-302313-590458-071500-554323-116567-412181-516978";

inline const Guid kComputer = G("0b1d7f1e-5a33-4c1e-9d2b-6f5e4c3b2a10");
inline const Guid kOtherComputer = G("0b1d7f1e-5a33-4c1e-9d2b-6f5e4c3b2a11");
inline const Guid kVolume = G("8f595209-f5b9-49a0-85d4-cb8f80258c27");
inline const Guid kKey = G("4381f759-c4f8-4de0-bb61-fc33a831bda5");
inline const Guid kNewKey = G("5381f759-c4f8-4de0-bb61-fc33a831bda5");
inline const Guid kTpmProtector = G("aaaaaaaa-0000-4000-8000-000000000001");

inline Actor Agent(const Guid& computer = kComputer) {
  return {.name = "PC-07",
          .role = Role::kAgent,
          .source = Source::kAgent,
          .address = "10.0.0.7",
          .computer = computer,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}
inline Actor Person(std::string name, Role role, Source source = Source::kHelpdesk) {
  return {.name = std::move(name),
          .role = role,
          .source = source,
          .address = "10.1.1.1",
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

// A report of kComputer with one OS volume protected by TPM and recovery password `key_id`.
inline EscrowReport MakeReport(const Guid& key_id = kKey, std::string_view password = kPassword1,
                               const Guid& volume_id = kVolume,
                               const Guid& computer_id = kComputer) {
  EscrowReport report;
  report.computer = {.id = computer_id,
                     .name = "PC-07",
                     .domain = "contoso.example",
                     .os = "Windows 11 Pro",
                     .hardware_ids = {"serial:5CG1234XYZ", "smbios-uuid:4c4c4544-0051"},
                     .last_contact = std::nullopt};
  ReportedVolume volume;
  volume.volume = {.id = volume_id,
                   .computer_id = computer_id,
                   .drive_letter = "C:",
                   .type = store::VolumeType::kOperatingSystem,
                   .description = "Windows",
                   .encryption_method = "XTS-AES 128",
                   .protection = store::ProtectionStatus::kOn,
                   .conversion = store::ConversionStatus::kEncrypted,
                   .protectors = {{key_id, store::ProtectorType::kRecoveryPassword},
                                  {kTpmProtector, store::ProtectorType::kTpm}}};
  report.volumes.push_back(std::move(volume));
  ReportedRecoveryPassword rp;
  rp.key_id = key_id;
  rp.volume_id = volume_id;
  rp.password = Secret(password);
  rp.created_at = At(1690000000);
  report.recovery_passwords.push_back(std::move(rp));
  report.users = {"CONTOSO\\Alice"};
  return report;
}

class ServiceFixture : public ::testing::Test {
 protected:
  void Open(Backend backend) {
    backend_ = backend;
    if (backend == Backend::kSqlite) {
      char templ[] = "/tmp/lockbox-service-test-XXXXXX";
      ASSERT_NE(mkdtemp(templ), nullptr);
      dir_ = templ;
      url_ = dir_ + "/lockbox.db";
    } else {
      LOCKBOX_POSTGRES_DATABASE_OR_SKIP(pg);
      url_ = pg.url;
    }
    auto opened = store::OpenStore(url_, crypto::SecretBytes(std::vector<uint8_t>(32, 3)));
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    options_.now = [this] { return now_; };
    audit_ = std::make_unique<audit::AuditLog>(*store_);
    settings_ = std::make_unique<Settings>(*store_, *audit_, options_);
    escrow_ = std::make_unique<EscrowService>(*store_, *audit_, nullptr, *settings_, options_);
    recovery_ = std::make_unique<RecoveryService>(*store_, *audit_, *settings_, options_);
    migration_ = std::make_unique<MigrationService>(*store_, *audit_, options_);
  }

  void TearDown() override {
    migration_.reset();
    recovery_.reset();
    escrow_.reset();
    settings_.reset();
    audit_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  EscrowResponse Escrow(const EscrowReport& report, const Actor& agent = Agent()) {
    auto response = escrow_->Escrow(agent, report);
    EXPECT_TRUE(response.ok()) << response.status().message();
    return response.ok() ? std::move(response).value() : EscrowResponse{};
  }

  std::vector<store::AuditEntry> Audit() { return store_->ReadAudit(1, 1000).value(); }

  // Makes every audit append fail, as a full or broken disk would: a real SQLite store whose
  // audit table refuses inserts.
  void BreakAuditAppends() {
    ASSERT_EQ(backend_, Backend::kSqlite);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(url_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db,
                                "CREATE TRIGGER audit_broken BEFORE INSERT ON audit "
                                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
                                nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  Backend backend_ = Backend::kSqlite;
  std::string dir_;
  std::string url_;
  store::Time now_ = At(1700000000);
  ServiceOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Settings> settings_;
  std::unique_ptr<EscrowService> escrow_;
  std::unique_ptr<RecoveryService> recovery_;
  std::unique_ptr<MigrationService> migration_;
};

// Runs against both backends.
class ServiceTest : public ServiceFixture, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override { Open(GetParam()); }
};

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace lockbox::service::testing
