// The HTTPS server run in-process on an ephemeral port, talked to over real TLS.
#include "http/server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <future>
#include <sstream>
#include <thread>

#include "http/builtin_routes.h"
#include "http/json_io.h"
#include "http/log.h"
#include "http/tls_certificate.h"
#include "https_client.h"
#include "test_dir.h"

namespace lockbox::http {
namespace {

using testing::HttpReply;
using testing::HttpsClient;

class ServerTest : public ::testing::Test {
 protected:
  // Limits small enough to hit quickly; timeouts long enough never to fire by accident, except
  // where a test shortens one on purpose.
  static config::Limits TestLimits() {
    config::Limits limits;
    limits.header_bytes = 2048;
    limits.body_bytes = 4096;
    return limits;
  }

  void Start(const config::Limits& limits = TestLimits()) {
    ASSERT_TRUE(
        CreateSelfSignedCertificate(
            {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}},
            cert_, dir_ / "key.pem")
            .ok());
    ASSERT_TRUE(AddBuiltinRoutes(router_, metrics_, [this] {
                  return healthy_ ? Status::Ok() : Status::IoError("the store does not answer");
                }).ok());
    ASSERT_TRUE(router_
                    .Add({.method = Method::kPost,
                          .pattern = "/api/v1/echo",
                          .summary = "Echo a JSON body",
                          .handler =
                              [](Request& request) {
                                nlohmann::json body;
                                if (auto error = ReadJsonBody(request, &body)) return *error;
                                return JsonResponse(200, body);
                              }})
                    .ok());
    ASSERT_TRUE(router_
                    .Add({.pattern = "/api/v1/slow",
                          .summary = "Answers when the test lets it",
                          .handler =
                              [this](Request&) {
                                entered_.set_value();
                                release_.get_future().wait();
                                return JsonResponse(200, {{"slow", true}});
                              }})
                    .ok());
    logger_ = MakeJsonLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_),
                             config::LogLevel::kDebug);
    auto server = Server::Create({.listen = {"127.0.0.1", 0},
                                  .limits = limits,
                                  .tls_cert_file = cert_,
                                  .tls_key_file = dir_ / "key.pem",
                                  .threads = 2},
                                 router_, metrics_, logger_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      thread_.join();
    }
  }

  std::unique_ptr<HttpsClient> Connect() {
    auto client = HttpsClient::Connect(server_->port(), cert_);
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(*client) : nullptr;
  }

  HttpReply Get(const std::string& target) {
    auto reply = Connect()->Request("GET", target);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    return reply.ok() ? *reply : HttpReply{};
  }

  static std::string ErrorCode(const HttpReply& reply) {
    return nlohmann::json::parse(reply.body)["error"]["code"];
  }

  // Stops the server and waits for it. Only then is the log complete: a request's line is
  // written after its response has been sent, so a client can see the answer first.
  void Stop() {
    server_->Shutdown();
    thread_.join();
    server_.reset();
  }

  // Read the log only once the server has stopped (no writer left).
  std::string Log() {
    logger_->flush();
    return log_.str();
  }

  testing::TestDir dir_;
  std::string cert_ = dir_ / "cert.pem";
  Metrics metrics_;
  Router router_;
  std::atomic<bool> healthy_ = true;
  std::promise<void> entered_;
  std::promise<void> release_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, HealthzAnswersOkAnd503WhenTheStoreDoesNot) {
  Start();
  HttpReply reply = Get("/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"status":"ok"})");
  EXPECT_EQ(reply.headers["content-type"], "application/json");
  EXPECT_EQ(reply.headers["cache-control"], "no-store");
  healthy_ = false;
  reply = Get("/healthz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(ErrorCode(reply), "unavailable");
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatusAndOpenConnections) {
  Start();
  Get("/healthz");
  Get("/no/such/path");
  auto client = Connect();
  auto reply = client->Request("GET", "/metrics");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = reply->body;
  EXPECT_NE(
      text.find(
          "lockbox_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("lockbox_http_requests_total{route=\"none\",method=\"GET\",status=\"404\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("lockbox_http_request_duration_seconds_count{route=\"/healthz\"} 1\n"),
            std::string::npos);
  // The two earlier connections may still be closing; this one is certainly open.
  EXPECT_NE(text.find("lockbox_http_open_connections "), std::string::npos);
  EXPECT_EQ(text.find("lockbox_http_open_connections 0\n"), std::string::npos);
}

TEST_F(ServerTest, OpenApiDocumentListsEveryRoute) {
  Start();
  const HttpReply reply = Get("/api/v1/openapi.json");
  ASSERT_EQ(reply.status, 200);
  const nlohmann::json doc = nlohmann::json::parse(reply.body);
  std::set<std::string> documented;
  for (const auto& [path, operations] : doc["paths"].items()) documented.insert(path);
  std::set<std::string> routed;
  for (const Route& route : router_.routes()) routed.insert(route.pattern);
  EXPECT_EQ(documented, routed);
  EXPECT_EQ(doc["paths"]["/api/v1/echo"]["post"]["summary"], "Echo a JSON body");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  Start();
  HttpReply reply = Get("/api/v2/nothing");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(ErrorCode(reply), "not_found");
  auto posted = Connect()->Request("POST", "/healthz", "{}");
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->status, 405);
  EXPECT_EQ(posted->headers["allow"], "GET");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  auto client = Connect();
  for (int i = 0; i < 5; ++i) {
    auto reply = client->Request("POST", "/api/v1/echo", "[" + std::to_string(i) + "]",
                                 {{"Content-Type", "application/json"}});
    ASSERT_TRUE(reply.ok()) << "request " << i << ": " << reply.status().message();
    EXPECT_EQ(reply->body, "[" + std::to_string(i) + "]");
    EXPECT_TRUE(reply->keep_alive);
  }
  // All five went over connection 1.
  Stop();
  const std::string log = Log();
  size_t requests = 0;
  for (size_t at = log.find("\"conn\":1,"); at != std::string::npos;
       at = log.find("\"conn\":1,", at + 1)) {
    ++requests;
  }
  EXPECT_EQ(requests, 5u) << log;
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  Start();
  auto client = Connect();
  auto reply = client->Request("GET", "/healthz", "", {{"X-Padding", std::string(3000, 'a')}});
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->status, 431);
  EXPECT_EQ(ErrorCode(*reply), "header_too_large");
  EXPECT_FALSE(reply->keep_alive);
}

TEST_F(ServerTest, OversizedBodyIs413) {
  Start();
  auto client = Connect();
  auto reply = client->Request("POST", "/api/v1/echo", std::string(5000, ' '),
                               {{"Content-Type", "application/json"}});
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(ErrorCode(*reply), "body_too_large");
}

TEST_F(ServerTest, MalformedJsonIs400AndWrongContentTypeIs415) {
  Start();
  auto client = Connect();
  auto reply =
      client->Request("POST", "/api/v1/echo", "{\"a\":", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(ErrorCode(*reply), "malformed_json");
  reply = client->Request("POST", "/api/v1/echo", "{}", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 415);
}

TEST_F(ServerTest, GarbageRequestIs400) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->WriteRaw("NOT HTTP AT ALL\r\n\r\n").ok());
  auto reply = client->ReadReply();
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->status, 400);
}

TEST_F(ServerTest, SlowHeaderAndIdleClientsAreCutOff) {
  config::Limits limits = TestLimits();
  limits.header_timeout_ms = 200;
  limits.idle_timeout_ms = 200;
  Start(limits);
  auto slow = Connect();
  ASSERT_TRUE(slow->WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n").ok());  // never finished
  auto idle = Connect();
  // Generous: the point is that the server closes, not how fast.
  EXPECT_TRUE(slow->ClosedWithin(20'000));
  EXPECT_TRUE(idle->ClosedWithin(20'000));
}

TEST_F(ServerTest, ShutdownLetsTheRequestInFlightFinish) {
  Start();
  auto client = Connect();
  auto idle = Connect();
  auto answer =
      std::async(std::launch::async, [&] { return client->Request("GET", "/api/v1/slow"); });
  entered_.get_future().wait();
  server_->Shutdown();
  // Idle connections are closed and no new connection is accepted...
  EXPECT_TRUE(idle->ClosedWithin(20'000));
  EXPECT_FALSE(HttpsClient::Connect(server_->port(), cert_).ok());
  // ...while the request in flight is answered, with Connection: close.
  release_.set_value();
  auto reply = answer.get();
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"slow":true})");
  EXPECT_FALSE(reply->keep_alive);
  thread_.join();  // Run() returns once everything has finished
  server_.reset();
  EXPECT_NE(Log().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST_F(ServerTest, Tls11IsRefused) {
  Start();
  auto client = HttpsClient::Connect(server_->port(), cert_, testing::TlsVersion::kOnly11);
  ASSERT_FALSE(client.ok());
  // The server's alert, not the client declining to offer TLS 1.1.
  EXPECT_NE(client.status().message().find("protocol version"), std::string::npos)
      << client.status().message();
}

TEST_F(ServerTest, LogsNeverHoldCredentialsQuerySecretsOrBodies) {
  Start();
  auto client = Connect();
  auto reply = client->Request("POST", "/api/v1/echo?token=QUERY-SECRET-1&computer=PC-42",
                               R"({"password":"BODY-SECRET-2"})",
                               {{"Content-Type", "application/json"},
                                {"Authorization", "Bearer AUTH-SECRET-3"},
                                {"Cookie", "session=COOKIE-SECRET-4"}});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
  client.reset();
  Stop();
  const std::string log = Log();
  EXPECT_NE(log.find("\"msg\":\"request\""), std::string::npos) << log;
  EXPECT_NE(log.find("token=REDACTED&computer=PC-42"), std::string::npos) << log;
  for (const char* secret :
       {"QUERY-SECRET-1", "BODY-SECRET-2", "AUTH-SECRET-3", "COOKIE-SECRET-4"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in " << log;
  }
}

TEST_F(ServerTest, HandlerThatThrowsIs500AndTheServerCarriesOn) {
  ASSERT_TRUE(router_
                  .Add({.pattern = "/api/v1/throws",
                        .handler = [](Request&) -> Response { throw std::runtime_error("boom"); }})
                  .ok());
  Start();
  auto client = Connect();
  auto reply = client->Request("GET", "/api/v1/throws");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 500);
  reply = client->Request("GET", "/healthz");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
}

TEST_F(ServerTest, A500IsLoggedWithItsCause) {
  ASSERT_TRUE(router_
                  .Add({.pattern = "/api/v1/fails",
                        .handler = [](Request&) -> Response {
                          return ErrorResponse(Status::IoError("SQLite: disk I/O error"));
                        }})
                  .ok());
  Start();
  auto reply = Connect()->Request("GET", "/api/v1/fails");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body.find("SQLite"), std::string::npos) << reply->body;  // the log only
  Stop();
  const std::string log = Log();
  const size_t line = log.find("\"route\":\"/api/v1/fails\"");
  ASSERT_NE(line, std::string::npos) << log;
  const size_t start = log.rfind('\n', line) + 1;  // npos + 1 is 0: the first line
  const std::string text = log.substr(start, log.find('\n', line) - start);
  EXPECT_NE(text.find("\"level\":\"error\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"error\":\"SQLite: disk I/O error\""), std::string::npos) << text;
}

TEST_F(ServerTest, MaxConnectionsClosesTheExtraOne) {
  config::Limits limits = TestLimits();
  limits.max_connections = 1;
  Start(limits);
  auto first = Connect();
  EXPECT_FALSE(HttpsClient::Connect(server_->port(), cert_).ok());
  auto reply = first->Request("GET", "/healthz");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
}

TEST(ServerCreateTest, BadKeyFileIsExplained) {
  testing::TestDir dir;
  Router router;
  Metrics metrics;
  auto logger = MakeJsonLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cerr),
                               config::LogLevel::kOff);
  auto server = Server::Create({.tls_cert_file = dir / "cert.pem", .tls_key_file = dir / "key.pem"},
                               router, metrics, logger);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(),
            "cannot read TLS key file " + (dir / "key.pem") + ": check tls.key_file in the config");
}

}  // namespace
}  // namespace lockbox::http
