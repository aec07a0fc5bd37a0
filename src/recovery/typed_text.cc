#include "recovery/typed_text.h"

#include <cstdio>

namespace lockbox::recovery::internal {
namespace {

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// UTF-8 continuation bytes (10xxxxxx) do not start a character.
bool StartsCharacter(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

}  // namespace

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && IsWhitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsWhitespace(text.back())) text.remove_suffix(1);
  return text;
}

std::string DescribeCharacter(std::string_view text, size_t byte_index) {
  size_t number = 0;
  for (size_t i = 0; i <= byte_index && i < text.size(); ++i) {
    if (StartsCharacter(text[i])) ++number;
  }
  if (number == 0) number = 1;  // a stray continuation byte at the very start

  const char c = byte_index < text.size() ? text[byte_index] : '\0';
  const auto byte = static_cast<unsigned char>(c);
  std::string what;
  if (c == ' ') {
    what = "a space";
  } else if (c == '\t') {
    what = "a tab";
  } else if (c == '\n' || c == '\r') {
    what = "a line break";
  } else if (byte >= 0x80) {
    what = "a non-ASCII character";
  } else if (byte < 0x20 || byte == 0x7F) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", byte);
    what = std::string("control character ") + hex;
  } else {
    what = std::string("'") + c + "'";
  }
  return "character " + std::to_string(number) + " (" + what + ")";
}

std::string LookalikeDigitHint(char c) {
  switch (c) {
    case 'O':
    case 'o':
      return ": did you mean 0?";
    case 'I':
    case 'l':
      return ": did you mean 1?";
    default:
      return "";
  }
}

}  // namespace lockbox::recovery::internal
