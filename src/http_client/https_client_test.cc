// The client against the project's own HTTPS server (src/http) on an ephemeral loopback port.
#include "http_client/https_client.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <boost/asio.hpp>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "http/json_io.h"
#include "http/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls_certificate.h"

namespace lockbox::http_client {
namespace {

TEST(HttpsUrlTest, ParsesHostPortAndPrefix) {
  auto url = HttpsUrl::Parse("https://lockbox.contoso.example:8443/escrow/");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->host, "lockbox.contoso.example");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path_prefix, "/escrow");
  auto v6 = HttpsUrl::Parse("https://[::1]");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 443);
  EXPECT_EQ(v6->ToString(), "https://[::1]:443");
}

TEST(HttpsUrlTest, RefusesWhatIsNotAPlainHttpsUrl) {
  EXPECT_NE(HttpsUrl::Parse("http://x").status().message().find("https://"), std::string::npos);
  EXPECT_FALSE(HttpsUrl::Parse("https://").ok());
  EXPECT_FALSE(HttpsUrl::Parse("https://x:0").ok());
  EXPECT_FALSE(HttpsUrl::Parse("https://x:99999").ok());
  EXPECT_FALSE(HttpsUrl::Parse("https://x:").ok());
  EXPECT_FALSE(HttpsUrl::Parse("https://user:pw@x").ok());
  EXPECT_FALSE(HttpsUrl::Parse("https://x/?token=1").ok());
  EXPECT_FALSE(HttpsUrl::Parse("https://[::1").ok());
}

class Folder {
 public:
  Folder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lockbox-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~Folder() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A server with /echo (answers the request's body and Authorization header) and /big (2 MiB).
class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        http::CreateSelfSignedCertificate(
            {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}},
            cert_, dir_ / "key.pem")
            .ok());
    ASSERT_TRUE(http::CreateSelfSignedCertificate(
                    {.common_name = "other", .dns_names = {"other"}, .ip_addresses = {}},
                    other_cert_, dir_ / "other-key.pem")
                    .ok());
    ASSERT_TRUE(router_
                    .Add({.method = http::Method::kPost,
                          .pattern = "/echo",
                          .handler =
                              [](http::Request& r) {
                                return http::JsonResponse(
                                    200,
                                    {{"body", r.body},
                                     {"authorization", std::string(r.Header("authorization"))}});
                              }})
                    .ok());
    ASSERT_TRUE(router_
                    .Add({.method = http::Method::kGet,
                          .pattern = "/big",
                          .handler =
                              [](http::Request&) {
                                return http::JsonResponse(200, std::string(2 << 20, 'x'));
                              }})
                    .ok());
    auto server =
        http::Server::Create({.listen = {"127.0.0.1", 0},
                              .limits = config::Limits{},
                              .tls_cert_file = cert_,
                              .tls_key_file = dir_ / "key.pem",
                              .threads = 1,
                              .handler_threads = 2},
                             router_, metrics_,
                             http::MakeJsonLogger(std::make_shared<spdlog::sinks::null_sink_mt>(),
                                                  config::LogLevel::kOff));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    if (thread_.joinable()) thread_.join();
  }

  std::string Url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(server_->port());
  }

  Folder dir_;
  std::string cert_ = dir_ / "cert.pem";
  std::string other_cert_ = dir_ / "other.pem";
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

TEST_F(HttpsClientTest, PostsJsonWithTheBearerAndKeepsTheConnection) {
  auto client = HttpsClient::Create(Url(), {.ca_file = cert_});
  ASSERT_TRUE(client.ok()) << client.status().message();
  for (int i = 0; i < 3; ++i) {
    auto reply = (*client)->Post("/echo", R"({"n":1})", "lbx_agt_test");
    ASSERT_TRUE(reply.ok()) << reply.status().message();
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->headers["content-type"], "application/json");
    const auto body = nlohmann::json::parse(reply->body);
    EXPECT_EQ(body["body"], R"({"n":1})");
    EXPECT_EQ(body["authorization"], "Bearer lbx_agt_test");
  }
  // Three requests, one connection, still open.
  EXPECT_NE(metrics_.RenderPrometheus().find("lockbox_http_open_connections 1\n"),
            std::string::npos)
      << metrics_.RenderPrometheus();
}

TEST_F(HttpsClientTest, VerifiesTheHostNameToo) {
  auto client = HttpsClient::Create(Url("localhost"), {.ca_file = cert_});
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE((*client)->Post("/echo", "{}", "").ok());
}

TEST_F(HttpsClientTest, RefusesAServerCertificateFromAnotherCa) {
  auto client = HttpsClient::Create(Url(), {.ca_file = other_cert_});
  ASSERT_TRUE(client.ok());
  auto reply = (*client)->Post("/echo", "{}", "");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), ErrorCode::kIoError);
  EXPECT_NE(reply.status().message().find("TLS handshake"), std::string::npos)
      << reply.status().message();
}

TEST_F(HttpsClientTest, RefusesAnAnswerLargerThanTheLimit) {
  auto client = HttpsClient::Create(Url(), {.ca_file = cert_, .max_response_bytes = 1 << 20});
  ASSERT_TRUE(client.ok());
  auto reply = (*client)->Get("/big", "");
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find("larger than 1048576 bytes"), std::string::npos)
      << reply.status().message();
}

TEST(HttpsClientTimeoutTest, GivesUpOnAServerThatNeverAnswers) {
  Folder dir;
  ASSERT_TRUE(http::CreateSelfSignedCertificate(
                  {.common_name = "x", .dns_names = {}, .ip_addresses = {"127.0.0.1"}},
                  dir / "cert.pem", dir / "key.pem")
                  .ok());
  // A listener that accepts the connection and says nothing.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  auto client = HttpsClient::Create("https://127.0.0.1:" + std::to_string(port),
                                    {.ca_file = dir / "cert.pem", .connect_timeout_ms = 300});
  ASSERT_TRUE(client.ok());
  const auto start = std::chrono::steady_clock::now();
  auto reply = (*client)->Post("/x", "{}", "");
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find("timed out"), std::string::npos)
      << reply.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(HttpsClientCreateTest, ACaFileThatCannotBeReadIsAClearError) {
  auto client = HttpsClient::Create("https://127.0.0.1:1", {.ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("cannot read the CA file /nonexistent/ca.pem"),
            std::string::npos);
}

}  // namespace
}  // namespace lockbox::http_client
