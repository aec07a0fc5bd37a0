#include "https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded

namespace lockbox::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

struct HttpsClient::State {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
};

HttpsClient::HttpsClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
HttpsClient::~HttpsClient() = default;

Result<std::unique_ptr<HttpsClient>> HttpsClient::Connect(uint16_t port, const std::string& ca_file,
                                                          TlsVersion version) {
  auto state = std::make_unique<State>();
  try {
    state->tls.load_verify_file(ca_file);
    state->tls.set_verify_mode(asio::ssl::verify_peer);
    if (version == TlsVersion::kOnly11) {
      SSL_CTX* ctx = state->tls.native_handle();
      SSL_CTX_set_security_level(ctx, 0);
      SSL_CTX_set_cipher_list(ctx, "DEFAULT@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
    }
    state->stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(state->io, state->tls);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(state->stream->native_handle()), "127.0.0.1");
    beast::get_lowest_layer(*state->stream).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(*state->stream)
        .connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    state->stream->handshake(asio::ssl::stream_base::client);
  } catch (const boost::system::system_error& e) {
    return Status::IoError(e.code().message());
  }
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(state)));
}

Result<HttpReply> HttpsClient::Request(const std::string& method, const std::string& target,
                                       const std::string& body,
                                       const std::map<std::string, std::string>& headers) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "\r\n" + body;
  LOCKBOX_RETURN_IF_ERROR(WriteRaw(raw));
  return ReadReply();
}

Status HttpsClient::WriteRaw(const std::string& bytes) {
  try {
    beast::get_lowest_layer(*state_->stream).expires_after(std::chrono::seconds(30));
    asio::write(*state_->stream, asio::buffer(bytes));
  } catch (const boost::system::system_error& e) {
    return Status::IoError(e.code().message());
  }
  return Status::Ok();
}

Result<HttpReply> HttpsClient::ReadReply() {
  beast_http::response<beast_http::string_body> response;
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  try {
    beast::get_lowest_layer(*state_->stream).expires_after(std::chrono::seconds(30));
    beast_http::read(*state_->stream, state_->buffer, parser);
  } catch (const boost::system::system_error& e) {
    return Status::IoError(e.code().message());
  }
  HttpReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  reply.keep_alive = parser.get().keep_alive();
  for (const auto& field : parser.get()) {
    std::string name(field.name_string().data(), field.name_string().size());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value().data(), field.value().size());
  }
  reply.body = parser.get().body();
  return reply;
}

bool HttpsClient::ClosedWithin(int timeout_ms) {
  auto& tcp = beast::get_lowest_layer(*state_->stream);
  tcp.expires_after(std::chrono::milliseconds(timeout_ms));
  char byte;
  boost::system::error_code ec;
  while (!ec) state_->stream->read_some(asio::buffer(&byte, 1), ec);
  return ec != beast::error::timeout;
}

}  // namespace lockbox::testing
