// One suite, run against both backends: SQLite (a temporary file) and PostgreSQL (a real
// server started by tests/support/postgres.cc; skipped when not installed, failed under CI).
#include "store/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "postgres.h"
#include "store/database.h"
#include "store/search.h"

namespace lockbox::store {
namespace {

namespace fs = std::filesystem;
using internal::Row;
using internal::Transaction;
using internal::TxMode;
using internal::Value;

enum class Backend { kSqlite, kPostgres };

Guid G(std::string_view text) { return Guid::Parse(text).value(); }
Time At(int64_t seconds) { return Time(std::chrono::seconds(seconds)); }
crypto::SecretBytes Secret(std::string_view text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
std::string Plain(const crypto::SecretBytes& s) { return {s.data(), s.data() + s.size()}; }
crypto::SecretBytes MasterKey(uint8_t fill) {
  return crypto::SecretBytes(std::vector<uint8_t>(32, fill));
}

constexpr std::string_view kPassword1 = "111111-222222-333333-444444-555555-666666-777777-888888";
constexpr std::string_view kPassword2 = "123123-456456-789789-101101-121121-131131-141141-151151";

const Guid kComputer = G("0b1d7f1e-5a33-4c1e-9d2b-6f5e4c3b2a10");
const Guid kVolume = G("8f595209-f5b9-49a0-85d4-cb8f80258c27");
const Guid kOtherVolume = G("1f595209-f5b9-49a0-85d4-cb8f80258c27");
const Guid kKey = G("4381f759-c4f8-4de0-bb61-fc33a831bda5");
const Guid kKeySamePrefix = G("4381f759-0000-4de0-bb61-fc33a831bda5");
const Guid kKeyNextPrefix = G("4381f75a-c4f8-4de0-bb61-fc33a831bda5");

Computer MakeComputer() {
  return {.id = kComputer,
          .name = "PC-Accounting-07",
          .domain = "contoso.example",
          .os = "Windows 11 Pro 23H2",
          .hardware_ids = {"smbios-uuid:4c4c4544-0051", "serial:5CG1234XYZ"},
          .last_contact = At(1700000000)};
}

Volume MakeVolume(const Guid& id) {
  return {.id = id,
          .computer_id = kComputer,
          .drive_letter = "C:",
          .type = VolumeType::kOperatingSystem,
          .description = "Windows",
          .encryption_method = "XTS-AES 128",
          .protection = ProtectionStatus::kOn,
          .conversion = ConversionStatus::kEncrypted,
          .protectors = {{kKey, ProtectorType::kRecoveryPassword},
                         {G("aaaaaaaa-0000-4000-8000-000000000001"), ProtectorType::kTpm}}};
}

// A machine credential of kComputer, as enrollment makes it.
MachineCredential MakeCredential(std::string id) {
  return {.id = std::move(id),
          .token_hash = std::vector<uint8_t>(32, 0x5a),
          .computer_id = kComputer,
          .enrollment_token_id = "enroll-1",
          .created_at = At(1000),
          .revoked_at = std::nullopt,
          .last_used = std::nullopt,
          .computer_name = ""};
}

RecoveryKey MakeKey(const Guid& key_id, const Guid& volume_id = kVolume) {
  return {.key_id = key_id,
          .volume_id = volume_id,
          .created_at = At(1690000000),
          .state = KeyState::kActive,
          .verification = Verification::kUnknown,
          .escrowed_at = At(1700000100),
          .source = "agent:PC-Accounting-07",
          .state_changed_at = std::nullopt};
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      char templ[] = "/tmp/lockbox-store-test-XXXXXX";
      ASSERT_NE(mkdtemp(templ), nullptr);
      temp_dir_ = templ;
      url_ = temp_dir_ + "/lockbox.db";
      files_at_rest_ = temp_dir_;
    } else {
      LOCKBOX_POSTGRES_DATABASE_OR_SKIP(pg);
      url_ = pg.url;
      files_at_rest_ = pg.data_dir;
    }
    auto store = OpenStore(url_, master_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }

  void TearDown() override {
    store_.reset();
    if (!temp_dir_.empty()) fs::remove_all(temp_dir_);
  }

  // A computer with one volume, ready for keys.
  void AddComputerAndVolume() {
    ASSERT_TRUE(store_->UpsertComputer(MakeComputer()).ok());
    auto outcome = store_->UpsertVolume(MakeVolume(kVolume));
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  }

  // AddComputerAndVolume, then machine credential "cred-1" and report digest `digest`, both
  // read once (and so kept in memory, on SQLite).
  void AddReadCredentialAndDigest(const std::vector<uint8_t>& digest) {
    AddComputerAndVolume();
    ASSERT_TRUE(store_->CreateMachineCredential(MakeCredential("cred-1")).ok());
    ASSERT_TRUE(store_->SetReportDigest(kComputer, digest).ok());
    EXPECT_EQ(store_->GetCheckIn(kComputer)->report_digest, digest);
    EXPECT_EQ(store_->GetMachineCredential("cred-1")->revoked_at, std::nullopt);
  }

  WriteOutcome Escrow(const Guid& key_id, std::string_view password,
                      const Guid& volume_id = kVolume) {
    auto outcome = store_->EscrowRecoveryKey(MakeKey(key_id, volume_id), Secret(password));
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    return outcome.ok() ? *outcome : WriteOutcome::kStale;
  }

  // SQL straight on the same database, for checks and damage the Store must not allow.
  std::vector<Row> Raw(std::string_view sql, std::vector<Value> params = {}) {
    auto db = internal::OpenDatabase(url_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    std::vector<Row> rows;
    if (!db.ok()) return rows;
    const Status status = (*db)->Transact(TxMode::kWrite, [&](Transaction& tx) -> Status {
      auto result = tx.Query(sql, params);
      if (result.ok()) rows = std::move(result).value();
      return result.status();
    });
    EXPECT_TRUE(status.ok()) << status.message();
    return rows;
  }

  // Undoes what the migrations after `version` changed in the tables that tests of earlier
  // migrations use, and forgets those migrations, so that reopening applies them again.
  void BackToVersion(int version) {
    if (version < 13) Raw("CREATE UNIQUE INDEX recovery_keys_by_hex ON recovery_keys (key_hex)");
    if (version < 12) {
      Raw("CREATE INDEX search_words_by_computer ON search_words (computer_id, volume_id)");
    }
    if (version < 11) {  // contact times back in computers' rows
      Raw("ALTER TABLE computers ADD COLUMN last_contact BIGINT");
      Raw("UPDATE computers SET last_contact ="
          " (SELECT last_contact FROM computer_contacts WHERE slot = computers.contact_slot)");
      Raw("DROP INDEX computers_by_contact_slot");
      Raw("ALTER TABLE computers DROP COLUMN contact_slot");
      Raw("DROP TABLE computer_contacts");
    }
    Raw("DELETE FROM schema_version WHERE version > $1", {int64_t{version}});
  }

  // The query plan of `select`, in either database's words. On a nearly empty table
  // PostgreSQL rightly prefers a sequential scan; it is forbidden here to see whether an index
  // can answer the query at all.
  std::string PlanOf(std::string_view select, std::vector<Value> params) {
    const bool sqlite = GetParam() == Backend::kSqlite;
    auto db = internal::OpenDatabase(url_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    if (!db.ok()) return "";
    std::string plan;
    const Status status = (*db)->Transact(TxMode::kWrite, [&](Transaction& tx) -> Status {
      if (!sqlite) LOCKBOX_RETURN_IF_ERROR(tx.Exec("SET LOCAL enable_seqscan = off"));
      LOCKBOX_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query(std::string(sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + std::string(select),
                   params));
      for (const Row& r : rows) plan += r.Text(sqlite ? 3 : 0) + "\n";
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.message();
    return plan;
  }

  std::string temp_dir_;
  std::string url_;
  std::string files_at_rest_;
  crypto::SecretBytes master_ = MasterKey(7);
  std::unique_ptr<Store> store_;
};

// --- Migrations

TEST_P(StoreTest, FreshStoreRecordsEachMigrationOnce) {
  const auto rows = Raw("SELECT version FROM schema_version ORDER BY version");
  ASSERT_EQ(rows.size(), 13u);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].Int(0), static_cast<int64_t>(i + 1));
}

TEST_P(StoreTest, ReopeningAppliesNoMigrationAgainAndKeepsData) {
  AddComputerAndVolume();
  store_.reset();
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(Raw("SELECT version FROM schema_version").size(), 13u);
  auto volume = (*reopened)->GetVolume(kVolume);
  ASSERT_TRUE(volume.ok());
  EXPECT_EQ(*volume, MakeVolume(kVolume));
}

TEST_P(StoreTest, RefusesStoreNewerThanCode) {
  store_.reset();
  Raw("INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)",
      {int64_t{999}, std::string("from the future"), int64_t{0}});
  auto reopened = OpenStore(url_, master_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(reopened.status().message().find("upgrade Lockbox"), std::string::npos);
}

TEST_P(StoreTest, RefusesWrongMasterKey) {
  store_.reset();
  auto reopened = OpenStore(url_, MasterKey(8));
  EXPECT_EQ(reopened.status().code(), ErrorCode::kWrongKey);
}

// --- Computers and volumes

TEST_P(StoreTest, ComputerUpsertCreatesThenIsIdempotentThenUpdates) {
  Computer c = MakeComputer();
  EXPECT_EQ(*store_->UpsertComputer(c), WriteOutcome::kCreated);
  std::swap(c.hardware_ids[0], c.hardware_ids[1]);  // same set, other order
  EXPECT_EQ(*store_->UpsertComputer(c), WriteOutcome::kUnchanged);
  c.os = "Windows 11 Enterprise 24H2";
  c.hardware_ids.push_back("mac:00-11-22-33-44-55");
  EXPECT_EQ(*store_->UpsertComputer(c), WriteOutcome::kUpdated);

  auto stored = store_->GetComputer(kComputer);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->os, "Windows 11 Enterprise 24H2");
  EXPECT_EQ(stored->hardware_ids,
            (std::vector<std::string>{"mac:00-11-22-33-44-55", "serial:5CG1234XYZ",
                                      "smbios-uuid:4c4c4544-0051"}));
  EXPECT_EQ(stored->last_contact, At(1700000000));

  c.last_contact = At(1700000500);  // only the contact time: written, but not a change
  EXPECT_EQ(*store_->UpsertComputer(c), WriteOutcome::kUnchanged);
  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, At(1700000500));
  EXPECT_EQ(store_->GetComputer(kComputer)->os, "Windows 11 Enterprise 24H2");
}

TEST_P(StoreTest, FindsComputersByNameIgnoringCaseAndByHardwareId) {
  ASSERT_TRUE(store_->UpsertComputer(MakeComputer()).ok());
  auto by_name = store_->FindComputersByName("pc-accounting-07");
  ASSERT_TRUE(by_name.ok());
  ASSERT_EQ(by_name->size(), 1u);
  EXPECT_EQ((*by_name)[0].id, kComputer);
  auto by_hw = store_->FindComputersByHardwareId("serial:5CG1234XYZ");
  ASSERT_TRUE(by_hw.ok());
  ASSERT_EQ(by_hw->size(), 1u);
  EXPECT_TRUE(store_->FindComputersByName("PC-Other")->empty());
  EXPECT_EQ(store_->GetComputer(kVolume).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, VolumeNeedsItsComputer) {
  auto outcome = store_->UpsertVolume(MakeVolume(kVolume));
  EXPECT_EQ(outcome.status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, VolumeUpsertKeepsProtectorsAndReportsChanges) {
  AddComputerAndVolume();
  Volume v = MakeVolume(kVolume);
  std::swap(v.protectors[0], v.protectors[1]);
  EXPECT_EQ(*store_->UpsertVolume(v), WriteOutcome::kUnchanged);
  v.conversion = ConversionStatus::kDecrypting;
  v.protectors.pop_back();
  EXPECT_EQ(*store_->UpsertVolume(v), WriteOutcome::kUpdated);
  auto listed = store_->ListVolumes(kComputer);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].conversion, ConversionStatus::kDecrypting);
  EXPECT_EQ((*listed)[0].protectors.size(), 1u);
}

// --- The computer directory

class DirectoryStoreTest : public StoreTest {
 protected:
  // kComputer "PC-Accounting-07" with a volume described "PC-ACCOUNTING-07 BACKUP 6/7/2023",
  // and "PC-Sales-01" with a volume described "Sales DATA".
  void AddTwoComputers() {
    AddComputerAndVolume();
    Volume backup = MakeVolume(kOtherVolume);
    backup.description = "PC-ACCOUNTING-07 BACKUP 6/7/2023";
    ASSERT_TRUE(store_->UpsertVolume(backup).ok());
    Computer sales = MakeComputer();
    sales.id = kSales;
    sales.name = "PC-Sales-01";
    ASSERT_TRUE(store_->UpsertComputer(sales).ok());
    Volume data = MakeVolume(G("2f595209-f5b9-49a0-85d4-cb8f80258c27"));
    data.computer_id = kSales;
    data.description = "Sales DATA";
    ASSERT_TRUE(store_->UpsertVolume(data).ok());
  }

  std::vector<std::string> Search(std::string_view prefix, size_t max = 100) {
    std::vector<std::string> names;
    auto found = store_->SearchComputers(prefix, max);
    EXPECT_TRUE(found.ok()) << found.status().message();
    if (found.ok()) {
      for (const Computer& c : *found) names.push_back(c.name);
    }
    return names;
  }

  const Guid kSales = G("0b1d7f1e-5a33-4c1e-9d2b-6f5e4c3b2a11");
};

using Names = std::vector<std::string>;

TEST_P(DirectoryStoreTest, FindsByNamePrefixOrDescriptionWordIgnoringCase) {
  AddTwoComputers();
  EXPECT_EQ(Search("pc-acc"), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("BACK"), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("6/7/2023"), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("windows"), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("data"), Names{"PC-Sales-01"});
  EXPECT_EQ(Search("PC-"), (Names{"PC-Accounting-07", "PC-Sales-01"}));  // each once, by name
  EXPECT_EQ(Search("PC-", 1), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("ounting"), Names{});  // a prefix, not a substring
  EXPECT_EQ(Search("pc-accounting-07x"), Names{});
}

TEST_P(DirectoryStoreTest, ADriveLetterIsNotAWord) {
  AddTwoComputers();
  Volume labelled = MakeVolume(kOtherVolume);
  labelled.description = "PC-ACCOUNTING-07 C: 6/7/2023 D:x";
  ASSERT_TRUE(store_->UpsertVolume(labelled).ok());
  EXPECT_EQ(Search("c:"), Names{});
  EXPECT_EQ(Search("c"), Names{});
  EXPECT_EQ(Search("6/7/2023"), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("d:x"), Names{"PC-Accounting-07"});  // more than a drive letter
}

TEST_P(DirectoryStoreTest, RenamesAndNewDescriptionsReplaceTheirWords) {
  AddTwoComputers();
  Computer renamed = MakeComputer();
  renamed.name = "PC-Finance-07";
  ASSERT_TRUE(store_->UpsertComputer(renamed).ok());
  Volume relabelled = MakeVolume(kOtherVolume);
  relabelled.description = "ARCHIVE";
  ASSERT_TRUE(store_->UpsertVolume(relabelled).ok());
  EXPECT_EQ(Search("backup"), Names{});
  EXPECT_EQ(Search("pc-acc"), Names{});
  EXPECT_EQ(Search("pc-fin"), Names{"PC-Finance-07"});
  EXPECT_EQ(Search("archive"), Names{"PC-Finance-07"});
  // A volume that moves to another computer takes its words along.
  relabelled.computer_id = kSales;
  ASSERT_TRUE(store_->UpsertVolume(relabelled).ok());
  EXPECT_EQ(Search("archive"), Names{"PC-Sales-01"});
  // And no word that was replaced stays behind: the two names, "Windows", "ARCHIVE", "Sales"
  // and "DATA".
  EXPECT_EQ(Raw("SELECT word_hex FROM search_words").size(), 6u);
}

TEST_P(DirectoryStoreTest, MigrationDropsTheWordIndexByComputerAndDriveLetterWords) {
  AddTwoComputers();
  store_.reset();
  BackToVersion(11);
  // A drive letter stored as a word, as stores written before commit 41e879b hold them.
  Raw("INSERT INTO search_words (word_hex, computer_id, volume_id) VALUES ($1, $2, $3)",
      {internal::SearchWordHex("C:"), kComputer.ToString(), kVolume.ToString()});
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  store_ = std::move(reopened).value();
  EXPECT_EQ(Search("c:"), Names{});
  EXPECT_EQ(Search("backup"), Names{"PC-Accounting-07"});
  const bool sqlite = GetParam() == Backend::kSqlite;
  EXPECT_TRUE(Raw(sqlite ? "SELECT name FROM sqlite_master WHERE name = $1"
                         : "SELECT indexname FROM pg_indexes WHERE indexname = $1",
                  {std::string("search_words_by_computer")})
                  .empty());
}

TEST_P(DirectoryStoreTest, MigrationFillsInTheWordsOfWhatWasStoredBefore) {
  AddTwoComputers();
  store_.reset();
  // The store as schema version 2 left it.
  BackToVersion(2);
  Raw("DROP TABLE search_words");
  Raw("ALTER TABLE computers DROP COLUMN report_digest");
  Raw("DROP INDEX audit_by_time");
  Raw("DROP INDEX recovery_keys_by_state");
  Raw("DROP TABLE compliance_snapshots");
  Raw("DROP TABLE settings");
  Raw("ALTER TABLE users DROP COLUMN directory");
  Raw("CREATE INDEX volumes_by_computer ON volumes (computer_id)");
  Raw("DROP INDEX volumes_by_computer_with_id");
  Raw("CREATE INDEX recovery_keys_by_volume ON recovery_keys (volume_id)");
  Raw("DROP INDEX recovery_keys_by_volume_state");
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  store_ = std::move(reopened).value();
  EXPECT_EQ(Search("backup"), Names{"PC-Accounting-07"});
  EXPECT_EQ(Search("pc-sa"), Names{"PC-Sales-01"});
}

TEST_P(DirectoryStoreTest, SearchIsAnIndexRangeScan) {
  const std::string plan =
      PlanOf("SELECT computer_id FROM search_words WHERE word_hex >= $1 AND word_hex < $2",
             {std::string("70632d"), std::string("70632dg")});  // "pc-"
  EXPECT_NE(plan.find("search_words_by_word"), std::string::npos) << plan;
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectoryStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                           return param.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

// --- Escrow

TEST_P(StoreTest, EscrowingTheSameKeyTwiceChangesNothing) {
  AddComputerAndVolume();
  EXPECT_EQ(Escrow(kKey, kPassword1), WriteOutcome::kCreated);
  RecoveryKey again = MakeKey(kKey);
  again.escrowed_at = At(1800000000);
  again.source = "migration:ad";
  EXPECT_EQ(*store_->EscrowRecoveryKey(again, Secret(kPassword1)), WriteOutcome::kUnchanged);
  auto stored = store_->GetRecoveryKey(kKey);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, MakeKey(kKey));
}

// A check-in is answered from the computer's row alone when it has a report digest: the store
// never keeps one beside a key that awaits rotation.
TEST_P(StoreTest, AComputerWithAKeyAwaitingRotationKeepsNoReportDigest) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  const std::vector<uint8_t> digest(32, 0xd1);
  ASSERT_TRUE(store_->SetReportDigest(kComputer, digest).ok());
  EXPECT_EQ(store_->GetCheckIn(kComputer)->report_digest, digest);
  EXPECT_TRUE(store_->GetCheckIn(kComputer)->awaiting_rotation.empty());

  // Disclosed: the digest goes, and stays gone while the key waits.
  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kDisclosed, At(1700000200)).ok());
  auto told = store_->GetCheckIn(kComputer);
  ASSERT_TRUE(told.ok()) << told.status().message();
  EXPECT_TRUE(told->report_digest.empty());
  EXPECT_EQ(told->awaiting_rotation, std::vector<Guid>{kKey});
  ASSERT_TRUE(store_->SetReportDigest(kComputer, digest).ok());
  EXPECT_TRUE(store_->GetCheckIn(kComputer)->report_digest.empty());

  // Replaced: a digest is kept again, until a key arrives disclosed already (as a migration
  // may bring one).
  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kRetired, At(1700000300)).ok());
  ASSERT_TRUE(store_->SetReportDigest(kComputer, digest).ok());
  EXPECT_EQ(store_->GetCheckIn(kComputer)->report_digest, digest);
  RecoveryKey disclosed = MakeKey(kKeyNextPrefix);
  disclosed.state = KeyState::kDisclosed;
  ASSERT_TRUE(store_->EscrowRecoveryKey(disclosed, Secret(kPassword2)).ok());
  told = store_->GetCheckIn(kComputer);
  ASSERT_TRUE(told.ok()) << told.status().message();
  EXPECT_TRUE(told->report_digest.empty());
  EXPECT_EQ(told->awaiting_rotation, std::vector<Guid>{kKeyNextPrefix});
  EXPECT_EQ(store_->SetReportDigest(G("00000000-0000-4000-8000-00000000dead"), digest).code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, MigrationForgetsADigestStoredBesideAKeyAwaitingRotation) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kDisclosed, At(1700000200)).ok());
  store_.reset();
  // As schema version 9 allowed.
  Raw("UPDATE computers SET report_digest = $1", {std::vector<uint8_t>(32, 0xd1)});
  BackToVersion(9);
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  store_ = std::move(reopened).value();
  auto told = store_->GetCheckIn(kComputer);
  ASSERT_TRUE(told.ok()) << told.status().message();
  EXPECT_TRUE(told->report_digest.empty());
  EXPECT_EQ(told->awaiting_rotation, std::vector<Guid>{kKey});
}

TEST_P(StoreTest, MigrationMovesContactTimesToATableOfTheirOwn) {
  // Created out of the order of their IDs, so that the migration's order shows; one never
  // contacted.
  Computer late = MakeComputer();
  late.id = G("ffffffff-5a33-4c1e-9d2b-6f5e4c3b2a10");
  late.name = "PC-Late";
  late.last_contact = std::nullopt;
  Computer early = MakeComputer();
  early.id = G("00000000-5a33-4c1e-9d2b-6f5e4c3b2a10");
  early.name = "PC-Early";
  early.last_contact = At(1700000300);
  for (const Computer& c : {late, MakeComputer(), early}) {
    ASSERT_TRUE(store_->UpsertComputer(c).ok());
  }
  EXPECT_EQ(
      Raw("SELECT contact_slot FROM computers WHERE id = $1", {kComputer.ToString()}).at(0).Int(0),
      2);
  store_.reset();
  BackToVersion(10);
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  store_ = std::move(reopened).value();

  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, At(1700000000));
  EXPECT_EQ(store_->GetComputer(early.id)->last_contact, At(1700000300));
  EXPECT_EQ(store_->GetComputer(late.id)->last_contact, std::nullopt);
  const auto slots = Raw("SELECT id, contact_slot FROM computers ORDER BY contact_slot");
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].Text(0), early.id.ToString());
  EXPECT_EQ(slots[1].Text(0), kComputer.ToString());
  EXPECT_EQ(slots[2].Text(0), late.id.ToString());
  EXPECT_EQ(slots[2].Int(1), 3);

  // A computer added since takes the next slot; each contact moves its own computer's time.
  Computer added = MakeComputer();
  added.id = G("80000000-5a33-4c1e-9d2b-6f5e4c3b2a10");
  added.name = "PC-Added";
  EXPECT_EQ(*store_->UpsertComputer(added), WriteOutcome::kCreated);
  EXPECT_EQ(
      Raw("SELECT contact_slot FROM computers WHERE id = $1", {added.id.ToString()}).at(0).Int(0),
      4);
  ASSERT_TRUE(
      store_
          ->RecordContacts(
              {{.computer_id = late.id, .at = At(1700000900), .users = {}, .credential_id = ""},
               {.computer_id = added.id, .at = At(1700000800), .users = {}, .credential_id = ""}})
          .ok());
  EXPECT_EQ(store_->GetComputer(late.id)->last_contact, At(1700000900));
  EXPECT_EQ(store_->GetComputer(added.id)->last_contact, At(1700000800));
  EXPECT_EQ(store_->GetComputer(kComputer)->last_contact, At(1700000000));
  EXPECT_EQ(store_->GetComputer(early.id)->last_contact, At(1700000300));
}

TEST_P(StoreTest, SameKeyIdWithOtherContentIsAConflictAndNotWritten) {
  AddComputerAndVolume();
  ASSERT_TRUE(store_->UpsertVolume(MakeVolume(kOtherVolume)).ok());
  EXPECT_EQ(Escrow(kKey, kPassword1), WriteOutcome::kCreated);
  EXPECT_EQ(Escrow(kKey, kPassword2), WriteOutcome::kConflict);
  EXPECT_EQ(Escrow(kKey, kPassword1, kOtherVolume), WriteOutcome::kConflict);
  auto opened = store_->OpenRecoveryPassword(kKey);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Plain(*opened), kPassword1);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->volume_id, kVolume);
}

TEST_P(StoreTest, EscrowNeedsItsVolume) {
  auto outcome = store_->EscrowRecoveryKey(MakeKey(kKey), Secret(kPassword1));
  EXPECT_EQ(outcome.status().code(), ErrorCode::kNotFound);
}

// --- Lookup by key-ID prefix

TEST_P(StoreTest, PrefixLookupFindsOneSeveralOrNone) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  Escrow(kKeySamePrefix, kPassword2);
  Escrow(kKeyNextPrefix, kPassword2);
  auto find = [&](std::string_view typed) {
    std::vector<Guid> ids;
    auto keys = store_->FindRecoveryKeys(recovery::KeyIdPrefix::Parse(typed).value());
    EXPECT_TRUE(keys.ok()) << keys.status().message();
    if (keys.ok()) {
      for (const RecoveryKey& k : *keys) ids.push_back(k.key_id);
    }
    return ids;
  };
  EXPECT_EQ(find("4381F759"), (std::vector<Guid>{kKeySamePrefix, kKey}));
  EXPECT_EQ(find("4381F759-C4"), std::vector<Guid>{kKey});
  EXPECT_EQ(find("4381F759C4F84DE0B"), std::vector<Guid>{kKey});
  EXPECT_EQ(find("4381f759-0000-4"), std::vector<Guid>{kKeySamePrefix});
  EXPECT_EQ(find("{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}"), std::vector<Guid>{kKey});
  EXPECT_EQ(find("4381f75a"), std::vector<Guid>{kKeyNextPrefix});
  EXPECT_EQ(find("deadbeef"), std::vector<Guid>{});
}

TEST_P(StoreTest, PrefixLookupIsAnIndexRangeScan) {
  const std::string plan =
      PlanOf("SELECT key_id FROM recovery_keys WHERE key_id >= $1 AND key_id < $2",
             {std::string("4381f759-c4"), std::string("4381f759-c4g")});
  const bool sqlite = GetParam() == Backend::kSqlite;
  EXPECT_NE(plan.find(sqlite ? "sqlite_autoindex_recovery_keys_1" : "recovery_keys_pkey"),
            std::string::npos)
      << plan;
}

// Migration 13: the index on key_hex goes; lookups by prefix work as before (above).
TEST_P(StoreTest, MigrationDropsTheKeyIndexByHexDigits) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  store_.reset();
  BackToVersion(12);
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  store_ = std::move(reopened).value();
  const bool sqlite = GetParam() == Backend::kSqlite;
  EXPECT_TRUE(Raw(sqlite ? "SELECT name FROM sqlite_master WHERE name = $1"
                         : "SELECT indexname FROM pg_indexes WHERE indexname = $1",
                  {std::string("recovery_keys_by_hex")})
                  .empty());
  auto found = store_->FindRecoveryKeys(recovery::KeyIdPrefix::Parse("4381F759C4F8").value());
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].key_id, kKey);
}

// --- Key state

TEST_P(StoreTest, KeyStateMovesActiveToDisclosedToRetiredOnly) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kDisclosed, At(1700001000)).ok());
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, KeyState::kDisclosed);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state_changed_at, At(1700001000));
  EXPECT_TRUE(store_->SetKeyState(kKey, KeyState::kDisclosed, At(1700002000)).ok());
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state_changed_at, At(1700001000));
  EXPECT_EQ(store_->SetKeyState(kKey, KeyState::kActive, At(1700003000)).code(),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kRetired, At(1700004000)).ok());
  EXPECT_EQ(store_->SetKeyState(kKey, KeyState::kDisclosed, At(1700005000)).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, KeyState::kRetired);
  EXPECT_EQ(store_->SetKeyState(kKeyNextPrefix, KeyState::kRetired, At(0)).code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, VerificationIsRecorded) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  ASSERT_TRUE(store_->SetKeyVerification(kKey, Verification::kMismatch).ok());
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->verification, Verification::kMismatch);
  EXPECT_EQ(store_->SetKeyVerification(kKeyNextPrefix, Verification::kVerified).code(),
            ErrorCode::kNotFound);
}

// --- Sealed secrets

TEST_P(StoreTest, SealedSecretsRoundTrip) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
  EXPECT_EQ(*store_->StoreKeyPackage(kKey, Secret("key package bytes")), WriteOutcome::kCreated);
  EXPECT_EQ(Plain(store_->OpenKeyPackage(kKey).value()), "key package bytes");
  EXPECT_EQ(*store_->StoreTpmOwnerAuth(kComputer, Secret("owner-auth-1"), At(100)),
            WriteOutcome::kCreated);
  EXPECT_EQ(Plain(store_->OpenTpmOwnerAuth(kComputer).value()), "owner-auth-1");
  EXPECT_EQ(store_->OpenRecoveryPassword(kKeyNextPrefix).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, SecretMovedToAnotherRecordDoesNotOpen) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  Escrow(kKeySamePrefix, kPassword2);
  Raw("UPDATE recovery_keys SET sealed_password ="
      " (SELECT sealed_password FROM recovery_keys WHERE key_id = $1) WHERE key_id = $2",
      {kKey.ToString(), kKeySamePrefix.ToString()});
  EXPECT_EQ(store_->OpenRecoveryPassword(kKeySamePrefix).status().code(), ErrorCode::kWrongKey);
  // Nor does escrowing again paper over the damage.
  EXPECT_EQ(store_->EscrowRecoveryKey(MakeKey(kKeySamePrefix), Secret(kPassword1)).status().code(),
            ErrorCode::kWrongKey);
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
}

TEST_P(StoreTest, KeyPackageIsIdempotentAndReportsConflicts) {
  AddComputerAndVolume();
  EXPECT_EQ(store_->StoreKeyPackage(kKey, Secret("p")).status().code(), ErrorCode::kNotFound);
  Escrow(kKey, kPassword1);
  EXPECT_EQ(*store_->StoreKeyPackage(kKey, Secret("package-1")), WriteOutcome::kCreated);
  EXPECT_EQ(*store_->StoreKeyPackage(kKey, Secret("package-1")), WriteOutcome::kUnchanged);
  EXPECT_EQ(*store_->StoreKeyPackage(kKey, Secret("package-2")), WriteOutcome::kConflict);
  EXPECT_EQ(Plain(store_->OpenKeyPackage(kKey).value()), "package-1");
}

TEST_P(StoreTest, NewestTpmOwnerAuthWins) {
  AddComputerAndVolume();
  EXPECT_EQ(*store_->StoreTpmOwnerAuth(kComputer, Secret("auth-200"), At(200)),
            WriteOutcome::kCreated);
  EXPECT_EQ(*store_->StoreTpmOwnerAuth(kComputer, Secret("auth-100"), At(100)),
            WriteOutcome::kStale);
  EXPECT_EQ(*store_->StoreTpmOwnerAuth(kComputer, Secret("auth-200"), At(200)),
            WriteOutcome::kUnchanged);
  EXPECT_EQ(*store_->StoreTpmOwnerAuth(kComputer, Secret("other"), At(200)),
            WriteOutcome::kConflict);
  EXPECT_EQ(*store_->StoreTpmOwnerAuth(kComputer, Secret("auth-300"), At(300)),
            WriteOutcome::kUpdated);
  EXPECT_EQ(Plain(store_->OpenTpmOwnerAuth(kComputer).value()), "auth-300");
}

TEST_P(StoreTest, RewrappedDataKeyOpensOnlyUnderTheNewMasterKey) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  const crypto::SecretBytes new_master = MasterKey(9);
  ASSERT_TRUE(store_->RewrapDataKey(new_master).ok());
  EXPECT_EQ(Plain(store_->OpenRecoveryPassword(kKey).value()), kPassword1);
  store_.reset();
  EXPECT_EQ(OpenStore(url_, master_).status().code(), ErrorCode::kWrongKey);
  auto reopened = OpenStore(url_, new_master);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(Plain((*reopened)->OpenRecoveryPassword(kKey).value()), kPassword1);
}

// --- Users

TEST_P(StoreTest, ComputerUsersAreMatchedIgnoringCaseAndTrackFirstAndLastSeen) {
  AddComputerAndVolume();
  ASSERT_TRUE(store_->RecordComputerUser(kComputer, "CONTOSO\\Alice", At(500)).ok());
  ASSERT_TRUE(store_->RecordComputerUser(kComputer, "contoso\\alice", At(900)).ok());
  ASSERT_TRUE(store_->RecordComputerUser(kComputer, "contoso\\alice", At(300)).ok());
  auto users = store_->ListComputerUsers(kComputer);
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(*users, (std::vector<ComputerUser>{{"contoso\\alice", At(300), At(900)}}));
  EXPECT_EQ(*store_->FindComputersByUser("Contoso\\ALICE"), std::vector<Guid>{kComputer});
  EXPECT_EQ(store_->RecordComputerUser(kVolume, "bob", At(1)).code(), ErrorCode::kNotFound);
}

// --- Audit

std::vector<uint8_t> TestHash(const AuditEntry& e) {
  std::vector<uint8_t> h = e.prev_hash;
  h.push_back(static_cast<uint8_t>(e.sequence));
  return h;
}

TEST_P(StoreTest, AuditAppendsInSequenceChainingHashes) {
  for (const char* actor : {"alice", "bob", "carol"}) {
    AuditEntry e;
    e.time = At(1000);
    e.actor = actor;
    e.role = "helpdesk";
    e.reason = "ticket 42";
    auto appended = store_->AppendAudit(e, TestHash);
    ASSERT_TRUE(appended.ok()) << appended.status().message();
  }
  auto entries = store_->ReadAudit(2, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].sequence, 2);
  EXPECT_EQ((*entries)[0].actor, "bob");
  EXPECT_EQ((*entries)[0].prev_hash, std::vector<uint8_t>{1});
  EXPECT_EQ((*entries)[1].hash, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ((*entries)[1].reason, "ticket 42");
}

// Sequences of the entries `query` finds.
std::vector<int64_t> Found(Store& store, AuditQuery query) {
  auto entries = store.FindAudit(query);
  EXPECT_TRUE(entries.ok()) << entries.status().message();
  std::vector<int64_t> sequences;
  if (entries.ok()) {
    for (const AuditEntry& e : *entries) sequences.push_back(e.sequence);
  }
  return sequences;
}

TEST_P(StoreTest, FindAuditMatchesEachFilterAndPages) {
  struct Seeded {
    int64_t time;
    const char *actor, *source, *computer, *key_type, *end_user, *result;
  };
  const std::string pc07 = "PC-07 (" + kComputer.ToString() + ")";
  const Seeded rows[] = {
      {1000, "Bob", "helpdesk", pc07.c_str(), "recovery_password", "contoso\\alice", "disclosed"},
      {2000, "carol", "api", "PC-070 (1f595209-f5b9-49a0-85d4-cb8f80258c27)", "key_package", "",
       "not_found: no such key"},
      {3000, "contoso\\alice", "self-service", pc07.c_str(), "recovery_password", "contoso\\alice",
       "permission_denied: not_found: 50% of it"},
  };
  for (const Seeded& r : rows) {
    AuditEntry e;
    e.time = At(r.time);
    e.actor = r.actor;
    e.source = r.source;
    e.computer = r.computer;
    e.key_type = r.key_type;
    e.end_user = r.end_user;
    e.result = r.result;
    ASSERT_TRUE(store_->AppendAudit(e, TestHash).ok());
  }
  EXPECT_EQ(Found(*store_, {}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Found(*store_, {.first = 2, .max_entries = 1}), (std::vector<int64_t>{2}));
  EXPECT_EQ(Found(*store_, {.since = At(2000)}), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Found(*store_, {.until = At(2000)}), (std::vector<int64_t>{1}));
  EXPECT_EQ(Found(*store_, {.source = "api"}), (std::vector<int64_t>{2}));
  EXPECT_EQ(Found(*store_, {.key_type = "recovery_password"}), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Found(*store_, {.result = "disclosed"}), (std::vector<int64_t>{1}));
  // A result's code, not a word inside it; '%' is a character, not a wildcard.
  EXPECT_EQ(Found(*store_, {.result = "not_found"}), (std::vector<int64_t>{2}));
  EXPECT_EQ(Found(*store_, {.result = "not_"}), (std::vector<int64_t>{}));
  EXPECT_EQ(Found(*store_, {.result = "%"}), (std::vector<int64_t>{}));
  EXPECT_EQ(Found(*store_, {.user = "BOB"}), (std::vector<int64_t>{1}));
  EXPECT_EQ(Found(*store_, {.user = "contoso\\Alice"}), (std::vector<int64_t>{1, 3}));
  // A computer by its whole name (PC-07 is not PC-070) or by its GUID.
  EXPECT_EQ(Found(*store_, {.computer = "pc-07"}), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Found(*store_, {.computer = kComputer.ToString()}), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Found(*store_, {.since = At(1000), .source = "helpdesk", .computer = "PC-07"}),
            (std::vector<int64_t>{1}));
}

TEST_P(StoreTest, ListsComputersByPageAndKeysByState) {
  AddComputerAndVolume();
  const Guid other = G("ffffffff-5a33-4c1e-9d2b-6f5e4c3b2a10");
  Computer second = MakeComputer();
  second.id = other;
  ASSERT_TRUE(store_->UpsertComputer(second).ok());
  auto first_page = store_->ListComputers(std::nullopt, 1);
  ASSERT_TRUE(first_page.ok());
  ASSERT_EQ(first_page->size(), 1u);
  EXPECT_EQ((*first_page)[0].id, kComputer);
  auto next_page = store_->ListComputers(kComputer, 10);
  ASSERT_TRUE(next_page.ok());
  ASSERT_EQ(next_page->size(), 1u);
  EXPECT_EQ((*next_page)[0].id, other);

  Escrow(kKey, kPassword1);
  Escrow(kKeyNextPrefix, kPassword2);
  ASSERT_TRUE(store_->SetKeyState(kKeyNextPrefix, KeyState::kDisclosed, At(1800000000)).ok());
  auto disclosed = store_->ListKeysInState(KeyState::kDisclosed);
  ASSERT_TRUE(disclosed.ok());
  ASSERT_EQ(disclosed->size(), 1u);
  EXPECT_EQ((*disclosed)[0].key_id, kKeyNextPrefix);
  EXPECT_EQ((*disclosed)[0].state_changed_at, At(1800000000));
}

TEST_P(StoreTest, ComplianceSnapshotsKeepTheLastOfEachDay) {
  ASSERT_TRUE(store_->RecordCompliance({At(86400), 1, 2, 3}).ok());
  ASSERT_TRUE(store_->RecordCompliance({At(2 * 86400), 4, 5, 6}).ok());
  ASSERT_TRUE(store_->RecordCompliance({At(2 * 86400), 7, 0, 1}).ok());
  auto all = store_->ListCompliance(At(0));
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(*all,
            (std::vector<ComplianceSnapshot>{{At(86400), 1, 2, 3}, {At(2 * 86400), 7, 0, 1}}));
  auto recent = store_->ListCompliance(At(2 * 86400));
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->size(), 1u);
}

TEST_P(StoreTest, SettingsKeepTheLastValueOfEachName) {
  auto none = store_->ListSettings();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(store_->PutSetting({"tpm_reasons", "Clear TPM\nOther", "admin", At(10)}).ok());
  ASSERT_TRUE(store_->PutSetting({"company_name", "Contoso", "admin", At(20)}).ok());
  ASSERT_TRUE(store_->PutSetting({"tpm_reasons", "Turn on TPM", "root", At(30)}).ok());
  auto all = store_->ListSettings();
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(*all, (std::vector<Setting>{{"company_name", "Contoso", "admin", At(20)},
                                        {"tpm_reasons", "Turn on TPM", "root", At(30)}}));
}

// --- Concurrency and durability

TEST_P(StoreTest, ConcurrentWritersOnSeparateConnectionsLoseNothing) {
  AddComputerAndVolume();
  constexpr int kThreads = 4;
  constexpr int kKeysPerThread = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = OpenStore(url_, master_);
      if (!store.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kKeysPerThread; ++i) {
        char id[37];
        std::snprintf(id, sizeof id, "%08x-0000-4000-8000-000000000000", t * 256 + i);
        Computer computer = MakeComputer();
        computer.id = G(id);  // each new computer takes the next contact slot
        computer.last_contact = At(t * 256 + i);
        if (!(*store)->EscrowRecoveryKey(MakeKey(G(id)), Secret(kPassword1)).ok() ||
            !(*store)->AppendAudit(AuditEntry(), TestHash).ok() ||
            !(*store)->UpsertComputer(computer).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->ListRecoveryKeys(kVolume)->size(), size_t{kThreads * kKeysPerThread});
  for (int n = 0; n < kThreads * 256; n += 256) {
    for (int i = 0; i < kKeysPerThread; ++i) {
      char id[37];
      std::snprintf(id, sizeof id, "%08x-0000-4000-8000-000000000000", n + i);
      EXPECT_EQ(store_->GetComputer(G(id))->last_contact, At(n + i)) << id;
    }
  }
  auto audit = store_->ReadAudit(1, 1000);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), size_t{kThreads * kKeysPerThread});
  for (size_t i = 0; i < audit->size(); ++i) {
    EXPECT_EQ((*audit)[i].sequence, static_cast<int64_t>(i + 1));
  }
}

TEST_P(StoreTest, ThreadsSharingOneStoreLoseNothing) {
  AddComputerAndVolume();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(
            store_->RecordComputerUser(kComputer, "user" + std::to_string(t * 10 + i), At(i)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->ListComputerUsers(kComputer)->size(), 20u);
}

// Concurrent writes on one store share commits (SQLite group commit): each still succeeds or
// fails alone, and a failing one never takes the others' writes with it.
TEST_P(StoreTest, ConcurrentWritesSucceedOrFailAlone) {
  AddComputerAndVolume();
  constexpr int kThreads = 8;
  constexpr int kRounds = 12;
  std::atomic<int> wrong{0};
  std::atomic<int> users_created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        char id[37];
        std::snprintf(id, sizeof id, "%08x-0000-4000-8000-000000000000", t * 256 + i);
        auto created = store_->EscrowRecoveryKey(MakeKey(G(id)), Secret(kPassword1));
        if (!created.ok() || *created != WriteOutcome::kCreated) ++wrong;
        // A write that fails inside its transaction (retired -> active is refused) ...
        if (!store_->SetKeyState(G(id), KeyState::kRetired, At(1)).ok()) ++wrong;
        if (store_->SetKeyState(G(id), KeyState::kActive, At(2)).code() !=
            ErrorCode::kInvalidArgument) {
          ++wrong;
        }
        // ... and one refused by a constraint, while others commit around them.
        User same;
        same.name = "same";
        same.role = "helpdesk";
        const Status user = store_->CreateUser(same);
        if (user.ok()) {
          ++users_created;
        } else if (user.code() != ErrorCode::kAlreadyExists) {
          ++wrong;
        }
        if (!store_->AppendAudit(AuditEntry(), TestHash).ok()) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(users_created.load(), 1);
  auto keys = store_->ListRecoveryKeys(kVolume);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), size_t{kThreads * kRounds});
  for (const RecoveryKey& key : *keys) EXPECT_EQ(key.state, KeyState::kRetired);
  auto audit = store_->ReadAudit(1, 1000);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), size_t{kThreads * kRounds});
  for (size_t i = 0; i < audit->size(); ++i) {
    EXPECT_EQ((*audit)[i].sequence, static_cast<int64_t>(i + 1));
  }
}

TEST_P(StoreTest, AtomicallyCommitsEveryCallTogetherOrNone) {
  AddComputerAndVolume();
  // A failure after some writes takes all of them back.
  const Status failed = store_->Atomically([&]() -> Status {
    EXPECT_TRUE(store_->EscrowRecoveryKey(MakeKey(kKey), Secret(kPassword1)).ok());
    EXPECT_TRUE(store_->GetRecoveryKey(kKey).ok());  // its own writes are visible inside
    return Status::IoError("the agent's report could not be finished");
  });
  EXPECT_EQ(failed.code(), ErrorCode::kIoError);
  EXPECT_EQ(store_->GetRecoveryKey(kKey).status().code(), ErrorCode::kNotFound);
  // Success commits all of it, nested Atomically calls included.
  ASSERT_TRUE(store_
                  ->Atomically([&]() -> Status {
                    LOCKBOX_RETURN_IF_ERROR(
                        store_->EscrowRecoveryKey(MakeKey(kKey), Secret(kPassword1)).status());
                    return store_->Atomically(
                        [&] { return store_->SetKeyState(kKey, KeyState::kDisclosed, At(3)); });
                  })
                  .ok());
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, KeyState::kDisclosed);
}

// A credential read once (SQLite keeps it for the next request) reads afterwards as the store
// has it after each kind of write that changes it: revocation, a new credential for its
// computer, a renamed computer, a refreshed last use, and a revocation inside Atomically.
TEST_P(StoreTest, MachineCredentialReadsAsStoredAfterEachWriteThatChangesIt) {
  ASSERT_TRUE(store_->UpsertComputer(MakeComputer()).ok());
  const auto read = [&](const std::string& id) {
    auto c = store_->GetMachineCredential(id);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c).value() : MachineCredential{};
  };
  ASSERT_TRUE(store_->CreateMachineCredential(MakeCredential("cred-1")).ok());
  EXPECT_EQ(read("cred-1").computer_name, "PC-Accounting-07");
  EXPECT_EQ(read("cred-1").revoked_at, std::nullopt);

  Computer renamed = MakeComputer();
  renamed.name = "PC-Accounting-08";
  ASSERT_TRUE(store_->UpsertComputer(renamed).ok());
  EXPECT_EQ(read("cred-1").computer_name, "PC-Accounting-08");

  ASSERT_TRUE(
      store_
          ->RecordContacts(
              {{.computer_id = kComputer, .at = At(5000), .users = {}, .credential_id = "cred-1"}})
          .ok());
  EXPECT_EQ(read("cred-1").last_used, At(5000));

  MachineCredential second = MakeCredential("cred-2");
  second.created_at = At(6000);
  ASSERT_TRUE(store_->CreateMachineCredential(second).ok());
  EXPECT_EQ(read("cred-1").revoked_at, At(6000));  // one computer, one credential
  EXPECT_EQ(read("cred-2").revoked_at, std::nullopt);

  // Inside Atomically: taken back with the rest when it fails, kept when it commits.
  const auto revoke_in_atomically = [&](Status end) {
    return store_->Atomically([&]() -> Status {
      LOCKBOX_RETURN_IF_ERROR(store_->RevokeMachineCredential("cred-2", At(7000)).status());
      return end;
    });
  };
  EXPECT_EQ(revoke_in_atomically(Status::IoError("the request failed")).code(),
            ErrorCode::kIoError);
  EXPECT_EQ(read("cred-2").revoked_at, std::nullopt);
  ASSERT_TRUE(revoke_in_atomically(Status::Ok()).ok());
  EXPECT_EQ(read("cred-2").revoked_at, At(7000));

  ASSERT_TRUE(store_->CreateMachineCredential(MakeCredential("cred-3")).ok());
  EXPECT_EQ(read("cred-3").revoked_at, std::nullopt);
  ASSERT_TRUE(store_->RevokeMachineCredential("cred-3", At(8000)).ok());
  EXPECT_EQ(read("cred-3").revoked_at, At(8000));
  EXPECT_EQ(store_->GetMachineCredential("cred-unknown").status().code(), ErrorCode::kNotFound);
}

// What a check-in compares its report with (a SQLite store keeps it in memory, as it does
// credentials) reads as stored after each write that changes it.
TEST_P(StoreTest, CheckInReadsAsStoredAfterEachWriteThatChangesIt) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  const auto digest = [&] {
    auto c = store_->GetCheckIn(kComputer);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? c->report_digest : std::vector<uint8_t>{0xee};
  };
  const std::vector<uint8_t> d1(32, 0xd1), d2(32, 0xd2);
  ASSERT_TRUE(store_->SetReportDigest(kComputer, d1).ok());
  EXPECT_EQ(digest(), d1);
  ASSERT_TRUE(store_->SetReportDigest(kComputer, d2).ok());
  EXPECT_EQ(digest(), d2);

  Computer renamed = MakeComputer();
  renamed.name = "PC-Accounting-08";
  ASSERT_TRUE(store_->UpsertComputer(renamed).ok());
  EXPECT_TRUE(digest().empty());
  ASSERT_TRUE(store_->SetReportDigest(kComputer, d1).ok());
  EXPECT_EQ(digest(), d1);

  Volume relabelled = MakeVolume(kVolume);
  relabelled.description = "Windows (relabelled)";
  ASSERT_TRUE(store_->UpsertVolume(relabelled).ok());
  EXPECT_TRUE(digest().empty());
  ASSERT_TRUE(store_->SetReportDigest(kComputer, d1).ok());
  EXPECT_EQ(digest(), d1);

  // Inside Atomically: taken back with the rest when it fails, kept when it commits.
  const auto set_in_atomically = [&](Status end) {
    return store_->Atomically([&]() -> Status {
      LOCKBOX_RETURN_IF_ERROR(store_->SetReportDigest(kComputer, d2));
      return end;
    });
  };
  EXPECT_EQ(set_in_atomically(Status::IoError("the request failed")).code(), ErrorCode::kIoError);
  EXPECT_EQ(digest(), d1);
  ASSERT_TRUE(set_in_atomically(Status::Ok()).ok());
  EXPECT_EQ(digest(), d2);

  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kDisclosed, At(1700000200)).ok());
  EXPECT_TRUE(digest().empty());
  EXPECT_EQ(store_->GetCheckIn(kComputer)->awaiting_rotation, std::vector<Guid>{kKey});
}

// A credential or a check-in read inside ReadTogether comes from its snapshot, which may
// predate a write committed meanwhile: what it read is not kept for later requests.
TEST_P(StoreTest, ReadsFromAnOlderSnapshotAreNotKept) {
  const std::vector<uint8_t> d1(32, 0xd1), d2(32, 0xd2);
  AddReadCredentialAndDigest(d1);
  // The writes go through the same store, whose caches they must reach, on another thread;
  // PostgreSQL's store has one connection, held by the ReadTogether, so there another store
  // writes (nothing is cached there).
  std::unique_ptr<Store> other;
  if (GetParam() == Backend::kPostgres) other = OpenStore(url_, master_).value();
  Store& writer = other ? *other : *store_;
  const Status read = store_->ReadTogether([&]() -> Status {
    EXPECT_TRUE(store_->GetComputer(kComputer).ok());  // the snapshot is taken here
    std::thread write([&] {
      EXPECT_TRUE(writer.RevokeMachineCredential("cred-1", At(2000)).ok());
      EXPECT_TRUE(writer.SetReportDigest(kComputer, d2).ok());
    });
    write.join();
    EXPECT_EQ(store_->GetMachineCredential("cred-1")->revoked_at, std::nullopt);
    EXPECT_EQ(store_->GetCheckIn(kComputer)->report_digest, d1);
    return Status::Ok();
  });
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->revoked_at, At(2000));
  EXPECT_EQ(store_->GetCheckIn(kComputer)->report_digest, d2);
}

// Another process's writes (here another store on the same database) reach what this store
// keeps in memory once it writes itself, as a server does every second its agents report.
TEST_P(StoreTest, WritesOfAnotherProcessAreSeenAfterTheNextWrite) {
  const std::vector<uint8_t> d1(32, 0xd1), d2(32, 0xd2);
  AddReadCredentialAndDigest(d1);
  {
    auto other = OpenStore(url_, master_);
    ASSERT_TRUE(other.ok()) << other.status().message();
    ASSERT_TRUE((*other)->RevokeMachineCredential("cred-1", At(2000)).ok());
    ASSERT_TRUE((*other)->SetReportDigest(kComputer, d2).ok());
  }
  ASSERT_TRUE(
      store_
          ->RecordContacts(
              {{.computer_id = kComputer, .at = At(1700000500), .users = {}, .credential_id = ""}})
          .ok());
  EXPECT_EQ(store_->GetMachineCredential("cred-1")->revoked_at, At(2000));
  EXPECT_EQ(store_->GetCheckIn(kComputer)->report_digest, d2);
}

// The caches start again only for another process's commits: the writer's own commits and
// checkpoints, also another process's checkpoint, are no sign of one.
TEST(SqliteDatabaseTest, CountsCommitsOfOtherConnectionsOnly) {
  char templ[] = "/tmp/lockbox-store-test-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const std::string path = std::string(templ) + "/lockbox.db";
  const auto write = [](internal::Database& db, int64_t n) {
    const Value v[] = {n};
    return db.Transact(TxMode::kWrite,
                       [&](Transaction& tx) { return tx.Exec("INSERT INTO t VALUES ($1)", v); });
  };
  {
    auto db = internal::OpenSqliteDatabase(path);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)
                    ->Transact(TxMode::kWrite,
                               [](Transaction& tx) { return tx.Exec("CREATE TABLE t (n BIGINT)"); })
                    .ok());
    for (int64_t i = 0; i < 50; ++i) ASSERT_TRUE(write(**db, i).ok());
    EXPECT_EQ((*db)->OutsideWrites(), 0u);
    {
      auto other = internal::OpenSqliteDatabase(path);
      ASSERT_TRUE(other.ok()) << other.status().message();
      ASSERT_TRUE(write(**other, 100).ok());
      ASSERT_TRUE(write(**db, 101).ok());
      EXPECT_EQ((*db)->OutsideWrites(), 1u);
    }  // the other one checkpoints as it closes
    for (int64_t i = 200; i < 250; ++i) ASSERT_TRUE(write(**db, i).ok());
    EXPECT_EQ((*db)->OutsideWrites(), 1u);
  }
  fs::remove_all(templ);
}

TEST_P(StoreTest, ReadTogetherReadsOneSnapshotAndRefusesWrites) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  auto other = OpenStore(url_, master_);  // another server on the same store
  ASSERT_TRUE(other.ok()) << other.status().message();
  const Status read = store_->ReadTogether([&]() -> Status {
    EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, KeyState::kActive);
    // A write commits meanwhile, and is not seen here.
    EXPECT_TRUE((*other)->SetKeyState(kKey, KeyState::kDisclosed, At(3)).ok());
    EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, KeyState::kActive);
    const Status write = store_->SetKeyState(kKey, KeyState::kRetired, At(4));
    EXPECT_EQ(write.code(), ErrorCode::kInternal) << write.message();
    EXPECT_NE(write.message().find("ReadTogether"), std::string::npos) << write.message();
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(store_->GetRecoveryKey(kKey)->state, KeyState::kDisclosed);
}

TEST_P(StoreTest, AcknowledgedWritesSurviveReopen) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  ASSERT_TRUE(store_->SetKeyState(kKey, KeyState::kDisclosed, At(5)).ok());
  store_.reset();
  auto reopened = OpenStore(url_, master_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->GetRecoveryKey(kKey)->state, KeyState::kDisclosed);
  EXPECT_EQ(Plain((*reopened)->OpenRecoveryPassword(kKey).value()), kPassword1);
}

// The files on disk (SQLite's, or PostgreSQL's whole data folder) hold no escrowed secret in
// clear text. The computer name, stored in clear, proves the scan reads the right bytes.
TEST_P(StoreTest, FilesAtRestHoldNoSecretInClearText) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  ASSERT_TRUE(store_->StoreKeyPackage(kKey, Secret("KEYPACKAGE-CLEARTEXT-MARK")).ok());
  ASSERT_TRUE(store_->StoreTpmOwnerAuth(kComputer, Secret("TPMAUTH-CLEARTEXT-MARK"), At(1)).ok());
  store_.reset();
  if (GetParam() == Backend::kPostgres) Raw("CHECKPOINT");
  std::string everything;
  for (const auto& entry : fs::recursive_directory_iterator(files_at_rest_)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    everything.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_NE(everything.find("PC-Accounting-07"), std::string::npos);
  EXPECT_EQ(everything.find(kPassword1), std::string::npos);
  EXPECT_EQ(everything.find("111111222222"), std::string::npos);
  EXPECT_EQ(everything.find("KEYPACKAGE-CLEARTEXT-MARK"), std::string::npos);
  EXPECT_EQ(everything.find("TPMAUTH-CLEARTEXT-MARK"), std::string::npos);
}

// --- Backup

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_P(StoreTest, BackupWhileAnotherConnectionWritesOpensWithTheSameMasterKey) {
  AddComputerAndVolume();
  Escrow(kKey, kPassword1);
  if (GetParam() == Backend::kPostgres) {
    const Status status = store_->Backup("/tmp/lockbox-never-written.db");
    EXPECT_EQ(status.code(), ErrorCode::kUnsupported);
    EXPECT_NE(status.message().find("pg_dump"), std::string::npos) << status.message();
    EXPECT_FALSE(fs::exists("/tmp/lockbox-never-written.db"));
    return;
  }
  // Another connection escrows keys all through the backup.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto other = OpenStore(url_, master_);
    ASSERT_TRUE(other.ok()) << other.status().message();
    for (int i = 1; !stop; ++i) {
      char id[37];
      std::snprintf(id, sizeof id, "%08x-0000-4000-8000-00000000000b", i);
      if ((*other)->EscrowRecoveryKey(MakeKey(G(id)), Secret(kPassword2)).ok()) ++written;
    }
  });
  while (written < 5) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string copy = temp_dir_ + "/backup.db";
  const Status status = store_->Backup(copy);
  const int written_before_done = written;
  stop = true;
  writer.join();
  ASSERT_TRUE(status.ok()) << status.message();

  EXPECT_EQ(fs::status(copy).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& entry : fs::directory_iterator(temp_dir_)) {
    EXPECT_EQ(entry.path().filename().string().find("backup.db."), std::string::npos)
        << entry.path() << " was left beside the backup";
  }
  EXPECT_EQ(ReadAll(copy).find(std::string(master_.data(), master_.data() + master_.size())),
            std::string::npos);

  EXPECT_EQ(OpenStore(copy, MasterKey(8)).status().code(), ErrorCode::kWrongKey);
  auto restored = OpenStore(copy, master_);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(Plain((*restored)->OpenRecoveryPassword(kKey).value()), kPassword1);
  auto keys = (*restored)->ListRecoveryKeys(kVolume);
  ASSERT_TRUE(keys.ok());
  EXPECT_GE(keys->size(), size_t{1 + 5});
  EXPECT_LE(keys->size(), size_t(1 + written_before_done));
  for (const RecoveryKey& key : *keys) {
    EXPECT_TRUE((*restored)->OpenRecoveryPassword(key.key_id).ok()) << key.key_id.ToString();
  }
}

TEST(SqliteStoreTest, BackupNeverReplacesAFile) {
  char templ[] = "/tmp/lockbox-store-test-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const std::string dir = templ;
  {
    auto store = OpenStore(dir + "/lockbox.db", MasterKey(7));
    ASSERT_TRUE(store.ok()) << store.status().message();
    std::ofstream(dir + "/taken.db") << "precious";
    const Status status = (*store)->Backup(dir + "/taken.db");
    EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(ReadAll(dir + "/taken.db"), "precious");
    EXPECT_EQ((*store)->Backup(dir + "/no-such-folder/copy.db").code(), ErrorCode::kIoError);
  }
  fs::remove_all(dir);
}

// SQLite's own settings: the durability promises of docs/store.md, and a private file.
TEST(SqliteStoreTest, UsesWalWithFullSyncInAPrivateFile) {
  char templ[] = "/tmp/lockbox-store-test-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const std::string path = std::string(templ) + "/lockbox.db";
  {
    auto db = internal::OpenDatabase(path);
    ASSERT_TRUE(db.ok()) << db.status().message();
    const Status status = (*db)->Transact(TxMode::kRead, [](Transaction& tx) -> Status {
      auto mode = tx.Query("PRAGMA journal_mode");
      auto sync = tx.Query("PRAGMA synchronous");
      auto foreign_keys = tx.Query("PRAGMA foreign_keys");
      if (!mode.ok() || !sync.ok() || !foreign_keys.ok()) return Status::Internal("pragma failed");
      EXPECT_EQ((*mode)[0].Text(0), "wal");
      EXPECT_EQ((*sync)[0].Int(0), 2);  // FULL
      EXPECT_EQ((*foreign_keys)[0].Int(0), 1);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
  }
  fs::remove_all(templ);
}

// Whether the SQLite store file at `path` grows past its first page within 10 s. A new
// store's schema is a few dozen pages, all in the log when OpenStore returns: the file itself
// holds only its first page (written when it became a WAL store) until a checkpoint copies
// the rest.
bool CheckpointedWithinTenSeconds(const std::string& path) {
  constexpr uintmax_t kFirstPageBytes = 4096;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fs::file_size(path) <= kFirstPageBytes && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fs::file_size(path) > kFirstPageBytes;
}

// The log is copied into the database file by the store's checkpointer, a second after a
// commit at the latest, not only once it is 1000 pages long (SQLite's automatic checkpoint,
// which the writer no longer runs inside its commits).
TEST(SqliteStoreTest, CheckpointsTheLogSoonAfterACommit) {
  char templ[] = "/tmp/lockbox-store-test-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const std::string path = std::string(templ) + "/lockbox.db";
  {
    auto store = OpenStore(path, MasterKey(7));
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->UpsertComputer(MakeComputer()).ok());
    EXPECT_TRUE(CheckpointedWithinTenSeconds(path)) << "nothing was checkpointed in 10 s";
    EXPECT_EQ((*store)->GetComputer(kComputer).value().name, MakeComputer().name);
  }
  fs::remove_all(templ);
}

// Commits and checkpoints wait while another process holds the writers' lock: a checkpoint
// beside a commit that restarts the log can corrupt the store in Debian's SQLite (the
// WAL-reset bug, docs/store.md). The test holds the lock file as another process would.
TEST(SqliteStoreTest, AnotherProcessHoldingTheWritersLockHoldsBackCommitsAndCheckpoints) {
  char templ[] = "/tmp/lockbox-store-test-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const std::string path = std::string(templ) + "/lockbox.db";
  {
    auto store = OpenStore(path, MasterKey(7));
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->UpsertComputer(MakeComputer()).ok());
    const int other = open((path + "-lock").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(other, 0) << "no lock file beside the store";
    ASSERT_EQ(flock(other, LOCK_EX), 0);
    const uintmax_t size_when_locked = fs::file_size(path);
    std::atomic<bool> written{false};
    std::thread writer([&] {
      Computer renamed = MakeComputer();
      renamed.name = "PC-RENAMED";
      written = (*store)->UpsertComputer(renamed).ok();
    });
    // Longer than the checkpointer's second, with the first commit's pages in the log.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_FALSE(written.load()) << "a commit ran while another process held the writers' lock";
    EXPECT_EQ(fs::file_size(path), size_when_locked)
        << "a checkpoint ran while another process held the writers' lock";
    ASSERT_EQ(flock(other, LOCK_UN), 0);
    close(other);
    writer.join();
    EXPECT_TRUE(written.load());
    EXPECT_EQ((*store)->GetComputer(kComputer).value().name, "PC-RENAMED");
    EXPECT_TRUE(CheckpointedWithinTenSeconds(path))
        << "nothing was checkpointed after the lock was freed";
  }
  fs::remove_all(templ);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                           return param.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace lockbox::store
