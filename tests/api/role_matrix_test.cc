// Every route with every role: the guard lets exactly the roles of this table through (the
// table is written here, independently of the routes' own lists), every guarded route refuses
// a caller without credentials, and the OpenAPI document lists exactly the router's routes.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api_fixture.h"

namespace lockbox::api::testing {
namespace {

using service::Role;

const std::set<Role> kPeople = {Role::kAdmin,         Role::kAdvancedHelpdesk,
                                Role::kHelpdesk,      Role::kReportReader,
                                Role::kDataMigration, Role::kSelfServiceUser};
const std::set<Role> kAdminOnly = {Role::kAdmin};
const std::set<Role> kDisclosure = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kHelpdesk,
                                    Role::kSelfServiceUser};
const std::set<Role> kAdvanced = {Role::kAdmin, Role::kAdvancedHelpdesk};
const std::set<Role> kAuditors = {Role::kAdmin, Role::kReportReader};
const std::set<Role> kBrowsers = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kReportReader};
const std::set<Role> kMigrators = {Role::kAdmin, Role::kDataMigration};

// nullopt: public (no credentials needed).
const std::map<std::string, std::optional<std::set<Role>>>& ExpectedAccess() {
  static const std::map<std::string, std::optional<std::set<Role>>> table = {
      {"GET /healthz", std::nullopt},
      {"GET /metrics", std::nullopt},
      {"GET /api/v1/openapi.json", std::nullopt},
      {"POST /api/v1/session", std::nullopt},
      {"GET /api/v1/portal", std::nullopt},
      {"GET /api/v1/session", kPeople},
      {"DELETE /api/v1/session", kPeople},
      {"POST /api/v1/session/password", kPeople},
      {"POST /api/v1/agent/enroll", std::nullopt},
      {"POST /api/v1/agent/report", std::set<Role>{Role::kAgent}},
      {"POST /api/v1/agent/tpm-owner-auth", std::set<Role>{Role::kAgent}},
      {"POST /api/v1/recovery/password", kDisclosure},
      {"POST /api/v1/recovery/key-package", kAdvanced},
      {"GET /api/v1/recovery/reasons", kDisclosure},
      {"POST /api/v1/computers/{computer_id}/tpm-owner-auth", kAdvanced},
      {"GET /api/v1/computers/{computer_id}/keys", kBrowsers},
      {"POST /api/v1/keys/{key_id}/rotate", kAdminOnly},
      {"GET /api/v1/users", kAdminOnly},
      {"POST /api/v1/users", kAdminOnly},
      {"PATCH /api/v1/users/{name}", kAdminOnly},
      {"POST /api/v1/users/{name}/password", kAdminOnly},
      {"POST /api/v1/users/{name}/unlock", kAdminOnly},
      {"GET /api/v1/api-tokens", kAdminOnly},
      {"POST /api/v1/api-tokens", kAdminOnly},
      {"DELETE /api/v1/api-tokens/{id}", kAdminOnly},
      {"GET /api/v1/enrollment-tokens", kAdminOnly},
      {"POST /api/v1/enrollment-tokens", kAdminOnly},
      {"DELETE /api/v1/enrollment-tokens/{id}", kAdminOnly},
      {"GET /api/v1/settings", kAdminOnly},
      {"PATCH /api/v1/settings", kAdminOnly},
      {"DELETE /api/v1/computers/{computer_id}/credential", kAdminOnly},
      {"GET /api/v1/computers", kBrowsers},
      {"GET /api/v1/computers/{computer_id}", kBrowsers},
      {"GET /api/v1/self-service/computers", std::set<Role>{Role::kSelfServiceUser}},
      {"GET /api/v1/self-service/notice", std::set<Role>{Role::kSelfServiceUser, Role::kAdmin}},
      {"POST /api/v1/migration/recovery-information", kMigrators},
      {"POST /api/v1/migration/tpm-information", kMigrators},
      {"POST /api/v1/migration/computer-users", kMigrators},
      {"GET /api/v1/audit", kAuditors},
      {"GET /api/v1/audit/verify", kAuditors},
      {"GET /api/v1/reports/compliance", kAuditors},
      {"GET /api/v1/reports/keys-awaiting-rotation", kAuditors},
      {"GET /api/v1/reports/repeated-recoveries", kAuditors},
      {"GET /api/v1/computers/{computer_id}/compliance", kBrowsers},
  };
  return table;
}

std::string KeyOf(const http::Route& route) {
  return std::string(http::MethodName(route.method)) + " " + route.pattern;
}

class RoleMatrixTest : public ApiFixture {
 protected:
  // The route's pattern with its parameters filled in.
  std::string Target(const std::string& pattern) {
    std::string target = pattern;
    // Revoking a credential is the one call that changes what later calls may do: it gets a
    // computer of its own.
    const bool revocation = pattern.ends_with("/credential");
    const std::map<std::string, std::string> values = {
        {"{computer_id}", revocation ? spare_computer_id_ : computer_id_},
        {"{key_id}", "4381f759-c4f8-4de0-bb61-fc33a831bda5"},
        {"{name}", "nobody"},
        {"{id}", "0123456789abcdef"}};
    for (const auto& [param, value] : values) {
      if (const size_t at = target.find(param); at != std::string::npos) {
        target.replace(at, param.size(), value);
      }
    }
    return target;
  }

  std::string computer_id_;
  std::string spare_computer_id_;
};

TEST_P(RoleMatrixTest, EachRoutePermitsExactlyItsRoles) {
  const auto [computer_id, agent] = Enroll("PC-07", "serial:PC-07");
  computer_id_ = computer_id;
  spare_computer_id_ = Enroll("PC-08", "serial:PC-08").first;
  std::map<Role, std::string> credentials = {{Role::kAgent, agent}};
  for (Role role : kPeople) {
    credentials[role] = TokenFor("svc-" + std::string(service::NameOf(role)), role);
  }

  std::set<std::string> routed;
  for (const http::Route& route : router_.routes()) {
    const std::string key = KeyOf(route);
    routed.insert(key);
    const auto expected = ExpectedAccess().find(key);
    ASSERT_NE(expected, ExpectedAccess().end()) << key << " is not in the role matrix: add it";
    if (!expected->second) continue;  // public
    const std::string method = http::MethodName(route.method);
    const std::string target = Target(route.pattern);
    const nlohmann::json body = method == "GET" ? nlohmann::json() : nlohmann::json("{}");

    Reply anonymous = Call(method, target, body);
    EXPECT_EQ(anonymous.status, 401) << key << " without credentials: " << anonymous.raw;
    for (const auto& [role, credential] : credentials) {
      Reply reply = Call(method, target, body, credential);
      const std::string message = reply.body.is_object() && reply.body.contains("error")
                                      ? reply.body["error"].value("message", "")
                                      : "";
      const bool refused_by_guard =
          reply.status == 403 && message.find("may not use " + key) != std::string::npos;
      if (expected->second->contains(role)) {
        EXPECT_FALSE(refused_by_guard) << key << " refused " << service::NameOf(role);
        EXPECT_NE(reply.status, 401) << key << " as " << service::NameOf(role) << ": " << reply.raw;
      } else {
        EXPECT_TRUE(refused_by_guard) << key << " let " << service::NameOf(role)
                                      << " through: " << reply.status << " " << reply.raw;
      }
    }
  }
  for (const auto& [key, unused] : ExpectedAccess()) {
    EXPECT_TRUE(routed.contains(key)) << key << " is in the matrix but not routed";
  }
}

TEST_P(RoleMatrixTest, TheOpenApiDocumentListsEveryRouteWithItsRoles) {
  Reply document = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(document.status, 200);
  size_t operations = 0;
  for (const auto& [path, methods] : document.body["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      ++operations;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const auto expected = ExpectedAccess().find(upper + " " + path);
      ASSERT_NE(expected, ExpectedAccess().end()) << upper << " " << path;
      if (expected->second) {
        const std::string description = operation.value("description", "");
        for (Role role : *expected->second) {
          EXPECT_NE(description.find(std::string(service::NameOf(role))), std::string::npos)
              << path << " does not document role " << service::NameOf(role);
        }
      }
    }
  }
  EXPECT_EQ(operations, router_.routes().size());
}

INSTANTIATE_TEST_SUITE_P(Backends, RoleMatrixTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace lockbox::api::testing
