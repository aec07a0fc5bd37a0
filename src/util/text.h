// Text conversions for on-disk and user-typed strings.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace lockbox {

// UTF-8 (what a Linux terminal gives us) to UTF-16LE bytes (what Windows hashed), rejecting
// invalid UTF-8 (overlong forms, surrogates, truncated sequences) instead of guessing.
// The caller owns wiping the result when it is a secret.
Result<std::vector<uint8_t>> Utf8ToUtf16Le(std::string_view utf8);

// UTF-16LE bytes to UTF-8. Stops at the first NUL; an odd trailing byte or an unpaired
// surrogate is an error (kCorrupt), since the bytes come from disk.
Result<std::string> Utf16LeToUtf8(std::span<const uint8_t> utf16);

// Lower-case hex digits of `bytes`, two per byte.
std::string ToHex(std::span<const uint8_t> bytes);


// A Windows FILETIME (100 ns ticks since 1601-01-01 UTC) as "2023-04-05T06:07:08Z".
// Zero or out-of-range values give "".
std::string FiletimeToIso8601(uint64_t filetime);

}  // namespace lockbox
