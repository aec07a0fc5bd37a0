// A JSON request to a Lockbox server and its answer, for the clients of its API (the agent,
// `lockbox import ad --to`): the body goes out from wiped memory, and an HTTP error answer
// becomes a Status whose code says what the caller can do about it: kIoError (network, TLS,
// 5xx: retry later), kUnauthenticated (401), kPermissionDenied (403), kInvalidArgument (400,
// 413, 415: a bug to report), kNotFound (404), kRateLimited (429). Messages carry the
// server's message, which never holds secrets.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "crypto/secret.h"
#include "http_client/https_client.h"

namespace lockbox::http_client {

// POSTs `body` to `path` with `bearer` (none when empty); the answer's JSON when the status
// is 200 (its text wiped once parsed), else the Status for it.
Result<nlohmann::json> PostJson(HttpsClient& client, std::string_view path,
                                const crypto::SecretBytes& body, std::string_view bearer);

}  // namespace lockbox::http_client
