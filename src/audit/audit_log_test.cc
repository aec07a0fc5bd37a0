#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "postgres.h"
#include "store/store.h"

namespace lockbox::audit {
namespace {

namespace fs = std::filesystem;

store::AuditEntry Entry(std::string actor, std::string result) {
  store::AuditEntry e;
  e.time = store::Time(std::chrono::seconds(1700000000));
  e.actor = std::move(actor);
  e.role = "helpdesk";
  e.source = "helpdesk";
  e.computer = "PC-07";
  e.key_id = "4381f759-c4f8-4de0-bb61-fc33a831bda5";
  e.key_type = "recovery_password";
  e.reason = "Lost PIN";
  e.end_user = "contoso\\alice";
  e.result = std::move(result);
  return e;
}

crypto::SecretBytes Master() { return crypto::SecretBytes(std::vector<uint8_t>(32, 5)); }

TEST(HashEntryTest, FieldBoundariesChangeTheHash) {
  store::AuditEntry a = Entry("ab", "ok");
  a.role = "c";
  store::AuditEntry b = Entry("a", "ok");
  b.role = "bc";
  EXPECT_NE(HashEntry(a), HashEntry(b));
  EXPECT_EQ(HashEntry(a).size(), 32u);
}

TEST(HashEntryTest, EveryFieldIsCovered) {
  const store::AuditEntry base = Entry("alice", "disclosed");
  const auto base_hash = HashEntry(base);
  std::vector<store::AuditEntry> changed(12, base);
  changed[0].sequence = 2;
  changed[1].time += std::chrono::seconds(1);
  changed[2].actor = "bob";
  changed[3].role = "admin";
  changed[4].source = "api";
  changed[5].computer = "PC-08";
  changed[6].key_id = "x";
  changed[7].key_type = "key_package";
  changed[8].reason = "Lost Startup key";
  changed[9].end_user = "contoso\\bob";
  changed[10].result = "refused";
  changed[11].prev_hash = {1};
  for (size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(HashEntry(changed[i]), base_hash) << "field " << i;
  }
  store::AuditEntry with_hash = base;
  with_hash.hash = {9, 9};
  EXPECT_EQ(HashEntry(with_hash), base_hash);  // the hash does not cover itself
}

// A SQLite store with five entries, and raw SQL on its file to damage them.
class AuditTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/lockbox-audit-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    path_ = dir_ + "/lockbox.db";
    auto opened = store::OpenStore(path_, Master());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    log_ = std::make_unique<AuditLog>(*store_);
    for (const char* actor : {"alice", "bob", "carol", "dave", "erin"}) {
      auto appended = log_->Append(Entry(actor, "disclosed"));
      ASSERT_TRUE(appended.ok()) << appended.status().message();
    }
  }
  void TearDown() override {
    log_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  ChainReport Verify() {
    auto report = log_->Verify();
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : ChainReport{};
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditTamperTest, IntactChainVerifiesWithItsCount) {
  const ChainReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.entries_checked, 5);
  EXPECT_EQ(report.last_hash, store_->ReadAudit(5, 1)->at(0).hash);
}

TEST_F(AuditTamperTest, AppendChainsEachEntryToThePrevious) {
  auto entries = store_->ReadAudit(1, 10).value();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_TRUE(entries[0].prev_hash.empty());
  for (size_t i = 1; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
    EXPECT_EQ(entries[i].hash, HashEntry(entries[i]));
  }
}

TEST_F(AuditTamperTest, ChangedFieldNamesThatEntry) {
  Sql("UPDATE audit SET result = 'refused' WHERE sequence = 3");
  const ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_sequence, 3);
  EXPECT_NE(report.problem.find("entry 3 was altered"), std::string::npos) << report.problem;
}

TEST_F(AuditTamperTest, ChangedTimeNamesThatEntry) {
  Sql("UPDATE audit SET time = time + 3600 WHERE sequence = 4");
  EXPECT_EQ(Verify().bad_sequence, 4);
}

TEST_F(AuditTamperTest, DeletedRowNamesTheMissingEntry) {
  Sql("DELETE FROM audit WHERE sequence = 2");
  const ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_sequence, 2);
  EXPECT_NE(report.problem.find("entry 2 is missing"), std::string::npos) << report.problem;
}

TEST_F(AuditTamperTest, DeletedFirstRowIsFound) {
  Sql("DELETE FROM audit WHERE sequence = 1");
  EXPECT_EQ(Verify().bad_sequence, 1);
}

// Deleting a row and renumbering the rest closes the gap, but not the hash chain.
TEST_F(AuditTamperTest, DeletedAndRenumberedRowBreaksTheChainThere) {
  Sql("DELETE FROM audit WHERE sequence = 2;"
      "UPDATE audit SET sequence = sequence - 1 WHERE sequence > 2");
  const ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_sequence, 2);
  EXPECT_NE(report.problem.find("removed or reordered"), std::string::npos) << report.problem;
}

TEST_F(AuditTamperTest, SwappedRowsNameTheFirstOutOfPlace) {
  Sql("UPDATE audit SET sequence = 100 WHERE sequence = 3;"
      "UPDATE audit SET sequence = 3 WHERE sequence = 4;"
      "UPDATE audit SET sequence = 4 WHERE sequence = 100");
  const ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_sequence, 3);
}

// Rewriting an entry and its own hash still breaks the link from the next entry.
TEST_F(AuditTamperTest, RehashedEntryIsCaughtByItsSuccessor) {
  auto entry = store_->ReadAudit(2, 1)->at(0);
  entry.actor = "mallory";
  std::string hex;
  for (uint8_t b : HashEntry(entry)) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  Sql("UPDATE audit SET actor = 'mallory', hash = X'" + hex + "' WHERE sequence = 2");
  const ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_sequence, 3);
}

TEST_F(AuditTamperTest, AppendsAfterVerificationContinueTheChain) {
  ASSERT_TRUE(log_->Append(Entry("frank", "refused")).ok());
  const ChainReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.entries_checked, 6);
}

TEST(AuditPostgresTest, ChainVerifiesOnPostgres) {
  LOCKBOX_POSTGRES_DATABASE_OR_SKIP(pg);
  auto opened = store::OpenStore(pg.url, Master());
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  AuditLog log(**opened);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log.Append(Entry("alice", "disclosed")).ok());
  auto report = log.Verify();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries_checked, 3);
}

}  // namespace
}  // namespace lockbox::audit
