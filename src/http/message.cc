#include "http/message.h"

#include <cctype>
#include <string>

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

namespace {

void AppendHeader(std::string& wire, std::string_view name, std::string_view value) {
  const size_t start = wire.size();
  wire.append(name).append(": ").append(value);
  for (size_t i = start; i < wire.size(); ++i) {
    if (wire[i] == '\r' || wire[i] == '\n') wire[i] = ' ';
  }
  wire.append("\r\n");
}

}  // namespace

void SerializeResponse(const Response& response, unsigned version, bool keep_alive,
                       std::string& wire) {
  const auto status = static_cast<beast_http::status>(response.status);
  wire.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ")
      .append(std::to_string(response.status))
      .append(" ")
      .append(ToStd(beast_http::obsolete_reason(status)))
      .append("\r\n");
  AppendHeader(wire, "Content-Type", response.content_type);
  AppendHeader(wire, "Cache-Control", "no-store");
  AppendHeader(wire, "X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) AppendHeader(wire, name, value);
  // HTTP/1.1 keeps a connection open unless told otherwise; HTTP/1.0 closes it unless told.
  if (version == 10 && keep_alive) AppendHeader(wire, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) AppendHeader(wire, "Connection", "close");
  // 1xx, 204 and 304 answers have no body (RFC 9110, 6.4.1).
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless) AppendHeader(wire, "Content-Length", std::to_string(response.body.size()));
  wire.append("\r\n");
  if (!bodiless) wire.append(response.body);
}

}  // namespace lockbox::http
