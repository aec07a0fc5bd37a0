#include "auth/accounts.h"

#include <gtest/gtest.h>

#include "auth/auth_test_util.h"
#include "auth/password_hash.h"

namespace lockbox::auth {
namespace {

using service::Role;
using testing::AdminActor;
using testing::kAlicePassword;
using testing::Plain;
using testing::Secret;

class AccountsTest : public testing::AuthFixture {};

TEST_P(AccountsTest, FirstAdminGetsAOneTimePasswordToChangeAtFirstSignIn) {
  auto password = accounts().CreateFirstAdmin("Root");
  ASSERT_TRUE(password.ok()) << password.status().message();
  EXPECT_EQ(Plain(*password).size(), 23u);  // xxxxx-xxxxx-xxxxx-xxxxx
  const LoginResult login = Login("root", Plain(*password));
  EXPECT_EQ(login.actor.name, "root");
  EXPECT_EQ(login.actor.role, Role::kAdmin);
  EXPECT_TRUE(login.must_change_password);
  ASSERT_TRUE(accounts()
                  .ChangePassword("root", *password, Secret("a new long admin password"), "::1")
                  .ok());
  EXPECT_FALSE(Login("root", "a new long admin password").must_change_password);
}

TEST_P(AccountsTest, FirstAdminIsCreatedOnlyOnce) {
  ASSERT_TRUE(accounts().CreateFirstAdmin("root").ok());
  const auto again = accounts().CreateFirstAdmin("root2");
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->ListUsers()->size(), 1u);
}

TEST_P(AccountsTest, OneTimePasswordsDiffer) {
  const auto first = accounts().CreateFirstAdmin("root");
  ASSERT_TRUE(first.ok());
  auto user = store_->GetUser("root");
  user->role = "helpdesk";  // no admin any more, so another first admin may be made
  ASSERT_TRUE(store_->UpdateUser(*user).ok());
  const auto second = accounts().CreateFirstAdmin("root2");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(Plain(*first), Plain(*second));
}

TEST_P(AccountsTest, StoresOnlyAnArgon2idHashOfThePassword) {
  AddUser("alice");
  const store::User user = store_->GetUser("alice").value();
  EXPECT_TRUE(user.password_hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
  EXPECT_TRUE(VerifyPassword(Secret(kAlicePassword), user.password_hash));
  EXPECT_EQ(user.password_hash.find(kAlicePassword), std::string::npos);
}

TEST_P(AccountsTest, UserNamesAreCaseInsensitiveAndChecked) {
  AddUser("Alice");
  EXPECT_EQ(Login("ALICE").actor.name, "alice");
  EXPECT_EQ(NormalizeUserName("CONTOSO\\Bob").value(), "contoso\\bob");
  EXPECT_EQ(NormalizeUserName("bob smith").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(NormalizeUserName("-bob").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(NormalizeUserName("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(NormalizeUserName(std::string(65, 'a')).status().code(), ErrorCode::kInvalidArgument);
  const auto duplicate = accounts().CreateUser(
      AdminActor(), {.name = "ALICE", .display_name = "", .role = Role::kHelpdesk},
      Secret("another long password"));
  EXPECT_EQ(duplicate.status().code(), ErrorCode::kAlreadyExists);
}

TEST_P(AccountsTest, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  AddUser("alice");
  const auto wrong = accounts().Login("alice", Secret("wrong password here"), "10.1.1.1");
  const auto unknown = accounts().Login("mallory", Secret("wrong password here"), "10.1.1.2");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(unknown.status().code(), wrong.status().code());
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  EXPECT_EQ(wrong.status().message(), kLoginFailed);
}

// Both paths run one argon2id verification; with the production cost (tens of ms) the
// difference of a store lookup is small against it. Skipping the verification would make the
// unknown-user path hundreds of times faster, so wide bounds catch that on a busy machine too.
TEST_P(AccountsTest, UnknownUserAndWrongPasswordTakeSimilarTime) {
  options_.password_hash = PasswordHashParams{};
  options_.login_attempts_per_user = 100;
  options_.login_attempts_per_address = 100;
  Rebuild();
  AddUser("alice");
  const auto time = [&](const char* name) -> double {
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
      const auto start = std::chrono::steady_clock::now();
      EXPECT_FALSE(accounts().Login(name, Secret("wrong password here"), "10.1.1.1").ok());
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      EXPECT_TRUE(accounts().Unlock(AdminActor(), "alice").ok());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];  // the median, robust to a busy machine
  };
  const double unknown = time("mallory");
  const double wrong = time("alice");
  EXPECT_GT(unknown, 0.2 * wrong) << unknown << " ms vs " << wrong << " ms";
  EXPECT_LT(unknown, 5.0 * wrong) << unknown << " ms vs " << wrong << " ms";
}

TEST_P(AccountsTest, LocksAfterConsecutiveFailuresAndUnlocksAfterThePeriod) {
  options_.max_failed_logins = 3;
  options_.lockout = std::chrono::minutes(15);
  Rebuild();
  AddUser("alice");
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(accounts().Login("alice", Secret("wrong password here"), "10.1.1.1").ok());
  }
  EXPECT_EQ(store_->GetUser("alice")->locked_until, now_ + std::chrono::minutes(15));
  // Locked: even the right password is refused, with the same message.
  const auto locked = accounts().Login("alice", Secret(kAlicePassword), "10.1.1.1");
  EXPECT_EQ(locked.status().message(), kLoginFailed);
  now_ += std::chrono::minutes(14);
  EXPECT_FALSE(accounts().Login("alice", Secret(kAlicePassword), "10.1.1.1").ok());
  now_ += std::chrono::minutes(1);
  EXPECT_EQ(Login("alice").actor.name, "alice");
  EXPECT_EQ(store_->GetUser("alice")->failed_logins, 0);
  EXPECT_EQ(store_->GetUser("alice")->locked_until, std::nullopt);
}

TEST_P(AccountsTest, SuccessResetsTheFailureCount) {
  options_.max_failed_logins = 3;
  Rebuild();
  AddUser("alice");
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 2; ++i) {
      EXPECT_FALSE(accounts().Login("alice", Secret("wrong password here"), "10.1.1.1").ok());
    }
    Login("alice");
  }
  EXPECT_EQ(store_->GetUser("alice")->locked_until, std::nullopt);
}

TEST_P(AccountsTest, LockoutIsAuditedAndAnAdminCanUnlock) {
  options_.max_failed_logins = 2;
  Rebuild();
  AddUser("alice");
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(accounts().Login("alice", Secret("wrong password here"), "10.1.1.1").ok());
  }
  EXPECT_EQ(Audit().back().reason, "user locked out");
  EXPECT_EQ(Audit().back().end_user, "alice");
  ASSERT_TRUE(accounts().Unlock(AdminActor(), "alice").ok());
  EXPECT_EQ(Audit().back().reason, "user unlocked");
  EXPECT_EQ(Login("alice").actor.name, "alice");
}

TEST_P(AccountsTest, LimitsAttemptsPerUserWhateverTheAddress) {
  AddUser("alice");
  options_.login_attempts_per_user = 3;
  options_.max_failed_logins = 100;
  Rebuild();  // a fresh limiter: AddUser's password change counted too
  for (int i = 0; i < 3; ++i) {
    const auto r =
        accounts().Login("alice", Secret("wrong password here"), "10.2.0." + std::to_string(i));
    EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  }
  const auto limited = accounts().Login("alice", Secret(kAlicePassword), "10.2.0.9");
  EXPECT_EQ(limited.status().code(), ErrorCode::kRateLimited);
  // The same for a user who does not exist: the limit says nothing about existence.
  for (int i = 0; i < 3; ++i) {
    (void)accounts().Login("mallory", Secret("x"), "10.3.0." + std::to_string(i));
  }
  EXPECT_EQ(accounts().Login("mallory", Secret("x"), "10.3.0.9").status().code(),
            ErrorCode::kRateLimited);
  now_ += options_.login_window;
  EXPECT_EQ(Login("alice", kAlicePassword, "10.2.0.9").actor.name, "alice");
}

TEST_P(AccountsTest, LimitsAttemptsPerAddressAcrossUsers) {
  options_.login_attempts_per_address = 4;
  Rebuild();
  AddUser("alice");
  for (int i = 0; i < 4; ++i) {
    (void)accounts().Login("user" + std::to_string(i), Secret("guess"), "203.0.113.5");
  }
  EXPECT_EQ(accounts().Login("alice", Secret(kAlicePassword), "203.0.113.5").status().code(),
            ErrorCode::kRateLimited);
  EXPECT_EQ(Login("alice", kAlicePassword, "203.0.113.6").actor.name, "alice");
}

TEST_P(AccountsTest, DisabledUsersCannotSignInUntilEnabled) {
  AddUser("alice");
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "alice", true).ok());
  const auto refused = accounts().Login("alice", Secret(kAlicePassword), "10.1.1.1");
  EXPECT_EQ(refused.status().message(), kLoginFailed);
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "alice", false).ok());
  EXPECT_EQ(Login("alice").actor.name, "alice");
  EXPECT_EQ(accounts().SetDisabled(AdminActor("root"), "root", true).code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(AccountsTest, ServiceAccountsHaveNoPasswordSignIn) {
  const auto svc = accounts().CreateServiceAccount(
      AdminActor(), {.name = "reporting", .display_name = "BI", .role = Role::kReportReader});
  ASSERT_TRUE(svc.ok()) << svc.status().message();
  EXPECT_TRUE(svc->service_account);
  EXPECT_EQ(svc->password_hash, "");
  EXPECT_EQ(accounts().Login("reporting", Secret(""), "10.1.1.1").status().message(), kLoginFailed);
}

TEST_P(AccountsTest, PasswordPolicyIsChecked) {
  const auto create = [&](std::string_view password) {
    return accounts()
        .CreateUser(AdminActor(), {.name = "bob", .display_name = "Bob", .role = Role::kHelpdesk},
                    Secret(password))
        .status();
  };
  EXPECT_EQ(create("short").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(create("elf chars 1").code(), ErrorCode::kInvalidArgument);  // 11 characters
  EXPECT_EQ(create("tab\tinside password").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(create(std::string(1025, 'x')).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->ListUsers()->size(), 0u);
  // Twelve characters, counted as UTF-8 code points (24 bytes here).
  EXPECT_TRUE(create("ääääääääääää").ok());
}

TEST_P(AccountsTest, PasswordEqualToTheUserNameIsRefused) {
  const auto created = accounts().CreateUser(
      AdminActor(), {.name = "longusername", .display_name = "L", .role = Role::kHelpdesk},
      Secret("LongUserName"));
  EXPECT_EQ(created.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(created.status().message().find("user name"), std::string::npos);
}

TEST_P(AccountsTest, ChangingThePasswordNeedsTheCurrentOne) {
  AddUser("alice");
  const Status wrong = accounts().ChangePassword("alice", Secret("not the password"),
                                                 Secret("a brand new password"), "10.1.1.1");
  EXPECT_EQ(wrong.code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.message(), kLoginFailed);
  EXPECT_EQ(accounts()
                .ChangePassword("alice", Secret(kAlicePassword), Secret(kAlicePassword), "10.1.1.1")
                .code(),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(accounts()
                  .ChangePassword("alice", Secret(kAlicePassword), Secret("a brand new password"),
                                  "10.1.1.1")
                  .ok());
  EXPECT_FALSE(accounts().Login("alice", Secret(kAlicePassword), "10.1.1.1").ok());
  EXPECT_EQ(Login("alice", "a brand new password").actor.name, "alice");
}

TEST_P(AccountsTest, AdminResetForcesAChangeAndUnlocks) {
  options_.max_failed_logins = 1;
  Rebuild();
  AddUser("alice");
  EXPECT_FALSE(accounts().Login("alice", Secret("wrong password"), "10.1.1.1").ok());
  ASSERT_TRUE(accounts().ResetPassword(AdminActor(), "alice", Secret("temporary password")).ok());
  EXPECT_TRUE(Login("alice", "temporary password").must_change_password);
}

TEST_P(AccountsTest, OnlyAdminsAdministerAndAgentsHaveNoAccounts) {
  AddUser("alice");
  const service::Actor helpdesk = ActorOf(store_->GetUser("alice").value(), "10.1.1.1");
  EXPECT_EQ(accounts().SetRole(helpdesk, "alice", Role::kAdmin).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(accounts().ListUsers(helpdesk).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(accounts()
                .CreateUser(helpdesk, {.name = "eve", .display_name = "", .role = Role::kAdmin},
                            Secret("a long password"))
                .status()
                .code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(accounts().SetRole(AdminActor(), "alice", Role::kAgent).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->GetUser("alice")->role, "helpdesk");
}

TEST_P(AccountsTest, RoleAndSourceComeFromTheAccount) {
  AddUser("alice", Role::kSelfServiceUser);
  const LoginResult login = Login("alice", kAlicePassword, "192.0.2.4");
  EXPECT_EQ(login.actor.role, Role::kSelfServiceUser);
  EXPECT_EQ(login.actor.source, service::Source::kSelfService);
  EXPECT_EQ(login.actor.address, "192.0.2.4");
  ASSERT_TRUE(accounts().SetRole(AdminActor(), "alice", Role::kAdvancedHelpdesk).ok());
  EXPECT_EQ(Login("alice").actor.source, service::Source::kHelpdesk);
}

TEST_P(AccountsTest, HashIsUpgradedAtSignInWhenTheSettingsChanged) {
  AddUser("alice");
  options_.password_hash.time_cost = 2;
  Rebuild();
  Login("alice");
  const std::string hash = store_->GetUser("alice")->password_hash;
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=8,t=2,p=1$")) << hash;
  EXPECT_EQ(Login("alice").actor.name, "alice");
}

TEST_P(AccountsTest, AdministrativeChangesAreAuditedWithoutSecrets) {
  ASSERT_TRUE(accounts()
                  .CreateUser(AdminActor(),
                              {.name = "bob", .display_name = "Bob B", .role = Role::kHelpdesk},
                              Secret("initial secret password"))
                  .ok());
  ASSERT_TRUE(accounts().SetRole(AdminActor(), "bob", Role::kAdvancedHelpdesk).ok());
  ASSERT_TRUE(accounts().SetDisplayName(AdminActor(), "bob", "Bob Builder").ok());
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "bob", true).ok());
  ASSERT_TRUE(accounts().SetDisabled(AdminActor(), "bob", false).ok());
  ASSERT_TRUE(accounts().ResetPassword(AdminActor(), "bob", Secret("reset secret password")).ok());
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 6u);
  const std::vector<std::string> reasons = {
      "user created",  "user role changed", "user display name changed",
      "user disabled", "user enabled",      "user password reset"};
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_EQ(audit[i].reason, reasons[i]);
    EXPECT_EQ(audit[i].actor, "root");
    EXPECT_EQ(audit[i].role, "admin");
    EXPECT_EQ(audit[i].source, "helpdesk from 10.9.9.9");
    EXPECT_EQ(audit[i].end_user, "bob");
    EXPECT_EQ(audit[i].result.find("secret password"), std::string::npos);
  }
  EXPECT_EQ(audit[0].result, "bob, role helpdesk, display name \"Bob B\"");
  EXPECT_EQ(audit[1].result, "role helpdesk -> advanced-helpdesk");
  EXPECT_TRUE(audit::AuditLog(*store_).Verify()->ok);
}

LOCKBOX_AUTH_BACKENDS(AccountsTest);

}  // namespace
}  // namespace lockbox::auth
