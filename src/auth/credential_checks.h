// Internal to auth: the checks every issued credential (API token, enrollment token, machine
// credential) shares.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token.h"
#include "store/records.h"
#include "util/status.h"
#include "util/utc_time.h"

namespace lockbox::auth::internal {

// Ok when 0 < lifetime <= max; kInvalidArgument naming `what` otherwise.
Status CheckLifetime(std::string_view what, std::chrono::seconds lifetime,
                     std::chrono::seconds max);
// Ok when `text` (a name, a description) has at most 256 bytes and no control characters;
// kInvalidArgument naming `what` otherwise.
Status CheckText(std::string_view what, std::string_view text);

// last_used is written at most once a minute per credential, so that a busy client does not
// write the store at every request.
bool DueForTouch(const std::optional<store::Time>& last_used, store::Time now);

// Whether `presented` is the credential `record` (looked up by the id in its text) and still
// valid at `now`. A credential that does not exist or whose secret does not match is refused
// with one message that reveals nothing; only once the secret matched does the refusal say
// "revoked" or "expired", which helps its legitimate holder.
template <typename Record>
Status CheckPresented(std::string_view what, const Result<Record>& record,
                      std::string_view presented, store::Time now) {
  if (!record.ok() && record.status().code() != ErrorCode::kNotFound) return record.status();
  if (!record.ok() || !TokenMatches(presented, record->token_hash)) {
    return Status::Unauthenticated(
        "the " + std::string(what) +
        " is not valid: check it, or ask an administrator for a new one");
  }
  const auto name = [&] { return std::string(what) + " " + record->id; };
  if (record->revoked_at) {
    return Status::Unauthenticated(name() + " was revoked on " + FormatUtc(*record->revoked_at) +
                                   ": ask an administrator for a new one");
  }
  if constexpr (requires { record->expires_at; }) {
    if (record->expires_at <= now) {
      return Status::Unauthenticated(name() + " expired on " + FormatUtc(record->expires_at) +
                                     ": ask an administrator for a new one");
    }
  }
  return Status::Ok();
}

}  // namespace lockbox::auth::internal
