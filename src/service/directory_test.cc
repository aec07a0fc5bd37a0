#include "service/directory.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "service/service_test_util.h"

namespace lockbox::service {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

const Guid kBackupVolume = G("9f595209-f5b9-49a0-85d4-cb8f80258c27");

class DirectoryTest : public ServiceTest {
 protected:
  DirectoryService Directory() { return DirectoryService(*store_); }

  // PC-07 (kComputer, a volume "Windows", user alice) and PC-08 (kOtherComputer, a volume
  // "PC-08 BACKUP 1/2/2024", user bob), both reported by their agents.
  void ReportTwoComputers() {
    Escrow(MakeReport());
    EscrowReport other = MakeReport(kNewKey, kPassword2, kBackupVolume, kOtherComputer);
    other.computer.name = "PC-08";
    other.volumes[0].volume.description = "PC-08 BACKUP 1/2/2024";
    other.users = {"contoso\\bob"};
    Escrow(other, Agent(kOtherComputer));
  }

  std::vector<std::string> Names(std::string_view query,
                                 const Actor& actor = Person("rita", Role::kReportReader)) {
    std::vector<std::string> names;
    auto found = Directory().SearchComputers(actor, query);
    EXPECT_TRUE(found.ok()) << found.status().message();
    if (found.ok()) {
      for (const store::Computer& c : found->computers) names.push_back(c.name);
    }
    return names;
  }
};

using NameList = std::vector<std::string>;

TEST_P(DirectoryTest, SearchFindsByNamePrefixOrDriveDescriptionWord) {
  ReportTwoComputers();
  EXPECT_EQ(Names("pc-0"), (NameList{"PC-07", "PC-08"}));
  EXPECT_EQ(Names("  PC-07 "), NameList{"PC-07"});
  EXPECT_EQ(Names("backup"), NameList{"PC-08"});
  EXPECT_EQ(Names("WINDOWS"), NameList{"PC-07"});
  EXPECT_EQ(Names("c-07"), NameList{});
}

TEST_P(DirectoryTest, SearchIsBoundedAndSaysWhenTruncated) {
  for (size_t i = 0; i <= kMaxSearchResults; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "LAB-%03zu", i);
    char id[37];
    std::snprintf(id, sizeof id, "%08zx-0000-4000-8000-000000000000", i);
    ASSERT_TRUE(store_
                    ->UpsertComputer({.id = G(id),
                                      .name = name,
                                      .domain = "",
                                      .os = "",
                                      .hardware_ids = {},
                                      .last_contact = std::nullopt})
                    .ok());
  }
  const Actor admin = Person("root", Role::kAdmin);
  auto all = Directory().SearchComputers(admin, "lab-");
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->computers.size(), kMaxSearchResults);
  EXPECT_TRUE(all->truncated);
  EXPECT_EQ(all->computers.front().name, "LAB-000");
  auto some = Directory().SearchComputers(admin, "lab-00");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->computers.size(), 10u);
  EXPECT_FALSE(some->truncated);
}

TEST_P(DirectoryTest, SearchTakesOneWord) {
  const Actor admin = Person("root", Role::kAdmin);
  const std::vector<std::string_view> queries = {"", "   ", "pc 07", "pc\x01",
                                                 std::string_view("x\0y", 3)};
  for (std::string_view query : queries) {
    EXPECT_EQ(Directory().SearchComputers(admin, query).status().code(),
              ErrorCode::kInvalidArgument)
        << query;
  }
}

TEST_P(DirectoryTest, DetailsShowVolumesProtectorsKeysAndUsers) {
  ReportTwoComputers();
  ASSERT_TRUE(store_->SetKeyState(kKey, store::KeyState::kDisclosed, now_).ok());
  auto record = Directory().ComputerDetails(Person("ann", Role::kAdvancedHelpdesk), kComputer);
  ASSERT_TRUE(record.ok()) << record.status().message();
  EXPECT_EQ(record->computer.name, "PC-07");
  ASSERT_EQ(record->volumes.size(), 1u);
  EXPECT_EQ(record->volumes[0].volume.drive_letter, "C:");
  EXPECT_EQ(record->volumes[0].volume.protectors.size(), 2u);
  ASSERT_EQ(record->volumes[0].keys.size(), 1u);
  EXPECT_EQ(record->volumes[0].keys[0].key_id, kKey);
  EXPECT_EQ(record->volumes[0].keys[0].state, store::KeyState::kDisclosed);
  EXPECT_EQ(record->volumes[0].keys[0].state_changed_at, now_);
  ASSERT_EQ(record->users.size(), 1u);
  EXPECT_EQ(record->users[0].user, "contoso\\alice");
  EXPECT_EQ(Directory().ComputerDetails(Person("ann", Role::kAdmin), kTpmProtector).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(DirectoryTest, OnlyAdvancedHelpdeskAdminsAndReportReadersBrowse) {
  ReportTwoComputers();
  for (Role role : {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kReportReader}) {
    EXPECT_EQ(Names("pc", Person("x", role)).size(), 2u);
    EXPECT_TRUE(Directory().ComputerDetails(Person("x", role), kComputer).ok());
  }
  for (Role role : {Role::kHelpdesk, Role::kSelfServiceUser, Role::kAgent, Role::kDataMigration}) {
    EXPECT_EQ(Directory().SearchComputers(Person("x", role), "pc").status().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(Directory().ComputerDetails(Person("x", role), kComputer).status().code(),
              ErrorCode::kPermissionDenied);
  }
}

TEST_P(DirectoryTest, SelfServiceUserSeesOnlyTheirOwnComputers) {
  ReportTwoComputers();
  auto own = Directory().ComputersOfUser(
      Person("CONTOSO\\Alice", Role::kSelfServiceUser, Source::kSelfService));
  ASSERT_TRUE(own.ok()) << own.status().message();
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ((*own)[0].computer.id, kComputer);
  ASSERT_EQ((*own)[0].volumes.size(), 1u);
  EXPECT_EQ((*own)[0].volumes[0].id, kVolume);
  EXPECT_TRUE(
      Directory().ComputersOfUser(Person("contoso\\carol", Role::kSelfServiceUser))->empty());
  EXPECT_EQ(Directory().ComputersOfUser(Person("contoso\\alice", Role::kHelpdesk)).status().code(),
            ErrorCode::kPermissionDenied);
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectoryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::service
