#include "http_client/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded

namespace lockbox::http_client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

struct HttpsClient::Connection {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  bool open = false;
};

namespace {

bool IsIpAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// A kept-alive connection the server closed while idle fails this way at the next request.
bool IsStaleConnection(const boost::system::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

// Runs one asynchronous operation to its end. The deadlines of tcp_stream (expires_after) apply
// to asynchronous operations only, which is why even this blocking client uses them.
template <typename Operation>
boost::system::error_code Run(asio::io_context& io, Operation operation) {
  boost::system::error_code result;
  operation([&result](const boost::system::error_code& ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

std::string Describe(const char* step, const boost::system::error_code& ec) {
  std::string what = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    // OpenSSL's reason ("certificate verify failed") says more than Asio's message.
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) {
      what = reason;
    }
  }
  if (ec == beast::error::timeout) what = "timed out";
  return std::string(step) + ": " + what;
}

}  // namespace

HttpsClient::HttpsClient(HttpsUrl url, ClientOptions options)
    : url_(std::move(url)), options_(std::move(options)), connection_(new Connection) {}

HttpsClient::~HttpsClient() = default;

Result<std::unique_ptr<HttpsClient>> HttpsClient::Create(const std::string& url,
                                                         const ClientOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(HttpsUrl parsed, HttpsUrl::Parse(url));
  std::unique_ptr<HttpsClient> client(new HttpsClient(std::move(parsed), options));
  boost::system::error_code ec;
  client->connection_->tls.load_verify_file(options.ca_file, ec);
  if (ec) {
    return Status::IoError("cannot read the CA file " + options.ca_file +
                           " (PEM certificates expected): " + ec.message());
  }
  client->connection_->tls.set_verify_mode(asio::ssl::verify_peer);
  SSL_CTX_set_min_proto_version(client->connection_->tls.native_handle(), TLS1_2_VERSION);
  return client;
}

Status HttpsClient::Connect() {
  Connection& c = *connection_;
  c.open = false;
  c.buffer.clear();
  c.stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(c.io, c.tls);
  SSL* ssl = c.stream->native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (IsIpAddress(url_.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl, url_.host.c_str());
  }
  const auto deadline = std::chrono::milliseconds(options_.connect_timeout_ms);
  boost::system::error_code ec;
  // The resolver has no deadline of its own: it runs asynchronously under the io_context's.
  asio::ip::tcp::resolver resolver(c.io);
  asio::ip::tcp::resolver::results_type endpoints;
  bool resolved = false;
  resolver.async_resolve(url_.host, std::to_string(url_.port),
                         [&](const boost::system::error_code& e, auto results) {
                           ec = e;
                           endpoints = std::move(results);
                           resolved = true;
                         });
  c.io.restart();
  c.io.run_for(deadline);
  if (!resolved) {
    resolver.cancel();
    c.io.restart();
    c.io.run();
    return Status::IoError("resolving " + url_.host + ": timed out");
  }
  if (ec) return Status::IoError(Describe(("resolving " + url_.host).c_str(), ec));
  auto& tcp = beast::get_lowest_layer(*c.stream);
  tcp.expires_after(deadline);
  ec = Run(c.io, [&](auto handler) { tcp.async_connect(endpoints, handler); });
  if (ec) return Status::IoError(Describe(("connecting to " + url_.ToString()).c_str(), ec));
  tcp.expires_after(deadline);
  ec = Run(c.io, [&](auto handler) {
    c.stream->async_handshake(asio::ssl::stream_base::client, handler);
  });
  if (ec) return Status::IoError(Describe(("TLS handshake with " + url_.ToString()).c_str(), ec));
  c.open = true;
  return Status::Ok();
}

Result<HttpResponse> HttpsClient::Post(std::string_view path, std::string_view json_body,
                                       std::string_view bearer) {
  return Send("POST", path, json_body, bearer);
}

Result<HttpResponse> HttpsClient::Get(std::string_view path, std::string_view bearer) {
  return Send("GET", path, "", bearer);
}

Result<HttpResponse> HttpsClient::Send(std::string_view method, std::string_view path,
                                       std::string_view body, std::string_view bearer) {
  beast_http::request<beast_http::string_body> request(
      method == "POST" ? beast_http::verb::post : beast_http::verb::get,
      url_.path_prefix + std::string(path), 11);
  const bool ipv6 = url_.host.find(':') != std::string::npos;
  request.set(beast_http::field::host,
              (ipv6 ? "[" + url_.host + "]" : url_.host) +
                  (url_.port == 443 ? "" : ":" + std::to_string(url_.port)));
  request.set(beast_http::field::user_agent, "lockbox-agent");
  request.keep_alive(true);
  if (!bearer.empty()) {
    request.set(beast_http::field::authorization, "Bearer " + std::string(bearer));
  }
  if (method == "POST") {
    request.set(beast_http::field::content_type, "application/json");
    request.body() = std::string(body);
    request.prepare_payload();
  }
  // A connection kept from an earlier request may have been closed by the server meanwhile:
  // one more try on a new connection then.
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_->open;
    if (!reused) LOCKBOX_RETURN_IF_ERROR(Connect());
    Connection& c = *connection_;
    auto& tcp = beast::get_lowest_layer(*c.stream);
    boost::system::error_code ec;
    tcp.expires_after(std::chrono::milliseconds(options_.request_timeout_ms));
    ec = Run(c.io, [&](auto handler) { beast_http::async_write(*c.stream, request, handler); });
    beast_http::response_parser<beast_http::string_body> parser;
    parser.header_limit(
        static_cast<uint32_t>(std::min<size_t>(options_.max_response_bytes, 64 * 1024)));
    parser.body_limit(options_.max_response_bytes);
    // The header first, on its own: Beast (1.74) checks a Content-Length against the body
    // limit only when it parses the header apart from the body.
    if (!ec) {
      ec = Run(c.io, [&](auto handler) {
        beast_http::async_read_header(*c.stream, c.buffer, parser, handler);
      });
    }
    if (!ec) {
      ec = Run(c.io,
               [&](auto handler) { beast_http::async_read(*c.stream, c.buffer, parser, handler); });
    }
    if (ec) {
      c.open = false;
      if (reused && attempt == 0 && IsStaleConnection(ec)) continue;
      if (ec == beast_http::error::body_limit || ec == beast_http::error::header_limit) {
        return Status::IoError("the answer from " + url_.ToString() + " is larger than " +
                               std::to_string(options_.max_response_bytes) + " bytes: refused");
      }
      return Status::IoError(Describe(("request to " + url_.ToString()).c_str(), ec));
    }
    HttpResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      std::string name(field.name_string());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      response.headers[name] = std::string(field.value());
    }
    response.body = std::move(parser.get().body());
    c.open = parser.get().keep_alive();
    return response;
  }
}

}  // namespace lockbox::http_client
