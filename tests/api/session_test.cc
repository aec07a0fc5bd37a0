// Browser sessions over HTTPS: sign-in, the first-sign-in password change, CSRF, sign-out, and
// what the sign-in page shows.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace lockbox::api::testing {
namespace {

using service::Role;

class SessionTest : public ApiFixture {};

std::string PasswordOf(const crypto::SecretBytes& s) { return {s.data(), s.data() + s.size()}; }

TEST_P(SessionTest, FirstAdminChangesThePasswordBeforeAnythingElse) {
  auto one_time = services_->auth().accounts().CreateFirstAdmin("admin");
  ASSERT_TRUE(one_time.ok()) << one_time.status().message();
  const BrowserSession first = SignIn("admin", PasswordOf(*one_time));
  ASSERT_FALSE(first.cookie.empty());

  Reply me = CallAs(first, "GET", "/api/v1/session");
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_TRUE(me.body["must_change_password"].get<bool>());
  EXPECT_EQ(CallAs(first, "GET", "/api/v1/users").status, 403);

  Reply changed = CallAs(first, "POST", "/api/v1/session/password",
                         {{"current_password", PasswordOf(*one_time)},
                          {"new_password", std::string(kPersonPassword)}});
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_FALSE(changed.body["must_change_password"].get<bool>());
  const std::string cookie = changed.headers["set-cookie"];
  for (const char* attribute : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute;
  }
  // The old session ended with the change; the new one may do everything.
  EXPECT_EQ(CallAs(first, "GET", "/api/v1/session").status, 401);
  const BrowserSession next{cookie.substr(0, cookie.find(';')), changed.body["csrf_token"]};
  Reply users = CallAs(next, "GET", "/api/v1/users");
  ASSERT_EQ(users.status, 200) << users.raw;
  EXPECT_EQ(users.body["users"][0]["name"], "admin");
}

TEST_P(SessionTest, StateChangingRequestsNeedTheSessionsCsrfToken) {
  CreatePerson("root", Role::kAdmin);
  const BrowserSession session = SignIn("root", std::string(kPersonPassword));
  const nlohmann::json token = {{"description", "Berlin rollout"}, {"max_uses", 5}};
  Reply missing =
      Call("POST", "/api/v1/enrollment-tokens", token, "", {{"Cookie", session.cookie}});
  EXPECT_EQ(missing.status, 403) << missing.raw;
  Reply wrong = Call("POST", "/api/v1/enrollment-tokens", token, "",
                     {{"Cookie", session.cookie}, {"X-CSRF-Token", "not-the-token"}});
  EXPECT_EQ(wrong.status, 403) << wrong.raw;
  Reply right = CallAs(session, "POST", "/api/v1/enrollment-tokens", token);
  ASSERT_EQ(right.status, 201) << right.raw;
  EXPECT_EQ(right.body["token"].get<std::string>().rfind("lbx_enr_", 0), 0u);
  EXPECT_EQ(right.body["max_uses"], 5);
}

TEST_P(SessionTest, SignInFailuresSayOneThingAndSignOutEndsTheSession) {
  CreatePerson("contoso\\alice", Role::kSelfServiceUser);
  Reply wrong = Call("POST", "/api/v1/session", {{"name", "contoso\\alice"}, {"password", "nope"}});
  Reply unknown = Call("POST", "/api/v1/session", {{"name", "nobody"}, {"password", "nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body["error"]["message"], unknown.body["error"]["message"]);
  EXPECT_EQ(wrong.headers.count("set-cookie"), 0u);

  const BrowserSession session = SignIn("contoso\\alice", std::string(kPersonPassword));
  ASSERT_EQ(CallAs(session, "GET", "/api/v1/session").status, 200);
  Reply out = CallAs(session, "DELETE", "/api/v1/session");
  ASSERT_EQ(out.status, 200) << out.raw;
  EXPECT_NE(out.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(CallAs(session, "GET", "/api/v1/session").status, 401);
}

TEST_P(SessionTest, AdminsManageAccountsAndTokensThroughTheApi) {
  const std::string admin = TokenFor("root-token", Role::kAdmin);
  Reply created = Call("POST", "/api/v1/users",
                       {{"name", "Contoso\\Dave"},
                        {"role", "helpdesk"},
                        {"initial_password", "a long initial password"}},
                       admin);
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["name"], "contoso\\dave");
  EXPECT_TRUE(created.body["must_change_password"].get<bool>());
  Reply promoted =
      Call("PATCH", "/api/v1/users/contoso%5Cdave", {{"role", "advanced-helpdesk"}}, admin);
  ASSERT_EQ(promoted.status, 200) << promoted.raw;
  EXPECT_EQ(promoted.body["role"], "advanced-helpdesk");

  Reply service =
      Call("POST", "/api/v1/users",
           {{"name", "sccm-sync"}, {"role", "report-reader"}, {"service_account", true}}, admin);
  ASSERT_EQ(service.status, 201) << service.raw;
  Reply token =
      Call("POST", "/api/v1/api-tokens",
           {{"user", "sccm-sync"}, {"role", "report-reader"}, {"lifetime_days", 30}}, admin);
  ASSERT_EQ(token.status, 201) << token.raw;
  const std::string text = token.body["token"];
  EXPECT_EQ(Call("GET", "/api/v1/audit/verify", nullptr, text).status, 200);
  Reply listed = Call("GET", "/api/v1/api-tokens", nullptr, admin);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.raw.find(text), std::string::npos);
  Reply revoked =
      Call("DELETE", "/api/v1/api-tokens/" + token.body["id"].get<std::string>(), nullptr, admin);
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  Reply after = Call("GET", "/api/v1/audit/verify", nullptr, text);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.body["error"]["message"].get<std::string>().find("revoked"), std::string::npos);
  EXPECT_EQ(after.headers.count("www-authenticate"), 1u);
}

// The sign-in page shows these before anyone signs in; nothing configured is null, not "".
TEST_P(SessionTest, ThePortalSettingsNeedNoCredentials) {
  Reply settings = Call("GET", "/api/v1/portal");
  ASSERT_EQ(settings.status, 200) << settings.raw;
  EXPECT_TRUE(settings.body["company_name"].is_null());
  EXPECT_TRUE(settings.body["helpdesk_contact"].is_null());
  EXPECT_EQ(settings.body["self_service_idle_timeout_seconds"], 600);
}

// What the settings change, the routes that the pages read answer at once; every change is in
// the audit log.
TEST_P(SessionTest, AdminsChangeTheSettingsThePagesRead) {
  const std::string admin = TokenFor("root-token", Role::kAdmin);
  Reply before = Call("GET", "/api/v1/settings", nullptr, admin);
  ASSERT_EQ(before.status, 200) << before.raw;
  EXPECT_EQ(before.body["report_interval_minutes"], 90);
  EXPECT_EQ(before.body["company_name"], "");

  Reply changed = Call("PATCH", "/api/v1/settings",
                       {{"drive_unlock_reasons", {"Ticket from the service desk"}},
                        {"self_service_notice", "Line one.\nLine two."},
                        {"company_name", "Contoso"},
                        {"agent_tpm_unlock_window_minutes", 60}},
                       admin);
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(changed.body["drive_unlock_reasons"],
            nlohmann::json({"Ticket from the service desk", "Other"}));
  EXPECT_EQ(changed.body["agent_tpm_unlock_window_minutes"], 60);

  Reply reasons = Call("GET", "/api/v1/recovery/reasons", nullptr, admin);
  EXPECT_EQ(reasons.body["drive_unlock"], changed.body["drive_unlock_reasons"]);
  EXPECT_EQ(Call("GET", "/api/v1/portal").body["company_name"], "Contoso");
  EXPECT_EQ(Call("GET", "/api/v1/self-service/notice", nullptr, admin).body["notice"],
            "Line one.\nLine two.");
  Reply audit = Call("GET", "/api/v1/audit?user=root-token", nullptr, admin);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  int changes = 0;
  for (const auto& entry : audit.body["entries"]) changes += entry["reason"] == "setting changed";
  EXPECT_EQ(changes, 4);

  Reply wrong = Call("PATCH", "/api/v1/settings", {{"report_interval_minutes", 0}}, admin);
  EXPECT_EQ(wrong.status, 400) << wrong.raw;
  Reply unknown = Call("PATCH", "/api/v1/settings", {{"report_interval", 5}}, admin);
  EXPECT_EQ(unknown.status, 400) << unknown.raw;
  EXPECT_EQ(Call("GET", "/api/v1/settings", nullptr, admin).body["report_interval_minutes"], 90);
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::api::testing
