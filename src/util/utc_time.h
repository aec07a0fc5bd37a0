// UTC times as text: RFC 3339 ("2024-05-01T09:30:00Z"), the form every Lockbox API and log
// uses.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/status.h"

namespace lockbox {

// "2024-05-01T09:30:00Z". Years outside 0000-9999 are clamped to that range's ends.
std::string FormatUtc(std::chrono::sys_seconds time);

// Parses an RFC 3339 date-time: "2024-05-01T09:30:00Z", "2024-05-01t09:30:00.250+02:00" (a
// fraction is dropped, the offset applied). kInvalidArgument saying what is expected otherwise.
Result<std::chrono::sys_seconds> ParseUtc(std::string_view text);

}  // namespace lockbox
