// Sign-in with Active Directory accounts against a real Samba AD domain controller: a bind as
// the user over LDAPS with the certificate verified, the role from nested group membership,
// self-service for any other domain user (who then sees the computers imported for them),
// refusals (wrong password, wrong domain, wrong CA), and local accounts keeping their names.
#include <gtest/gtest.h>

#include <string>

#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "auth/authenticator.h"
#include "auth/token.h"
#include "cli/data_dir.h"
#include "lockbox_process.h"
#include "service/directory.h"
#include "test_directory.h"

namespace lockbox {
namespace {

using service::Role;
using testing::Lockbox;
using testing::TestDir;

class AdSignInTest : public SambaTest {
 protected:
  void SetUp() override {
    SambaTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(Lockbox(tmp_, {"init", "--data-dir", data_}).exit_code, 0);
    auto dir = cli::OpenDataDir(data_);
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_ = std::move(dir).value();
    audit_ = std::make_unique<audit::AuditLog>(*dir_.store);
  }

  // Sign-in against the DC: Lockbox Helpdesk (nested groups resolved) gives helpdesk.
  auth::AuthOptions Options(const std::string& ca_file,
                            const std::string& url = "ldaps://127.0.0.1") const {
    auth::AuthOptions options;
    options.password_hash = {.time_cost = 1, .memory_kib = 1024, .parallelism = 1};
    options.directory = auth::DirectoryOptions{
        .url = url,
        .ca_file = ca_file,
        .domain = "corp.example.test",
        .timeout_ms = 10'000,
        .self_service = true,
        .group_roles = {{.group_dn = "CN=Lockbox Admins," + kTest, .role = Role::kAdmin},
                        {.group_dn = kLockboxHelpdesk, .role = Role::kHelpdesk}}};
    return options;
  }
  std::unique_ptr<auth::Authenticator> Authenticator(const auth::AuthOptions& options) {
    auto created = auth::Authenticator::Create(*dir_.store, *audit_, options);
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? std::move(created).value() : nullptr;
  }

  TestDir tmp_;
  const std::string data_ = tmp_ / "data";
  cli::DataDir dir_;
  std::unique_ptr<audit::AuditLog> audit_;
};

TEST_F(AdSignInTest, AUserInANestedGroupGetsItsRoleWhateverFormOfTheNameIsTyped) {
  auto auth = Authenticator(Options(dc().ca_file));
  ASSERT_NE(auth, nullptr);
  for (const std::string typed : {"CORP\\carol", "carol@corp.example.test", "Carol"}) {
    auto login = auth->accounts().Login(typed, Secret(kCarolPassword), "192.0.2.7");
    ASSERT_TRUE(login.ok()) << typed << ": " << login.status().message();
    EXPECT_EQ(login->actor.name, "corp\\carol");
    EXPECT_EQ(login->actor.role, Role::kHelpdesk);  // carol < Tier 1 < Lockbox Helpdesk
    EXPECT_EQ(login->actor.source, service::Source::kHelpdesk);
    EXPECT_FALSE(login->must_change_password);
  }
  auto stored = dir_.store->GetUser("corp\\carol");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->directory, "corp.example.test");
  EXPECT_EQ(stored->display_name, "Carol Example");
  EXPECT_TRUE(stored->password_hash.empty());

  // A session works as for a local account, with the role from AD.
  auto login = auth->accounts().Login("corp\\carol", Secret(kCarolPassword), "192.0.2.7");
  ASSERT_TRUE(login.ok());
  auto session = auth->sessions().Start(*login);
  ASSERT_TRUE(session.ok()) << session.status().message();
  auto info = auth->sessions().Authenticate(auth::TextOf(session->token), "192.0.2.7");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->actor.role, Role::kHelpdesk);

  // Its password and role belong to AD.
  const Status change = auth->accounts().ChangePassword("corp\\carol", Secret(kCarolPassword),
                                                        Secret("An0ther!Passw0rd"), "192.0.2.7");
  EXPECT_EQ(change.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(change.message().find("change its password in Active Directory"), std::string::npos)
      << change.message();
  EXPECT_EQ(auth->accounts().SetRole(cli::LocalAdministrator(), "corp\\carol", Role::kAdmin).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(AdSignInTest, AnyOtherDomainUserIsASelfServiceUserAndSeesTheComputersLinkedToThem) {
  // PC-01 is managed by alice: the import links her to it.
  std::FILE* f = std::fopen((tmp_ / "bind-password").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "%s\n", dc().admin_password.c_str());
  std::fclose(f);
  dir_.store.reset();  // the import opens the store itself
  ASSERT_EQ(Lockbox(tmp_, {"import", "ad", "--url", "ldaps://127.0.0.1", "--ca-file", dc().ca_file,
                           "--bind-dn", dc().admin_name, "--password-file", tmp_ / "bind-password",
                           "--search-base", kWorkstations, "--recurse", "--data-dir", data_})
                .exit_code,
            0);
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  dir_ = std::move(dir).value();
  audit_ = std::make_unique<audit::AuditLog>(*dir_.store);

  auto auth = Authenticator(Options(dc().ca_file));
  ASSERT_NE(auth, nullptr);
  auto login = auth->accounts().Login("alice", Secret(kAlicePassword), "192.0.2.8");
  ASSERT_TRUE(login.ok()) << login.status().message();
  EXPECT_EQ(login->actor.name, "corp\\alice");
  EXPECT_EQ(login->actor.role, Role::kSelfServiceUser);
  EXPECT_EQ(login->actor.source, service::Source::kSelfService);
  service::DirectoryService directory(*dir_.store);
  auto own = directory.ComputersOfUser(login->actor);
  ASSERT_TRUE(own.ok()) << own.status().message();
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ((*own)[0].computer.name, "PC-01");

  // Self-service off: a user in no mapped group is refused.
  auth::AuthOptions groups_only = Options(dc().ca_file);
  groups_only.directory->self_service = false;
  auto strict = Authenticator(groups_only);
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(strict->accounts().Login("alice", Secret(kAlicePassword), "192.0.2.8").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(strict->accounts().Login("carol", Secret(kCarolPassword), "192.0.2.8").ok());
}

TEST_F(AdSignInTest, AWrongPasswordOrDomainIsRefusedLikeAnyFailedSignIn) {
  auto auth = Authenticator(Options(dc().ca_file));
  ASSERT_NE(auth, nullptr);
  const std::string typed_password = "Wr0ng!Carol-Typed";
  for (const auto& [name, password] :
       std::vector<std::pair<std::string, std::string>>{{"carol", typed_password},
                                                        {"nobody", kCarolPassword},
                                                        {"OTHER\\carol", kCarolPassword},
                                                        {"carol@other.example", kCarolPassword}}) {
    auto login = auth->accounts().Login(name, Secret(password), "192.0.2.9");
    EXPECT_EQ(login.status().code(), ErrorCode::kUnauthenticated) << name;
    EXPECT_EQ(login.status().message(), auth::kLoginFailed) << name;
  }
  EXPECT_EQ(dir_.store->GetUser("corp\\carol").status().code(), ErrorCode::kNotFound);
}

TEST_F(AdSignInTest, ADomainControllerWhoseCertificateDoesNotVerifyIsRefused) {
  auto auth = Authenticator(Options(dc().wrong_ca_file));
  ASSERT_NE(auth, nullptr);
  auto login = auth->accounts().Login("carol", Secret(kCarolPassword), "192.0.2.10");
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.status().code(), ErrorCode::kIoError);
  EXPECT_NE(login.status().message().find("certificate"), std::string::npos)
      << login.status().message();
  EXPECT_EQ(login.status().message().find(kCarolPassword), std::string::npos);
}

TEST_F(AdSignInTest, ALocalAccountKeepsItsNameAndWorksWithoutTheDomainController) {
  auto auth = Authenticator(Options(dc().ca_file));
  ASSERT_NE(auth, nullptr);
  const std::string local_password = "L0cal!Carol-Password";
  ASSERT_TRUE(
      auth->accounts()
          .CreateUser(cli::LocalAdministrator(),
                      {.name = "carol", .display_name = "Local Carol", .role = Role::kAdmin},
                      Secret(local_password))
          .ok());
  // "carol" is the local account: its password, not AD's.
  EXPECT_EQ(auth->accounts().Login("carol", Secret(kCarolPassword), "192.0.2.11").status().code(),
            ErrorCode::kUnauthenticated);
  auto local = auth->accounts().Login("carol", Secret(local_password), "192.0.2.11");
  ASSERT_TRUE(local.ok()) << local.status().message();
  EXPECT_EQ(local->actor.name, "carol");
  EXPECT_EQ(local->actor.role, Role::kAdmin);
  // The AD account is "corp\carol", a name of its own.
  auto ad = auth->accounts().Login("CORP\\carol", Secret(kCarolPassword), "192.0.2.11");
  ASSERT_TRUE(ad.ok()) << ad.status().message();
  EXPECT_EQ(ad->actor.role, Role::kHelpdesk);

  // The break-glass admin when no domain controller answers.
  auto unreachable = Authenticator(Options(dc().ca_file, "ldaps://127.0.0.1:1"));
  ASSERT_NE(unreachable, nullptr);
  EXPECT_TRUE(unreachable->accounts().Login("carol", Secret(local_password), "192.0.2.11").ok());
  EXPECT_EQ(unreachable->accounts()
                .Login("corp\\carol", Secret(kCarolPassword), "192.0.2.11")
                .status()
                .code(),
            ErrorCode::kIoError);
}

}  // namespace
}  // namespace lockbox
