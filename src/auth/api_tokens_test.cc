#include "auth/api_tokens.h"

#include <gtest/gtest.h>

#include "auth/auth_test_util.h"
#include "auth/token.h"

namespace lockbox::auth {
namespace {

using service::Role;
using testing::AdminActor;
using testing::Plain;

constexpr std::chrono::seconds kDay = std::chrono::hours(24);

class ApiTokensTest : public testing::AuthFixture {
 protected:
  ApiTokens& tokens() { return auth_->api_tokens(); }

  NewApiToken Create(const std::string& owner, Role role,
                     std::chrono::seconds lifetime = 30 * kDay) {
    auto token = tokens().Create(AdminActor(), owner, role, lifetime, "nightly report");
    EXPECT_TRUE(token.ok()) << token.status().message();
    return token.ok() ? std::move(token).value() : NewApiToken{};
  }

  Result<service::Actor> Use(const NewApiToken& token) {
    return auth_->AuthenticateBearer(Plain(token.token), "198.51.100.7");
  }
};

TEST_P(ApiTokensTest, TokenActsAsItsOwnerWithItsRole) {
  AddUser("alice", Role::kAdmin);
  const NewApiToken token = Create("alice", Role::kReportReader);
  EXPECT_TRUE(Plain(token.token).starts_with("lbx_api_" + token.record.id + "_"));
  const auto actor = Use(token);
  ASSERT_TRUE(actor.ok()) << actor.status().message();
  EXPECT_EQ(actor->name, "alice");
  EXPECT_EQ(actor->role, Role::kReportReader);
  EXPECT_EQ(actor->source, service::Source::kApi);
  EXPECT_EQ(actor->address, "198.51.100.7");
  EXPECT_EQ(store_->GetApiToken(token.record.id)->token_hash, HashOf(Plain(token.token)));
}

TEST_P(ApiTokensTest, RoleCannotExceedTheOwners) {
  AddUser("helen", Role::kHelpdesk);
  const auto admin_token = tokens().Create(AdminActor(), "helen", Role::kAdmin, kDay, "escalation");
  EXPECT_EQ(admin_token.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(tokens().Create(AdminActor(), "helen", Role::kReportReader, kDay, "").status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(tokens().Create(AdminActor(), "helen", Role::kHelpdesk, kDay, "").ok());
  EXPECT_TRUE(store_->ListApiTokens()->size() == 1u);
}

TEST_P(ApiTokensTest, RoleWithinFollowsTheTable) {
  EXPECT_TRUE(RoleWithin(Role::kHelpdesk, Role::kAdmin));
  EXPECT_TRUE(RoleWithin(Role::kReportReader, Role::kAdvancedHelpdesk));
  EXPECT_FALSE(RoleWithin(Role::kAdvancedHelpdesk, Role::kHelpdesk));
  EXPECT_FALSE(RoleWithin(Role::kDataMigration, Role::kAdmin));
  EXPECT_FALSE(RoleWithin(Role::kAgent, Role::kAdmin));
  EXPECT_TRUE(RoleWithin(Role::kDataMigration, Role::kDataMigration));
}

TEST_P(ApiTokensTest, ServiceAccountsGetTokens) {
  ASSERT_TRUE(accounts()
                  .CreateServiceAccount(AdminActor(), {.name = "migrator",
                                                       .display_name = "AD migration",
                                                       .role = Role::kDataMigration})
                  .ok());
  const NewApiToken token = Create("migrator", Role::kDataMigration);
  EXPECT_EQ(Use(token)->role, Role::kDataMigration);
}

TEST_P(ApiTokensTest, ExpiredTokensAreRefused) {
  AddUser("alice");
  const NewApiToken token = Create("alice", Role::kHelpdesk, kDay);
  now_ += kDay - std::chrono::seconds(1);
  EXPECT_TRUE(Use(token).ok());
  now_ += std::chrono::seconds(1);
  const auto expired = Use(token);
  EXPECT_EQ(expired.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
}

TEST_P(ApiTokensTest, RevokedTokensAreRefusedAndRevocationIsAudited) {
  AddUser("alice");
  const NewApiToken token = Create("alice", Role::kHelpdesk);
  ASSERT_TRUE(tokens().Revoke(AdminActor(), token.record.id).ok());
  const auto revoked = Use(token);
  EXPECT_EQ(revoked.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  EXPECT_EQ(store_->GetApiToken(token.record.id)->revoked_at, now_);
  const store::AuditEntry entry = Audit().back();
  EXPECT_EQ(entry.reason, "API token revoked");
  EXPECT_EQ(entry.result, "token " + token.record.id + " of alice");
  EXPECT_TRUE(tokens().Revoke(AdminActor(), token.record.id).ok());  // again: nothing new
  EXPECT_EQ(Audit().back().sequence, entry.sequence);
  EXPECT_EQ(tokens().Revoke(AdminActor(), "0000000000000000").code(), ErrorCode::kNotFound);
}

TEST_P(ApiTokensTest, CreationIsAuditedWithoutTheToken) {
  AddUser("alice");
  const NewApiToken token = Create("alice", Role::kHelpdesk, 30 * kDay);
  const store::AuditEntry entry = Audit().back();
  EXPECT_EQ(entry.reason, "API token created");
  EXPECT_EQ(entry.actor, "root");
  EXPECT_EQ(entry.end_user, "alice");
  EXPECT_EQ(entry.result, "token " + token.record.id +
                              " for alice, role helpdesk, expires 2023-12-14T22:13:20Z, "
                              "\"nightly report\"");
  EXPECT_EQ(entry.result.find(Plain(token.token)), std::string::npos);
}

TEST_P(ApiTokensTest, ForgedTokenWithAKnownIdIsRefusedWithoutDetail) {
  AddUser("alice");
  const NewApiToken token = Create("alice", Role::kHelpdesk);
  ASSERT_TRUE(tokens().Revoke(AdminActor(), token.record.id).ok());
  std::string forged = Plain(token.token);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const auto refused = auth_->AuthenticateBearer(forged, "10.0.0.1");
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(refused.status().message().find("revoked"), std::string::npos);
}

TEST_P(ApiTokensTest, OwnerDisabledOrDemotedStopsTheToken) {
  AddUser("alice", Role::kAdvancedHelpdesk);
  const NewApiToken token = Create("alice", Role::kAdvancedHelpdesk);
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "alice", true).ok());
  EXPECT_EQ(Use(token).status().code(), ErrorCode::kUnauthenticated);
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "alice", false).ok());
  EXPECT_TRUE(Use(token).ok());
  ASSERT_TRUE(accounts().SetRole(AdminActor(), "alice", Role::kHelpdesk).ok());
  EXPECT_EQ(Use(token).status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(ApiTokensTest, LastUseIsRecordedAtMostOnceAMinute) {
  AddUser("alice");
  const NewApiToken token = Create("alice", Role::kHelpdesk);
  EXPECT_EQ(store_->GetApiToken(token.record.id)->last_used, std::nullopt);
  ASSERT_TRUE(Use(token).ok());
  const store::Time first = now_;
  EXPECT_EQ(store_->GetApiToken(token.record.id)->last_used, first);
  now_ += std::chrono::seconds(30);
  ASSERT_TRUE(Use(token).ok());
  EXPECT_EQ(store_->GetApiToken(token.record.id)->last_used, first);
  now_ += std::chrono::seconds(30);
  ASSERT_TRUE(Use(token).ok());
  EXPECT_EQ(store_->GetApiToken(token.record.id)->last_used, now_);
}

TEST_P(ApiTokensTest, LifetimeIsBoundedAndOnlyAdminsCreate) {
  AddUser("alice");
  EXPECT_EQ(tokens()
                .Create(AdminActor(), "alice", Role::kHelpdesk,
                        options_.max_api_token_lifetime + std::chrono::seconds(1), "")
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tokens()
                .Create(AdminActor(), "alice", Role::kHelpdesk, std::chrono::seconds(0), "")
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  const service::Actor alice = Login("alice").actor;
  EXPECT_EQ(tokens().Create(alice, "alice", Role::kHelpdesk, kDay, "").status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(tokens().List(alice).status().code(), ErrorCode::kPermissionDenied);
}

TEST_P(ApiTokensTest, BearerOfAnotherKindIsRefused) {
  EXPECT_EQ(auth_->AuthenticateBearer("ghp_abcdef", "10.0.0.1").status().code(),
            ErrorCode::kUnauthenticated);
  const std::string session = Plain(NewToken(TokenKind::kSession)->text);
  EXPECT_EQ(auth_->AuthenticateBearer(session, "10.0.0.1").status().code(),
            ErrorCode::kUnauthenticated);
}

LOCKBOX_AUTH_BACKENDS(ApiTokensTest);

}  // namespace
}  // namespace lockbox::auth
