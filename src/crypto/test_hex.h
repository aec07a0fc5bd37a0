// Hex conversion for the crypto tests, whose known-answer vectors are written in hex.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace lockbox::crypto::testing {

// Whitespace is skipped so long vectors can be split across lines; anything else that is not
// a hex digit is a mistake in the test.
inline std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      throw std::invalid_argument("bad hex digit in test vector");
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) throw std::invalid_argument("odd number of hex digits in test vector");
  return out;
}

using ::lockbox::ToHex;

}  // namespace lockbox::crypto::testing
