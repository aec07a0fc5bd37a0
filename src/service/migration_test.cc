#include "service/migration.h"

#include <gtest/gtest.h>

#include "service/service_test_util.h"

namespace lockbox::service {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

const Guid kAdComputer = G("c0ffee00-1111-4222-8333-444455556666");
const Guid kAdVolume = G("d0ffee00-1111-4222-8333-444455556666");

Actor Migrator(Role role = Role::kDataMigration) {
  return Person("mbam-import", role, Source::kMigration);
}

MigratedRecoveryInformation MakeItem(const Guid& key_id = kKey,
                                     std::string_view password = kPassword1,
                                     std::optional<Guid> computer_id = kAdComputer,
                                     const Guid& volume_id = kAdVolume) {
  MigratedRecoveryInformation item;
  item.computer = {.name = "PC-12", .domain = "contoso.example", .id = computer_id};
  item.volume_id = volume_id;
  item.key_id = key_id;
  item.recovery_password = Secret(password);
  item.created_at = At(1600000000);
  item.volume_type = store::VolumeType::kOperatingSystem;
  return item;
}

// A vector of move-only items (they hold secrets, so an initializer list cannot copy them).
template <typename T, typename... More>
std::vector<T> Batch(T first, More... more) {
  std::vector<T> out;
  out.push_back(std::move(first));
  (out.push_back(std::move(more)), ...);
  return out;
}

class MigrationTest : public ServiceTest {
 protected:
  MigrationResult Write(const std::vector<MigratedRecoveryInformation>& items,
                        const Actor& actor = Migrator()) {
    auto result = migration_->WriteRecoveryInformation(actor, items);
    EXPECT_TRUE(result.ok()) << result.status().message();
    return result.ok() ? std::move(result).value() : MigrationResult{};
  }
  std::vector<MigrationOutcome> Outcomes(const MigrationResult& result) {
    std::vector<MigrationOutcome> out;
    for (const MigrationItemResult& item : result.items) out.push_back(item.outcome);
    return out;
  }
};

TEST_P(MigrationTest, RecoveryInformationCreatesComputerVolumeAndKey) {
  MigratedRecoveryInformation item = MakeItem();
  std::string spaced(kPassword1);
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  item.recovery_password = Secret(spaced);
  item.key_package = Secret("KEY-PACKAGE");
  const MigrationResult result = Write(Batch(std::move(item)));
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].outcome, MigrationOutcome::kCreated);
  EXPECT_EQ(result.items[0].computer_id, kAdComputer);

  const store::Computer computer = store_->GetComputer(kAdComputer).value();
  EXPECT_EQ(computer.name, "PC-12");
  EXPECT_EQ(computer.domain, "contoso.example");
  EXPECT_EQ(computer.last_contact, std::nullopt);  // the agent has not reported yet
  const store::Volume volume = store_->GetVolume(kAdVolume).value();
  EXPECT_EQ(volume.computer_id, kAdComputer);
  EXPECT_EQ(volume.type, store::VolumeType::kOperatingSystem);
  const store::RecoveryKey key = store_->GetRecoveryKey(kKey).value();
  EXPECT_EQ(key.source, "migration:mbam-import");
  EXPECT_EQ(key.created_at, At(1600000000));
  EXPECT_EQ(key.escrowed_at, now_);
  EXPECT_EQ(key.state, store::KeyState::kActive);
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);  // canonical
  EXPECT_EQ(Plain(store_->OpenKeyPackage(kKey).value()), "KEY-PACKAGE");

  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].result, "migrated recovery information: 1 items: 1 created");
  EXPECT_EQ(audit[0].role, "data-migration");
  EXPECT_EQ(audit[0].source, "migration from 10.1.1.1");
}

TEST_P(MigrationTest, RerunChangesNothingAndSaysSo) {
  const auto batch =
      Batch(MakeItem(kKey, kPassword1, std::nullopt), MakeItem(kNewKey, kPassword2, std::nullopt));
  EXPECT_EQ(Outcomes(Write(batch)),
            (std::vector{MigrationOutcome::kCreated, MigrationOutcome::kCreated}));
  const store::RecoveryKey before = store_->GetRecoveryKey(kKey).value();
  now_ += std::chrono::hours(1);
  const MigrationResult again = Write(batch);
  EXPECT_EQ(Outcomes(again),
            (std::vector{MigrationOutcome::kUnchanged, MigrationOutcome::kUnchanged}));
  EXPECT_EQ(store_->GetRecoveryKey(kKey).value(), before);
  // Without an ID the computer got a derived one, and the rerun found that same record.
  const Guid derived = DerivedComputerId("PC-12", "contoso.example");
  EXPECT_EQ(again.items[0].computer_id, derived);
  EXPECT_EQ(store_->FindComputersByName("PC-12")->size(), 1u);
  EXPECT_EQ(Audit().back().result, "migrated recovery information: 2 items: 2 unchanged");
}

TEST_P(MigrationTest, KeyPackageAddedLaterIsAnUpdate) {
  Write(Batch(MakeItem()));
  const auto with_package = [] {
    MigratedRecoveryInformation item = MakeItem();
    item.key_package = Secret("KEY-PACKAGE");
    return Batch(std::move(item));
  };
  EXPECT_EQ(Write(with_package()).items[0].outcome, MigrationOutcome::kUpdated);
  EXPECT_EQ(Write(with_package()).items[0].outcome, MigrationOutcome::kUnchanged);
}

TEST_P(MigrationTest, ComputerWithoutIdIsFoundByNameAndDomainIgnoringCase) {
  Escrow(MakeReport());  // the agent's PC-07 in contoso.example
  MigratedRecoveryInformation item = MakeItem(kNewKey, kPassword2, std::nullopt);
  item.computer.name = "pc-07";
  item.computer.domain = "CONTOSO.EXAMPLE";
  EXPECT_EQ(Write(Batch(std::move(item))).items[0].computer_id, kComputer);
  EXPECT_EQ(store_->GetVolume(kAdVolume)->computer_id, kComputer);
  EXPECT_EQ(store_->GetComputer(kComputer)->os, "Windows 11 Pro");  // the agent's data stays

  // Another domain is another computer.
  MigratedRecoveryInformation elsewhere =
      MakeItem(kTpmProtector, kPassword2, std::nullopt, G("e0ffee00-1111-4222-8333-444455556666"));
  elsewhere.computer.name = "PC-07";
  elsewhere.computer.domain = "fabrikam.example";
  EXPECT_EQ(Write(Batch(std::move(elsewhere))).items[0].computer_id,
            DerivedComputerId("PC-07", "fabrikam.example"));
}

TEST_P(MigrationTest, SeveralComputersOfOneNameNeedTheId) {
  Escrow(MakeReport());
  EscrowReport twin =
      MakeReport(kNewKey, kPassword2, G("9f595209-f5b9-49a0-85d4-cb8f80258c27"), kOtherComputer);
  Escrow(twin, Agent(kOtherComputer));
  MigratedRecoveryInformation item = MakeItem(kTpmProtector, kPassword1, std::nullopt);
  item.computer.name = "PC-07";
  const MigrationResult result = Write(Batch(std::move(item)));
  EXPECT_EQ(result.items[0].outcome, MigrationOutcome::kInvalid);
  EXPECT_NE(result.items[0].message.find("2 computers are named PC-07"), std::string::npos)
      << result.items[0].message;
  EXPECT_EQ(store_->GetVolume(kAdVolume).status().code(), ErrorCode::kNotFound);
}

TEST_P(MigrationTest, KnownVolumeKeepsItsComputer) {
  Escrow(MakeReport());
  const MigrationResult result = Write(Batch(MakeItem(kNewKey, kPassword2, kAdComputer, kVolume)));
  EXPECT_EQ(result.items[0].outcome, MigrationOutcome::kCreated);
  EXPECT_EQ(result.items[0].computer_id, kComputer);
  EXPECT_EQ(store_->GetRecoveryKey(kNewKey)->volume_id, kVolume);
  EXPECT_EQ(store_->GetComputer(kAdComputer).status().code(), ErrorCode::kNotFound);
}

TEST_P(MigrationTest, ConflictKeepsTheStoredKeyAndIsAudited) {
  Escrow(MakeReport());
  const MigrationResult result = Write(Batch(MakeItem(kKey, kPassword2, kAdComputer, kVolume)));
  EXPECT_EQ(result.items[0].outcome, MigrationOutcome::kConflict);
  EXPECT_NE(result.items[0].message.find("the stored one was kept"), std::string::npos);
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].key_id, kKey.ToString());
  EXPECT_EQ(audit[0].computer, "PC-07 (" + kComputer.ToString() + ")");
  EXPECT_NE(audit[0].result.find("escrow conflict"), std::string::npos);
  EXPECT_EQ(audit[1].result, "migrated recovery information: 1 items: 1 conflict");
  for (const store::AuditEntry& entry : audit) {
    EXPECT_EQ(entry.result.find(kPassword2.substr(0, 6)), std::string::npos);
  }
}

TEST_P(MigrationTest, BadItemsAreReportedWithoutDigitsAndTheRestWritten) {
  const std::string wrong = "235818-357951-253978-013365-241120-245575-342914-591910";
  MigratedRecoveryInformation no_name = MakeItem(kNewKey, kPassword2);
  no_name.computer.name = "";
  MigratedRecoveryInformation big_package = MakeItem(kNewKey, kPassword2);
  big_package.key_package = crypto::SecretBytes(std::vector<uint8_t>(kMaxKeyPackageBytes + 1, 1));
  const MigrationResult result =
      Write(Batch(MakeItem(kKey, wrong, std::nullopt), MakeItem(Guid{}, kPassword2),
                  std::move(no_name), std::move(big_package), MakeItem(kNewKey, kPassword2)));
  EXPECT_EQ(Outcomes(result), (std::vector{MigrationOutcome::kInvalid, MigrationOutcome::kInvalid,
                                           MigrationOutcome::kInvalid, MigrationOutcome::kInvalid,
                                           MigrationOutcome::kCreated}));
  EXPECT_NE(result.items[0].message.find("block 3 is not divisible by 11"), std::string::npos)
      << result.items[0].message;
  EXPECT_EQ(result.items[0].message.find("253978"), std::string::npos);
  EXPECT_EQ(result.items[0].message.find("235818"), std::string::npos);
  EXPECT_NE(result.items[1].message.find("recovery key ID is missing"), std::string::npos);
  EXPECT_NE(result.items[2].message.find("computer name is empty"), std::string::npos);
  EXPECT_NE(result.items[3].message.find("key package"), std::string::npos);
  EXPECT_EQ(result.items[0].computer_id, Guid{});
  // The invalid item with a fresh computer created nothing.
  EXPECT_EQ(store_->GetComputer(DerivedComputerId("PC-12", "contoso.example")).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetRecoveryKey(kKey).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Audit().back().result, "migrated recovery information: 5 items: 1 created, 4 invalid");
}

TEST_P(MigrationTest, OnlyDataMigrationAndAdminsMigrate) {
  for (Role role : {Role::kHelpdesk, Role::kAdvancedHelpdesk, Role::kReportReader,
                    Role::kSelfServiceUser, Role::kAgent}) {
    EXPECT_EQ(
        migration_->WriteRecoveryInformation(Migrator(role), Batch(MakeItem())).status().code(),
        ErrorCode::kPermissionDenied);
    EXPECT_EQ(migration_->WriteComputerUsers(Migrator(role), {}).status().code(),
              ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(store_->GetComputer(kAdComputer).status().code(), ErrorCode::kNotFound);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 10u);  // refusals are audited too
  EXPECT_EQ(audit[0].result,
            "migrated recovery information: refused: permission_denied: the role helpdesk may "
            "not migrate data");
  EXPECT_EQ(Write(Batch(MakeItem()), Migrator(Role::kAdmin)).items[0].outcome,
            MigrationOutcome::kCreated);
}

TEST_P(MigrationTest, OversizedBatchIsRefusedWhole) {
  std::vector<MigratedComputerUsers> batch(kMaxMigrationItems + 1);
  for (MigratedComputerUsers& item : batch) {
    item.computer = {.name = "PC-12", .domain = "", .id = kAdComputer};
    item.users = {"contoso\\alice"};
  }
  auto result = migration_->WriteComputerUsers(Migrator(), batch);
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("at most 1000"), std::string::npos);
  EXPECT_EQ(store_->GetComputer(kAdComputer).status().code(), ErrorCode::kNotFound);
  batch.pop_back();
  EXPECT_EQ(migration_->WriteComputerUsers(Migrator(), batch)->Count(MigrationOutcome::kUnchanged),
            kMaxMigrationItems - 1);
}

TEST_P(MigrationTest, NewestTpmInformationWins) {
  const MigratedComputer computer{.name = "PC-12", .domain = "contoso.example", .id = kAdComputer};
  auto result = migration_->WriteTpmInformation(
      Migrator(), Batch(MigratedTpmInformation{computer, Secret("auth-200"), At(200)},
                        MigratedTpmInformation{computer, Secret("auth-100"), At(100)},
                        MigratedTpmInformation{computer, Secret("other-200"), At(200)},
                        MigratedTpmInformation{computer, Secret("auth-300"), At(300)},
                        MigratedTpmInformation{computer, Secret(""), At(400)},
                        MigratedTpmInformation{computer, Secret("auth-0"), store::Time{}}));
  ASSERT_TRUE(result.ok()) << result.status().message();
  std::vector<MigrationOutcome> outcomes;
  for (const MigrationItemResult& item : result->items) outcomes.push_back(item.outcome);
  EXPECT_EQ(outcomes, (std::vector{MigrationOutcome::kCreated, MigrationOutcome::kStale,
                                   MigrationOutcome::kConflict, MigrationOutcome::kUpdated,
                                   MigrationOutcome::kInvalid, MigrationOutcome::kInvalid}));
  EXPECT_NE(result->items[5].message.find("is missing"), std::string::npos);
  EXPECT_EQ(Plain(store_->OpenTpmOwnerAuth(kAdComputer).value()), "auth-300");
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].key_type, "tpm_owner_auth");
  EXPECT_NE(audit[0].result.find("escrow conflict"), std::string::npos);
  EXPECT_EQ(audit[1].result,
            "migrated TPM information: 6 items: 1 created, 1 updated, 1 conflict, 1 stale, 2 "
            "invalid");
  for (const store::AuditEntry& entry : audit) {
    EXPECT_EQ(entry.result.find("auth-"), std::string::npos);
  }
}

TEST_P(MigrationTest, ComputerUsersAreStoredLowerCase) {
  const MigratedComputer computer{.name = "PC-12", .domain = "contoso.example", .id = kAdComputer};
  auto first = migration_->WriteComputerUsers(
      Migrator(), {{computer, {"CONTOSO\\Alice", "contoso\\bob"}}, {computer, {}}});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->items[0].outcome, MigrationOutcome::kCreated);
  EXPECT_EQ(first->items[1].outcome, MigrationOutcome::kInvalid);
  const auto users = store_->ListComputerUsers(kAdComputer).value();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].user, "contoso\\alice");
  EXPECT_EQ(users[0].first_seen, now_);
  auto again = migration_->WriteComputerUsers(Migrator(), {{computer, {"contoso\\ALICE"}}});
  EXPECT_EQ(again->items[0].outcome, MigrationOutcome::kUnchanged);
  EXPECT_EQ(Audit().back().result, "migrated computer users: 1 items: 1 unchanged");
}

TEST_P(MigrationTest, BatchFailsWhenItsAuditEntryCannotBeWritten) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "breaks a SQLite file";
  BreakAuditAppends();
  const MigratedComputer computer{.name = "PC-12", .domain = "", .id = kAdComputer};
  auto result = migration_->WriteComputerUsers(Migrator(), {{computer, {"contoso\\alice"}}});
  EXPECT_FALSE(result.ok());
  // A conflict's own audit entry failing stops the batch at that item.
  Escrow(MakeReport());
  auto conflict = migration_->WriteRecoveryInformation(
      Migrator(), Batch(MakeItem(kKey, kPassword2, kComputer, kVolume), MakeItem(kNewKey)));
  EXPECT_FALSE(conflict.ok());
  EXPECT_EQ(store_->GetRecoveryKey(kNewKey).status().code(), ErrorCode::kNotFound);
}

TEST(DerivedComputerIdTest, IsStableIgnoresCaseAndIsAVersion8Uuid) {
  const Guid id = DerivedComputerId("PC-07", "contoso.example");
  EXPECT_EQ(id, DerivedComputerId("pc-07", "CONTOSO.example"));
  EXPECT_NE(id, DerivedComputerId("PC-08", "contoso.example"));
  EXPECT_NE(id, DerivedComputerId("PC-07", ""));
  const std::string text = id.ToString();
  EXPECT_EQ(text[14], '8') << text;
  EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::service
