// A small blocking HTTPS client for the server tests: one TLS connection (the server's
// certificate verified against a given CA file and IP address), requests in sequence on it,
// and raw writes for requests a well-behaved client would never send.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "util/status.h"

namespace lockbox::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = false;
};

enum class TlsVersion { kDefault, kOnly11 };

class HttpsClient {
 public:
  // Connects to 127.0.0.1:`port` and completes the TLS handshake. kOnly11 offers TLS 1.1 and
  // nothing else (with the client's own security level lowered, so only the server can refuse).
  static Result<std::unique_ptr<HttpsClient>> Connect(uint16_t port, const std::string& ca_file,
                                                      TlsVersion version = TlsVersion::kDefault);
  ~HttpsClient();

  // Sends one request and reads its reply. `headers` are sent as given ("Name: value" lines).
  Result<HttpReply> Request(const std::string& method, const std::string& target,
                            const std::string& body = "",
                            const std::map<std::string, std::string>& headers = {});
  Status WriteRaw(const std::string& bytes);
  Result<HttpReply> ReadReply();
  // True when the server closes the connection within `timeout_ms` (reads until then).
  bool ClosedWithin(int timeout_ms);

  struct State;

 private:
  explicit HttpsClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace lockbox::testing
