// Internal: the bridge between Boost.Beast's messages and our Request/Response, shared by the
// server and the request-decoding fuzzer so both decode with exactly the same rules.
#pragma once

#include <boost/beast/http.hpp>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded

#include "config/config.h"
#include "http/request.h"

namespace lockbox::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Beast's string_view is Boost's, not std's.
inline std::string_view ToStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Applies the configured header and body limits to a fresh parser.
void ApplyLimits(const config::Limits& limits, RequestParser& parser);

Request ToRequest(BeastRequest&& message, std::string remote_address);

// Appends `response` to `wire` as the bytes of an HTTP/1.x answer (`version` 10 or 11, as
// Beast counts): the status line; Content-Type, the headers every answer carries
// (Cache-Control: no-store, since answers may hold recovery passwords, and
// X-Content-Type-Options: nosniff), the response's own headers, Connection as `keep_alive`
// and `version` require, Content-Length; then the body. A CR or LF in a header becomes a
// space, so no value can end the header block early.
void SerializeResponse(const Response& response, unsigned version, bool keep_alive,
                       std::string& wire);

}  // namespace lockbox::http
