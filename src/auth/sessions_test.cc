#include "auth/sessions.h"

#include <gtest/gtest.h>

#include "auth/auth_test_util.h"
#include "auth/token.h"

namespace lockbox::auth {
namespace {

using service::Role;
using testing::AdminActor;
using testing::Plain;
using testing::Secret;

class SessionsTest : public testing::AuthFixture {
 protected:
  Sessions& sessions() { return auth_->sessions(); }

  NewSession Start(const std::string& user = "alice") {
    auto session = sessions().Start(Login(user));
    EXPECT_TRUE(session.ok()) << session.status().message();
    return session.ok() ? std::move(session).value() : NewSession{};
  }

  Result<SessionInfo> Use(const NewSession& session, SessionUse use = SessionUse::kAny) {
    return sessions().Authenticate(Plain(session.token), "10.1.1.1", use);
  }
};

TEST_P(SessionsTest, ASessionAuthenticatesItsUser) {
  AddUser("alice", Role::kAdvancedHelpdesk);
  const NewSession session = Start();
  EXPECT_TRUE(Plain(session.token).starts_with("lbx_ses_" + session.id + "_"));
  EXPECT_EQ(session.expires_at, now_ + options_.session_lifetime);
  const auto info = Use(session);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->actor.name, "alice");
  EXPECT_EQ(info->actor.role, Role::kAdvancedHelpdesk);
  EXPECT_EQ(info->actor.source, service::Source::kHelpdesk);
  EXPECT_EQ(info->session_id, session.id);
}

TEST_P(SessionsTest, StoresOnlyHashesOfTheTokens) {
  AddUser("alice");
  const NewSession session = Start();
  const store::Session stored = store_->GetSession(session.id).value();
  EXPECT_EQ(stored.token_hash, HashOf(Plain(session.token)));
  EXPECT_EQ(stored.csrf_hash, HashOf(Plain(session.csrf_token)));
}

TEST_P(SessionsTest, ExpiresAfterIdleTime) {
  options_.session_idle_timeout = std::chrono::minutes(30);
  Rebuild();
  AddUser("alice");
  const NewSession session = Start();
  // Use keeps it alive...
  for (int i = 0; i < 4; ++i) {
    now_ += std::chrono::minutes(20);
    ASSERT_TRUE(Use(session).ok()) << i;
  }
  // ...idleness ends it, for good.
  now_ += std::chrono::minutes(30);
  const auto idle = Use(session);
  EXPECT_EQ(idle.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(store_->GetSession(session.id).status().code(), ErrorCode::kNotFound);
}

TEST_P(SessionsTest, ExpiresAtTheAbsoluteLimitDespiteUse) {
  options_.session_lifetime = std::chrono::hours(2);
  Rebuild();
  AddUser("alice");
  const NewSession session = Start();
  for (int i = 0; i < 7; ++i) {
    now_ += std::chrono::minutes(17);
    ASSERT_TRUE(Use(session).ok()) << i;  // 119 minutes
  }
  now_ += std::chrono::minutes(1);
  EXPECT_EQ(Use(session).status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(SessionsTest, CsrfTokenMustBeTheSessionsOwn) {
  AddUser("alice");
  AddUser("bob");
  const NewSession alice = Start("alice");
  const NewSession bob = Start("bob");
  const SessionInfo info = Use(alice).value();
  EXPECT_TRUE(sessions().CheckCsrf(info, Plain(alice.csrf_token)).ok());
  EXPECT_EQ(sessions().CheckCsrf(info, Plain(bob.csrf_token)).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(sessions().CheckCsrf(info, "").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(sessions().CheckCsrf(info, Plain(alice.token)).code(), ErrorCode::kPermissionDenied);
}

TEST_P(SessionsTest, ForgedOrUnknownTokensAreRefused) {
  AddUser("alice");
  const NewSession session = Start();
  std::string forged = Plain(session.token);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(sessions().Authenticate(forged, "10.1.1.1").status().code(),
            ErrorCode::kUnauthenticated);
  const std::string other = Plain(NewToken(TokenKind::kSession)->text);
  EXPECT_EQ(sessions().Authenticate(other, "10.1.1.1").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(sessions().Authenticate("garbage", "10.1.1.1").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(Use(session).ok());
}

TEST_P(SessionsTest, LogoutEndsTheSession) {
  AddUser("alice");
  const NewSession session = Start();
  const NewSession other = Start();
  ASSERT_TRUE(sessions().Logout(Plain(session.token)).ok());
  EXPECT_EQ(Use(session).status().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(sessions().Logout(Plain(session.token)).ok());  // twice is fine
  EXPECT_TRUE(Use(other).ok());
}

TEST_P(SessionsTest, AnAdminRevokesAnotherUsersSessionAndThatIsAudited) {
  AddUser("alice");
  AddUser("bob");
  const NewSession session = Start("alice");
  const SessionInfo bob = Use(Start("bob")).value();
  EXPECT_EQ(sessions().Revoke(bob.actor, session.id).code(), ErrorCode::kPermissionDenied);
  ASSERT_EQ(sessions().List(AdminActor(), "alice")->size(), 1u);
  ASSERT_TRUE(sessions().Revoke(AdminActor(), session.id).ok());
  EXPECT_EQ(Use(session).status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(Audit().back().reason, "session revoked");
  EXPECT_EQ(Audit().back().end_user, "alice");
}

TEST_P(SessionsTest, MustChangePasswordLimitsTheSession) {
  ASSERT_TRUE(accounts()
                  .CreateUser(AdminActor(),
                              {.name = "carol", .display_name = "C", .role = Role::kHelpdesk},
                              Secret("initial password 1"))
                  .ok());
  const LoginResult login = Login("carol", "initial password 1");
  ASSERT_TRUE(login.must_change_password);
  const NewSession session = sessions().Start(login).value();
  EXPECT_EQ(Use(session).status().code(), ErrorCode::kPermissionDenied);
  const auto for_change = Use(session, SessionUse::kChangePassword);
  ASSERT_TRUE(for_change.ok());
  EXPECT_TRUE(for_change->must_change_password);
  ASSERT_TRUE(accounts()
                  .ChangePassword("carol", Secret("initial password 1"),
                                  Secret("my own new password"), "10.1.1.1")
                  .ok());
  // Changing the password ended every session; the new one is unrestricted.
  EXPECT_EQ(Use(session, SessionUse::kChangePassword).status().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(Use(sessions().Start(Login("carol", "my own new password")).value()).ok());
}

TEST_P(SessionsTest, DisablingOrResettingEndsSessionsAndRoleChangesApplyAtOnce) {
  AddUser("alice");
  const NewSession session = Start();
  ASSERT_TRUE(accounts().SetRole(AdminActor(), "alice", Role::kReportReader).ok());
  EXPECT_EQ(Use(session)->actor.role, Role::kReportReader);
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "alice", true).ok());
  EXPECT_EQ(Use(session).status().code(), ErrorCode::kUnauthenticated);
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "alice", false).ok());
  EXPECT_EQ(Use(session).status().code(), ErrorCode::kUnauthenticated);  // stays ended
  const NewSession again = Start();
  ASSERT_TRUE(accounts().ResetPassword(AdminActor(), "alice", Secret("temporary password")).ok());
  EXPECT_EQ(Use(again).status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(SessionsTest, StartingASessionRemovesExpiredOnes) {
  AddUser("alice");
  const NewSession old = Start();
  now_ += options_.session_idle_timeout;
  Start();
  EXPECT_EQ(store_->GetSession(old.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListSessions("alice")->size(), 1u);
}

LOCKBOX_AUTH_BACKENDS(SessionsTest);

}  // namespace
}  // namespace lockbox::auth
