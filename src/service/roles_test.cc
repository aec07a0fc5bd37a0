#include "service/roles.h"

#include <gtest/gtest.h>

namespace lockbox::service {
namespace {

Actor WithRole(Role role) {
  Actor actor;
  actor.name = "x";
  actor.role = role;
  return actor;
}

bool Allowed(Role role, Operation operation) { return Authorize(WithRole(role), operation).ok(); }

TEST(RolesTest, StandardHelpdeskReadsRecoveryPasswordsOnly) {
  EXPECT_TRUE(Allowed(Role::kHelpdesk, Operation::kRecoverPassword));
  for (Operation op : {Operation::kRecoverRetiredPassword, Operation::kRecoverKeyPackage,
                       Operation::kRecoverTpmOwnerAuth, Operation::kListKeys,
                       Operation::kForceRotation, Operation::kMigrate, Operation::kEscrow}) {
    EXPECT_FALSE(Allowed(Role::kHelpdesk, op));
  }
}

TEST(RolesTest, AdvancedHelpdeskAlsoReadsPackagesTpmAndHistory) {
  for (Operation op :
       {Operation::kRecoverPassword, Operation::kRecoverRetiredPassword,
        Operation::kRecoverKeyPackage, Operation::kRecoverTpmOwnerAuth, Operation::kListKeys}) {
    EXPECT_TRUE(Allowed(Role::kAdvancedHelpdesk, op));
  }
  EXPECT_FALSE(Allowed(Role::kAdvancedHelpdesk, Operation::kForceRotation));
}

TEST(RolesTest, ReportReaderSeesNoSecret) {
  EXPECT_TRUE(Allowed(Role::kReportReader, Operation::kListKeys));
  for (Operation op : {Operation::kRecoverPassword, Operation::kRecoverRetiredPassword,
                       Operation::kRecoverKeyPackage, Operation::kRecoverTpmOwnerAuth}) {
    EXPECT_FALSE(Allowed(Role::kReportReader, op));
  }
}

TEST(RolesTest, AgentEscrowsButNeverReadsARecoveryPassword) {
  EXPECT_TRUE(Allowed(Role::kAgent, Operation::kEscrow));
  EXPECT_TRUE(Allowed(Role::kAgent, Operation::kAgentTpmUnlock));
  EXPECT_FALSE(Allowed(Role::kAgent, Operation::kRecoverPassword));
  EXPECT_FALSE(Allowed(Role::kAgent, Operation::kRecoverTpmOwnerAuth));
}

TEST(RolesTest, DataMigrationOnlyMigratesAndAdminsMayToo) {
  EXPECT_TRUE(Allowed(Role::kDataMigration, Operation::kMigrate));
  for (Operation op : {Operation::kRecoverPassword, Operation::kListKeys, Operation::kEscrow}) {
    EXPECT_FALSE(Allowed(Role::kDataMigration, op));
  }
  EXPECT_TRUE(Allowed(Role::kAdmin, Operation::kMigrate));
  for (Role role : {Role::kHelpdesk, Role::kAdvancedHelpdesk, Role::kReportReader,
                    Role::kSelfServiceUser, Role::kAgent}) {
    EXPECT_FALSE(Allowed(role, Operation::kMigrate));
  }
}

TEST(RolesTest, ComputerDirectoryIsForAdvancedHelpdeskAdminsAndReportReaders) {
  for (Role role : {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kReportReader}) {
    EXPECT_TRUE(Allowed(role, Operation::kBrowseComputers));
    EXPECT_FALSE(Allowed(role, Operation::kListOwnComputers));
  }
  for (Role role : {Role::kHelpdesk, Role::kSelfServiceUser, Role::kAgent, Role::kDataMigration}) {
    EXPECT_FALSE(Allowed(role, Operation::kBrowseComputers));
  }
  EXPECT_TRUE(Allowed(Role::kSelfServiceUser, Operation::kListOwnComputers));
  for (Role role : {Role::kHelpdesk, Role::kAgent, Role::kDataMigration}) {
    EXPECT_FALSE(Allowed(role, Operation::kListOwnComputers));
  }
}

TEST(RolesTest, OnlyAdminsAndReportReadersReadTheAuditLogAndReports) {
  for (Operation operation : {Operation::kReadAudit, Operation::kReadReports}) {
    for (Role role : {Role::kAdmin, Role::kReportReader}) {
      EXPECT_TRUE(Allowed(role, operation));
    }
    for (Role role : {Role::kHelpdesk, Role::kAdvancedHelpdesk, Role::kDataMigration,
                      Role::kSelfServiceUser, Role::kAgent}) {
      EXPECT_FALSE(Allowed(role, operation));
    }
  }
}

TEST(RolesTest, RefusalNamesRoleAndOperation) {
  const Status s = Authorize(WithRole(Role::kReportReader), Operation::kRecoverPassword);
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "the role report-reader may not read recovery passwords");
}

TEST(RolesTest, RoleNamesRoundTrip) {
  for (Role role : {Role::kAdmin, Role::kHelpdesk, Role::kAdvancedHelpdesk, Role::kReportReader,
                    Role::kDataMigration, Role::kSelfServiceUser, Role::kAgent}) {
    EXPECT_EQ(ParseRole(NameOf(role)), role);
  }
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

}  // namespace
}  // namespace lockbox::service
