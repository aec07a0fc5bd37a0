// What the store's files hold after every kind of credential was issued: hashes, never a
// password or a token.
#include <gtest/gtest.h>

#include "auth/auth_test_util.h"

namespace lockbox::auth {
namespace {

using service::Role;
using testing::AdminActor;
using testing::kAlicePassword;
using testing::Plain;

class AtRestTest : public testing::AuthFixture {};

TEST_P(AtRestTest, FilesHoldNoPasswordOrTokenInClearText) {
  AddUser("alice", Role::kAdmin);
  const NewSession session = auth_->sessions().Start(Login("alice")).value();
  const NewApiToken api =
      auth_->api_tokens()
          .Create(AdminActor(), "alice", Role::kHelpdesk, std::chrono::hours(24), "cleartext-check")
          .value();
  const NewEnrollmentToken enrollment =
      auth_->machines()
          .IssueEnrollmentToken(AdminActor(), "cleartext-check", 3, std::chrono::hours(24))
          .value();
  const Enrollment machine =
      auth_->machines()
          .Enroll(
              Plain(enrollment.token),
              {.name = "PC-CLEARTEXT-CHECK", .domain = "", .os = "", .hardware_ids = {"serial:1"}},
              "10.0.0.7")
          .value();
  const std::vector<std::string> secrets = {std::string(kAlicePassword), Plain(session.token),
                                            Plain(session.csrf_token),   Plain(api.token),
                                            Plain(enrollment.token),     Plain(machine.credential)};
  const std::string everything = FilesAtRest();
  ASSERT_NE(everything.find("PC-CLEARTEXT-CHECK"), std::string::npos);
  for (const std::string& secret : secrets) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret;
    // The random part alone, in case only a prefix were stripped before storing.
    EXPECT_EQ(everything.find(secret.substr(secret.size() - 20)), std::string::npos) << secret;
  }
}

LOCKBOX_AUTH_BACKENDS(AtRestTest);

}  // namespace
}  // namespace lockbox::auth
