#include "http_client/https_url.h"

#include <charconv>

namespace lockbox::http_client {

Result<HttpsUrl> HttpsUrl::Parse(std::string_view text) {
  const std::string_view scheme = "https://";
  if (!text.starts_with(scheme)) {
    return Status::InvalidArgument(
        "the server URL must start with https:// (an agent talks TLS only)");
  }
  std::string_view rest = text.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("the server URL must not carry a user name or password");
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument("the server URL must not carry a query or fragment");
  }
  HttpsUrl url;
  std::string_view port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("the server URL's IPv6 address lacks its closing ']'");
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return Status::InvalidArgument("the server URL has text after its IPv6 address");
    }
    if (!after.empty()) port = after.substr(1);
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return Status::InvalidArgument("the server URL has no host name");
  if (!port.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Status::InvalidArgument("the server URL's port must be a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(value);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  url.path_prefix = std::string(path);
  return url;
}

std::string HttpsUrl::ToString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + path_prefix;
}

}  // namespace lockbox::http_client
