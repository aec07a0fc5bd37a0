// HttpsUrl: the server address an agent is configured with, "https://HOST[:PORT][/PREFIX]".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace lockbox::http_client {

struct HttpsUrl {
  std::string host;  // a DNS name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 443;
  std::string path_prefix;  // "" or "/lockbox" (no trailing slash): put before every target

  // kInvalidArgument saying what is wrong: not https, no host, a bad port, a query or
  // fragment, user information.
  static Result<HttpsUrl> Parse(std::string_view text);
  // "https://host:port/prefix", for messages.
  std::string ToString() const;
};

}  // namespace lockbox::http_client
