#include "recovery/key_id.h"

#include <array>
#include <cctype>

#include "crypto/random.h"
#include "recovery/typed_text.h"

namespace lockbox::recovery {
namespace {

constexpr size_t kShortHexDigits = 8;
constexpr size_t kFullHexDigits = 32;

std::string ToUpper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// The GUID's 32 hex digits in text order, lower case, no hyphens.
std::string HexDigits(const Guid& id) {
  std::string hex;
  for (char c : id.ToString()) {
    if (c != '-') hex += c;
  }
  return hex;
}

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// A GUID's text has hyphens after its 8th, 12th, 16th and 20th hex digit.
bool IsGuidHyphenPlace(size_t hex_digits_before) {
  return hex_digits_before == 8 || hex_digits_before == 12 || hex_digits_before == 16 ||
         hex_digits_before == 20;
}

}  // namespace

std::string ShortKeyId(const Guid& protector_id) {
  return ToUpper(protector_id.ToString().substr(0, kShortHexDigits));
}

std::string FullKeyId(const Guid& protector_id) {
  return "{" + ToUpper(protector_id.ToString()) + "}";
}

Result<Guid> NewProtectorId() {
  std::array<uint8_t, 16> bytes{};
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(bytes));
  // RFC 4122 version 4: the version nibble is the high half of text byte 6 (on-disk byte 7,
  // since the third field is little-endian), the variant the top bits of byte 8.
  bytes[7] = static_cast<uint8_t>((bytes[7] & 0x0F) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);
  return Guid::FromBytes(bytes);
}

Result<KeyIdPrefix> KeyIdPrefix::Parse(std::string_view typed) {
  std::string_view text = internal::TrimWhitespace(typed);
  size_t first = static_cast<size_t>(text.data() - typed.data());
  size_t last = first + text.size();
  if (first < last && typed[first] == '{') ++first;
  if (first < last && typed[last - 1] == '}') --last;

  std::string hex;
  bool after_hyphen = false;
  for (size_t i = first; i < last; ++i) {
    const char c = typed[i];
    if (IsHexDigit(c)) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      after_hyphen = false;
    } else if (c == '-') {
      if (after_hyphen || !IsGuidHyphenPlace(hex.size())) {
        return Status::InvalidArgument(
            internal::DescribeCharacter(typed, i) +
            " is not where a key ID has a hyphen (after hex characters 8, 12, 16 and 20)");
      }
      after_hyphen = true;
    } else {
      return Status::InvalidArgument(internal::DescribeCharacter(typed, i) +
                                     " is not a hex digit (0-9, A-F)" +
                                     internal::LookalikeDigitHint(c));
    }
  }
  if (hex.size() < kShortHexDigits) {
    return Status::InvalidArgument(
        "the key ID has " + std::to_string(hex.size()) +
        " hex characters: type at least the first 8, as shown on the recovery screen");
  }
  if (hex.size() > kFullHexDigits) {
    return Status::InvalidArgument("the key ID has " + std::to_string(hex.size()) +
                                   " hex characters: a full key ID has 32");
  }
  return KeyIdPrefix(std::move(hex));
}

std::string KeyIdPrefix::text() const {
  std::string text;
  for (size_t i = 0; i < hex_.size(); ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) text += '-';
    text += hex_[i];
  }
  return text;
}

bool KeyIdPrefix::Matches(const Guid& protector_id) const {
  return HexDigits(protector_id).starts_with(hex_);
}

}  // namespace lockbox::recovery
