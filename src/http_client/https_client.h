// HttpsClient: a small blocking HTTPS/1.1 client (Boost.Beast over OpenSSL) for the agent.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto client, http_client::HttpsClient::Create(url, {.ca_file = ca}));
//   LOCKBOX_ASSIGN_OR_RETURN(http_client::HttpResponse r,
//                            client->Post("/api/v1/agent/report", json, bearer));
//
// The server's certificate must chain to the configured CA file and name the URL's host (DNS
// name or IP address); nothing else is trusted, and there is no switch to turn checking off.
// One connection is kept alive between requests and opened again when the server has closed
// it. Every step (resolve, connect, handshake, request, response) has a deadline, and a
// response larger than max_response_bytes is refused. Not thread-safe: one client per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "http_client/https_url.h"
#include "util/status.h"

namespace lockbox::http_client {

struct ClientOptions {
  std::string ca_file;                   // PEM: the certificates trusted to sign the server's
  uint32_t connect_timeout_ms = 15'000;  // resolving, connecting and the TLS handshake
  uint32_t request_timeout_ms = 60'000;  // writing a request and reading its response
  size_t max_response_bytes = 1 << 20;   // headers and body
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpsClient {
 public:
  // Reads the CA file; connects lazily at the first request. kInvalidArgument for a bad URL,
  // kIoError for a CA file that cannot be read.
  static Result<std::unique_ptr<HttpsClient>> Create(const std::string& url,
                                                     const ClientOptions& options);
  ~HttpsClient();

  // POSTs a JSON body to `path` (after the URL's prefix). `bearer`, when not empty, is sent as
  // "Authorization: Bearer ...". kIoError for network and TLS failures (the message says which
  // step failed, e.g. "certificate verify failed"); any HTTP status is a response.
  Result<HttpResponse> Post(std::string_view path, std::string_view json_body,
                            std::string_view bearer);
  Result<HttpResponse> Get(std::string_view path, std::string_view bearer);

  const HttpsUrl& url() const { return url_; }

  struct Connection;

 private:
  HttpsClient(HttpsUrl url, ClientOptions options);
  Result<HttpResponse> Send(std::string_view method, std::string_view path, std::string_view body,
                            std::string_view bearer);
  Status Connect();

  HttpsUrl url_;
  ClientOptions options_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace lockbox::http_client
