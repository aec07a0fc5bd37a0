#include "http/message.h"

#include <cctype>

namespace lockbox::http {

namespace beast_http = boost::beast::http;

void ApplyLimits(const config::Limits& limits, RequestParser& parser) {
  parser.header_limit(limits.header_bytes);
  parser.body_limit(limits.body_bytes);
}

Request ToRequest(BeastRequest&& message, std::string remote_address) {
  Request request;
  request.method = MethodFromName(ToStd(message.method_string()));
  const std::string_view target = ToStd(message.target());
  const size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    std::string name(ToStd(field.name_string()));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(ToStd(field.value())));
  }
  request.body = std::move(message.body());
  request.remote_address = std::move(remote_address);
  return request;
}

BeastResponse ToBeast(Response&& response, unsigned version, bool keep_alive) {
  BeastResponse message{static_cast<beast_http::status>(response.status), version};
  message.set(beast_http::field::content_type, response.content_type);
  message.set(beast_http::field::cache_control, "no-store");
  message.set("X-Content-Type-Options", "nosniff");
  for (auto& [name, value] : response.headers) message.set(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

}  // namespace lockbox::http
