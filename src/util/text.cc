#include "util/text.h"

#include <cstdio>
#include <ctime>

#include "util/utc_time.h"

namespace lockbox {
namespace {

void AppendUtf16(std::vector<uint8_t>& out, uint32_t unit) {
  out.push_back(static_cast<uint8_t>(unit & 0xFF));
  out.push_back(static_cast<uint8_t>(unit >> 8));
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Result<std::vector<uint8_t>> Utf8ToUtf16Le(std::string_view utf8) {
  std::vector<uint8_t> out;
  out.reserve(utf8.size() * 2);
  size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    size_t length = 0;
    uint32_t cp = 0;
    uint32_t min_cp = 0;
    if (lead < 0x80) {
      length = 1, cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, cp = lead & 0x1F, min_cp = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, cp = lead & 0x0F, min_cp = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, cp = lead & 0x07, min_cp = 0x10000;
    } else {
      return Status::InvalidArgument("text is not valid UTF-8 (bad byte at position " +
                                     std::to_string(i + 1) + ")");
    }
    if (utf8.size() - i < length) {
      return Status::InvalidArgument("text is not valid UTF-8 (truncated character at position " +
                                     std::to_string(i + 1) + ")");
    }
    for (size_t k = 1; k < length; ++k) {
      const auto cont = static_cast<uint8_t>(utf8[i + k]);
      if ((cont & 0xC0) != 0x80) {
        return Status::InvalidArgument("text is not valid UTF-8 (bad byte at position " +
                                       std::to_string(i + k + 1) + ")");
      }
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Status::InvalidArgument("text is not valid UTF-8 (invalid character at position " +
                                     std::to_string(i + 1) + ")");
    }
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      AppendUtf16(out, 0xD800 | (v >> 10));
      AppendUtf16(out, 0xDC00 | (v & 0x3FF));
    } else {
      AppendUtf16(out, cp);
    }
    i += length;
  }
  return out;
}

Result<std::string> Utf16LeToUtf8(std::span<const uint8_t> utf16) {
  if (utf16.size() % 2 != 0) {
    return Status::Corrupt("UTF-16 string has an odd length (" + std::to_string(utf16.size()) +
                           " bytes)");
  }
  std::string out;
  for (size_t i = 0; i < utf16.size(); i += 2) {
    uint32_t unit = utf16[i] | (utf16[i + 1] << 8);
    if (unit == 0) break;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 3 >= utf16.size())
        return Status::Corrupt("UTF-16 string ends inside a surrogate pair");
      uint32_t low = utf16[i + 2] | (utf16[i + 3] << 8);
      if (low < 0xDC00 || low > 0xDFFF)
        return Status::Corrupt("UTF-16 string has an unpaired surrogate");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return Status::Corrupt("UTF-16 string has an unpaired surrogate");
    }
    AppendUtf8(out, unit);
  }
  return out;
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string FiletimeToIso8601(uint64_t filetime) {
  constexpr uint64_t kTicksPerSecond = 10'000'000;
  constexpr uint64_t kUnixEpochSeconds = 11'644'473'600;  // 1601-01-01 to 1970-01-01
  const uint64_t seconds = filetime / kTicksPerSecond;
  // Years beyond 9999 do not fit the format and are certainly damage.
  if (filetime == 0 || seconds < kUnixEpochSeconds ||
      seconds - kUnixEpochSeconds > 253402300799ULL) {
    return "";
  }
  return FormatUtc(std::chrono::sys_seconds(
      std::chrono::seconds(static_cast<int64_t>(seconds - kUnixEpochSeconds))));
}

}  // namespace lockbox
