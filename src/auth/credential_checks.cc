#include "auth/credential_checks.h"

namespace lockbox::auth::internal {

Status CheckLifetime(std::string_view what, std::chrono::seconds lifetime,
                     std::chrono::seconds max) {
  if (lifetime.count() > 0 && lifetime <= max) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " lives between 1 second and " +
                                 std::to_string(max.count()) + " seconds; " +
                                 std::to_string(lifetime.count()) +
                                 " was asked: choose a lifetime " + "in that range");
}

Status CheckText(std::string_view what, std::string_view text) {
  if (text.size() > 256) {
    return Status::InvalidArgument(std::string(what) + " is longer than 256 bytes: shorten it");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) +
                                     " contains a control character: remove it");
    }
  }
  return Status::Ok();
}

bool DueForTouch(const std::optional<store::Time>& last_used, store::Time now) {
  return !last_used || now - *last_used >= std::chrono::seconds(60);
}

}  // namespace lockbox::auth::internal
