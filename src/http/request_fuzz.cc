// Feeds raw bytes to the request path as the server runs it: Beast's parser with our limits,
// the conversion to a Request, the router (with parameters) and JSON body decoding. Every
// answer must be a valid status with a JSON error body when it is an error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/json_io.h"
#include "http/message.h"
#include "http/router.h"

namespace {

const lockbox::http::Router& FuzzRouter() {
  using lockbox::http::Method;
  using lockbox::http::Request;
  using lockbox::http::Response;
  static const lockbox::http::Router* router = [] {
    auto* r = new lockbox::http::Router;
    const auto json_handler = [](Request& request) -> Response {
      nlohmann::json body;
      if (auto error = lockbox::http::ReadJsonBody(request, &body)) return *error;
      return lockbox::http::JsonResponse(200, {{"key", request.Param("key_id")}, {"body", body}});
    };
    (void)r->Add(
        {.method = Method::kPost, .pattern = "/api/v1/keys/{key_id}", .handler = json_handler});
    (void)r->Add({.pattern = "/api/v1/keys/search", .handler = json_handler});
    (void)r->Add({.method = Method::kPut,
                  .pattern = "/api/v1/computers/{id}/volumes/{volume}",
                  .handler = json_handler});
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lockbox::config::Limits limits;
  limits.header_bytes = 4096;
  limits.body_bytes = 64 * 1024;
  lockbox::http::RequestParser parser;
  lockbox::http::ApplyLimits(limits, parser);
  parser.eager(true);
  boost::beast::error_code ec;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty() && !parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      if (used == 0) break;
    }
    if (ec) return 0;
    rest.remove_prefix(used);
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return 0;  // put_eof() requires some input (as on the wire)
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  lockbox::http::Request request = lockbox::http::ToRequest(parser.release(), "192.0.2.1");
  const lockbox::http::Response response = FuzzRouter().Dispatch(request);
  if (response.status < 200 || response.status > 599) std::abort();
  if (response.status >= 400 && !nlohmann::json::accept(response.body)) std::abort();
  std::string wire;
  lockbox::http::SerializeResponse(response, 11, true, wire);
  // The header block ends once, where the body starts: nothing in it can end it early.
  if (wire.find("\r\n\r\n") + 4 != wire.size() - response.body.size()) std::abort();
  return 0;
}
