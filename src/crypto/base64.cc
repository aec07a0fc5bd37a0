#include "crypto/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <limits>

namespace lockbox::crypto {

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return text;
  // EVP_EncodeBlock takes an int length; the API's payloads are far below that, but an
  // oversized input is encoded in pieces rather than truncated.
  size_t in = 0, out = 0;
  constexpr size_t kPiece = 3 * (1 << 20);
  while (in < bytes.size()) {
    const size_t n = std::min(kPiece, bytes.size() - in);
    out += static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data() + out),
                                               bytes.data() + in, static_cast<int>(n)));
    in += n;
  }
  return text;
}

Result<SecretBytes> Base64Decode(std::string_view text, size_t max_bytes) {
  const Status malformed = Status::InvalidArgument(
      "expected base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters)");
  if (text.size() % 4 != 0) return malformed;
  if (text.size() / 4 * 3 > max_bytes + 2 ||
      text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("the decoded value would be longer than " +
                                   std::to_string(max_bytes) + " bytes");
  }
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return malformed;
  }
  SecretBytes decoded(text.size() / 4 * 3);
  if (!text.empty() &&
      EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size())) < 0) {
    return malformed;
  }
  const size_t size = decoded.size() - padding;
  if (size > max_bytes) {
    return Status::InvalidArgument("the decoded value is longer than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  SecretBytes exact(std::span<const uint8_t>(decoded.data(), size));
  return exact;
}

}  // namespace lockbox::crypto
