#include "http_client/json_call.h"

#include "crypto/json_wipe.h"

namespace lockbox::http_client {
namespace {

Status ErrorFor(int status, const nlohmann::json& body, std::string_view path) {
  std::string message =
      "the server answered " + std::to_string(status) + " to " + std::string(path);
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("message") && body["error"]["message"].is_string()) {
    message += ": " + body["error"]["message"].get<std::string>();
  }
  switch (status) {
    case 400:
    case 413:
    case 415:
      return Status::InvalidArgument(message);
    case 401:
      return Status::Unauthenticated(message);
    case 403:
      return Status::PermissionDenied(message);
    case 404:
      return Status::NotFound(message);
    case 429:
      return Status::RateLimited(message);
    default:
      return Status::IoError(message);
  }
}

}  // namespace

Result<nlohmann::json> PostJson(HttpsClient& client, std::string_view path,
                                const crypto::SecretBytes& body, std::string_view bearer) {
  LOCKBOX_ASSIGN_OR_RETURN(
      HttpResponse response,
      client.Post(path, {reinterpret_cast<const char*>(body.data()), body.size()}, bearer));
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  crypto::Wipe({reinterpret_cast<uint8_t*>(response.body.data()), response.body.size()});
  if (response.status != 200) {
    crypto::WipeOnExit wipe(answer);
    return ErrorFor(response.status, answer, path);
  }
  if (answer.is_discarded()) {
    return Status::Corrupt("the server's answer to " + std::string(path) + " is not JSON");
  }
  return answer;
}

}  // namespace lockbox::http_client
