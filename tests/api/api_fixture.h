// Test fixture for the JSON API end to end: a real store (a SQLite file, or a throwaway
// PostgreSQL database), the API's services and routes on an in-process HTTPS server on an
// ephemeral loopback port, its JSON-lines log captured at debug level, and a client speaking
// real TLS to it. People and tokens are set up through the auth part directly; everything
// under test goes over HTTPS.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/routes.h"
#include "api/services.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "https_client.h"
#include "service/roles.h"
#include "store/store.h"
#include "test_dir.h"

namespace lockbox::api::testing {

enum class Backend { kSqlite, kPostgres };
std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

// Valid recovery passwords (every block divisible by 11), and others.
inline constexpr std::string_view kPassword1 =
    "235818-357951-253979-013365-241120-245575-342914-591910";
inline constexpr std::string_view kPassword2 =
    "042647-302313-590458-071500-554323-116567-412181-516978";
inline constexpr std::string_view kPersonPassword = "correct horse battery staple";

struct Reply {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::map<std::string, std::string> headers;
  std::string raw;
};

// A signed-in browser: its cookie and CSRF token.
struct BrowserSession {
  std::string cookie;  // "lockbox_session=..."
  std::string csrf_token;
};

class ApiFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // One request over a new TLS connection. `bearer` is sent as "Authorization: Bearer".
  Reply Call(const std::string& method, const std::string& target,
             const nlohmann::json& body = nullptr, const std::string& bearer = "",
             std::map<std::string, std::string> headers = {});
  // The same, with a browser session's cookie and (for state-changing methods) CSRF header.
  Reply CallAs(const BrowserSession& session, const std::string& method, const std::string& target,
               const nlohmann::json& body = nullptr);

  // A person of `role` named `name` (created by the first admin) with kPersonPassword, whose
  // password is already changed (no first-sign-in restriction).
  void CreatePerson(const std::string& name, service::Role role);
  // An API token for `name` (created if needed) acting as `role`.
  std::string TokenFor(const std::string& name, service::Role role);
  BrowserSession SignIn(const std::string& name, const std::string& password);
  // An enrollment token with `uses` uses.
  std::string EnrollmentToken(int64_t uses = 10);
  // Enrolls a computer named `name` with `hardware_id`; returns {computer_id, credential}.
  std::pair<std::string, std::string> Enroll(const std::string& name,
                                             const std::string& hardware_id);

  // A report of one OS volume protected by TPM and recovery password `key_id`.
  static nlohmann::json Report(const std::string& computer_id, const std::string& name,
                               const std::string& volume_id,
                               const std::vector<std::pair<std::string, std::string>>& keys,
                               const std::vector<std::string>& users = {"contoso\\alice"});

  std::vector<store::AuditEntry> AuditEntries();
  // Stops the server (requests in flight finish); then LogText() is complete.
  void StopServer();
  std::string LogText() const { return log_.str(); }

  uint16_t port() const { return server_->port(); }
  const std::string& cert() const { return cert_; }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Services> services_;
  http::Router router_;
  std::string url_;  // the store

 private:
  lockbox::testing::TestDir dir_;
  http::Metrics metrics_;
  std::ostringstream log_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::string cert_;
};

}  // namespace lockbox::api::testing
