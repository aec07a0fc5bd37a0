#include "api_fixture.h"

#include <spdlog/sinks/ostream_sink.h>

#include "auth/token.h"
#include "http/builtin_routes.h"
#include "http/log.h"
#include "http/tls_certificate.h"
#include "postgres.h"

namespace lockbox::api::testing {
namespace {

crypto::SecretBytes Secret(std::string_view text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

service::Actor FirstAdmin() {
  return {.name = "root",
          .role = service::Role::kAdmin,
          .source = service::Source::kApi,
          .address = "127.0.0.1",
          .computer = std::nullopt,
          .credential_id = "",
          .credential_last_used = std::nullopt};
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

void ApiFixture::SetUp() {
  if (GetParam() == Backend::kSqlite) {
    url_ = dir_ / "lockbox.db";
  } else {
    LOCKBOX_POSTGRES_DATABASE_OR_SKIP(pg);
    url_ = pg.url;
  }
  auto opened = store::OpenStore(url_, crypto::SecretBytes(std::vector<uint8_t>(32, 7)));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  store_ = std::move(opened).value();
  ApiOptions options;
  // Cheap argon2id for tests: the production defaults are in auth/options.h.
  options.auth.password_hash = {.time_cost = 1, .memory_kib = 8, .parallelism = 1};
  auto services = Services::Create(*store_, std::move(options));
  ASSERT_TRUE(services.ok()) << services.status().message();
  services_ = std::move(services).value();

  ASSERT_TRUE(http::AddBuiltinRoutes(router_, metrics_, [] { return Status::Ok(); }).ok());
  const Status added = AddRoutes(router_, *services_);
  ASSERT_TRUE(added.ok()) << added.message();

  cert_ = dir_ / "cert.pem";
  ASSERT_TRUE(
      http::CreateSelfSignedCertificate(
          {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}},
          cert_, dir_ / "key.pem")
          .ok());
  auto logger = http::MakeJsonLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_),
                                     config::LogLevel::kDebug);
  auto server = http::Server::Create({.listen = {"127.0.0.1", 0},
                                      .limits = config::Limits{},
                                      .tls_cert_file = cert_,
                                      .tls_key_file = dir_ / "key.pem",
                                      .threads = 2},
                                     router_, metrics_, logger);
  ASSERT_TRUE(server.ok()) << server.status().message();
  server_ = std::move(server).value();
  thread_ = std::thread([this] { server_->Run(); });
}

void ApiFixture::StopServer() {
  if (!server_) return;
  server_->Shutdown();
  thread_.join();
  server_.reset();
}

void ApiFixture::TearDown() {
  StopServer();
  if (services_) services_->verifier().WaitIdle();
  services_.reset();
  store_.reset();
}

Reply ApiFixture::Call(const std::string& method, const std::string& target,
                       const nlohmann::json& body, const std::string& bearer,
                       std::map<std::string, std::string> headers) {
  Reply reply;
  auto client = lockbox::testing::HttpsClient::Connect(server_->port(), cert_);
  EXPECT_TRUE(client.ok()) << client.status().message();
  if (!client.ok()) return reply;
  if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
  std::string text;
  if (!body.is_null()) {
    headers.emplace("Content-Type", "application/json");
    text = body.is_string() ? body.get<std::string>() : body.dump();
  }
  auto answer = (*client)->Request(method, target, text, headers);
  EXPECT_TRUE(answer.ok()) << answer.status().message();
  if (!answer.ok()) return reply;
  reply.status = answer->status;
  reply.headers = answer->headers;
  reply.raw = answer->body;
  reply.body = nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

Reply ApiFixture::CallAs(const BrowserSession& session, const std::string& method,
                         const std::string& target, const nlohmann::json& body) {
  std::map<std::string, std::string> headers = {{"Cookie", session.cookie}};
  if (method != "GET" && method != "HEAD") headers["X-CSRF-Token"] = session.csrf_token;
  return Call(method, target, body, "", headers);
}

void ApiFixture::CreatePerson(const std::string& name, service::Role role) {
  auth::Accounts& accounts = services_->auth().accounts();
  const std::string initial = "initial password 1234";
  auto created = accounts.CreateUser(
      FirstAdmin(), {.name = name, .display_name = name, .role = role}, Secret(initial));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const Status changed =
      accounts.ChangePassword(name, Secret(initial), Secret(kPersonPassword), "127.0.0.1");
  ASSERT_TRUE(changed.ok()) << changed.message();
}

std::string ApiFixture::TokenFor(const std::string& name, service::Role role) {
  if (!store_->GetUser(name).ok()) {
    auto created = services_->auth().accounts().CreateServiceAccount(
        FirstAdmin(), {.name = name, .display_name = name, .role = role});
    EXPECT_TRUE(created.ok()) << created.status().message();
  }
  auto token = services_->auth().api_tokens().Create(FirstAdmin(), name, role,
                                                     std::chrono::hours(1), "test");
  EXPECT_TRUE(token.ok()) << token.status().message();
  return token.ok() ? std::string(auth::TextOf(token->token)) : "";
}

BrowserSession ApiFixture::SignIn(const std::string& name, const std::string& password) {
  const Reply reply = Call("POST", "/api/v1/session", {{"name", name}, {"password", password}});
  EXPECT_EQ(reply.status, 200) << reply.raw;
  BrowserSession session;
  const std::string set_cookie =
      reply.headers.count("set-cookie") ? reply.headers.at("set-cookie") : "";
  session.cookie = set_cookie.substr(0, set_cookie.find(';'));
  if (reply.body.is_object()) session.csrf_token = reply.body.value("csrf_token", "");
  return session;
}

std::string ApiFixture::EnrollmentToken(int64_t uses) {
  auto token = services_->auth().machines().IssueEnrollmentToken(FirstAdmin(), "test rollout", uses,
                                                                 std::chrono::hours(1));
  EXPECT_TRUE(token.ok()) << token.status().message();
  return token.ok() ? std::string(auth::TextOf(token->token)) : "";
}

std::pair<std::string, std::string> ApiFixture::Enroll(const std::string& name,
                                                       const std::string& hardware_id) {
  const Reply reply = Call("POST", "/api/v1/agent/enroll",
                           {{"enrollment_token", EnrollmentToken(1)},
                            {"computer",
                             {{"name", name},
                              {"domain", "contoso.example"},
                              {"os", "Windows 11 Pro"},
                              {"hardware_ids", {hardware_id}}}}});
  EXPECT_EQ(reply.status, 200) << reply.raw;
  if (!reply.body.is_object()) return {};
  return {reply.body.value("computer_id", ""), reply.body.value("credential", "")};
}

nlohmann::json ApiFixture::Report(const std::string& computer_id, const std::string& name,
                                  const std::string& volume_id,
                                  const std::vector<std::pair<std::string, std::string>>& keys,
                                  const std::vector<std::string>& users) {
  nlohmann::json protectors = {{{"id", "aaaaaaaa-0000-4000-8000-000000000001"}, {"type", "tpm"}}};
  nlohmann::json passwords = nlohmann::json::array();
  for (const auto& [key_id, password] : keys) {
    protectors.push_back({{"id", key_id}, {"type", "recovery_password"}});
    passwords.push_back({{"key_id", key_id},
                         {"volume_id", volume_id},
                         {"password", password},
                         {"created_at", "2024-01-15T08:00:00Z"}});
  }
  return {{"computer",
           {{"id", computer_id},
            {"name", name},
            {"domain", "contoso.example"},
            {"os", "Windows 11 Pro"},
            {"hardware_ids", {"serial:" + name}}}},
          {"volumes",
           {{{"id", volume_id},
             {"drive_letter", "C:"},
             {"type", "os"},
             {"description", name + " C: 2024-01-15"},
             {"encryption_method", "XTS-AES 128"},
             {"protection", "on"},
             {"conversion", "encrypted"},
             {"protectors", protectors}}}},
          {"recovery_passwords", passwords},
          {"users", users}};
}

std::vector<store::AuditEntry> ApiFixture::AuditEntries() {
  auto entries = store_->ReadAudit(1, 100000);
  EXPECT_TRUE(entries.ok());
  return entries.ok() ? std::move(entries).value() : std::vector<store::AuditEntry>{};
}

}  // namespace lockbox::api::testing
