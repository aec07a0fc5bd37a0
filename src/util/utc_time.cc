#include "util/utc_time.h"

#include <algorithm>
#include <cstdio>

namespace lockbox {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// The digits text[pos, pos+count), or -1 when any is not a digit.
int Digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool Is(std::string_view text, size_t pos, char lower) {
  return pos < text.size() && (text[pos] | 0x20) == (lower | 0x20);
}

}  // namespace

std::string FormatUtc(std::chrono::sys_seconds time) {
  constexpr std::chrono::sys_seconds kFirst = sys_days{std::chrono::year{0} / 1 / 1};
  constexpr std::chrono::sys_seconds kLast =
      sys_days{std::chrono::year{9999} / 12 / 31} + std::chrono::seconds(86399);
  time = std::clamp(time, kFirst, kLast);
  const sys_days day = std::chrono::floor<days>(time);
  const year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{time - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return text;
}

Result<std::chrono::sys_seconds> ParseUtc(std::string_view text) {
  const Status bad =
      Status::InvalidArgument("expected a UTC date and time like 2024-05-01T09:30:00Z (RFC 3339)");
  const int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || text[4] != '-' ||
      text[7] != '-' || !Is(text, 10, 't') || text[13] != ':' || text[16] != ':') {
    return bad;
  }
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  // RFC 3339 allows second 60 (a leap second); it is read as the last second of that minute.
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) return bad;
  }
  int offset_minutes = 0;
  if (Is(text, pos, 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int oh = Digits(text, pos + 1, 2), om = Digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || text[pos + 3] != ':' || oh > 23 || om > 59) return bad;
    offset_minutes = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad;
  }
  if (pos != text.size()) return bad;
  return std::chrono::sys_seconds{sys_days{ymd}} + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second == 60 ? 59 : second) -
         std::chrono::minutes(offset_minutes);
}

}  // namespace lockbox
