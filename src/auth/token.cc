#include "auth/token.h"

#include <algorithm>
#include <array>

#include "crypto/random.h"
#include "crypto/sha256.h"

namespace lockbox::auth {
namespace {

constexpr size_t kIdBytes = 8;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSecretChars = 43;  // base64url of 32 bytes, unpadded
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct KindNames {
  TokenKind kind;
  std::string_view tag;   // in the text: "lbx_<tag>_"
  std::string_view name;  // in messages
};
// In declaration order, so a kind indexes its entry.
constexpr std::array<KindNames, 4> kKinds{{
    {TokenKind::kSession, "ses", "session token"},
    {TokenKind::kApi, "api", "API token"},
    {TokenKind::kEnrollment, "enr", "enrollment token"},
    {TokenKind::kMachine, "agt", "machine credential"},
}};
constexpr bool KindsInOrder() {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (static_cast<size_t>(kKinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(KindsInOrder());

std::string_view KindTag(TokenKind kind) { return kKinds[static_cast<size_t>(kind)].tag; }
std::string_view KindName(TokenKind kind) { return kKinds[static_cast<size_t>(kind)].name; }

// "lbx_api_"
std::string Prefix(TokenKind kind) { return "lbx_" + std::string(KindTag(kind)) + "_"; }

// Appends unpadded base64url of `bytes` to `out` (which never reallocates: sized first).
void AppendBase64Url(std::span<const uint8_t> bytes, crypto::SecretBytes& out, size_t at) {
  uint32_t bits = 0;
  int count = 0;
  for (uint8_t b : bytes) {
    bits = (bits << 8) | b;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out[at++] = static_cast<uint8_t>(kBase64Url[(bits >> count) & 63]);
    }
  }
  if (count > 0) out[at] = static_cast<uint8_t>(kBase64Url[(bits << (6 - count)) & 63]);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&bits), sizeof bits));
}

Result<crypto::SecretBytes> RandomBase64Url(std::string_view prefix) {
  crypto::SecretBytes random(kSecretBytes);
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(random.span()));
  crypto::SecretBytes text(prefix.size() + kSecretChars);
  std::copy(prefix.begin(), prefix.end(), text.data());
  AppendBase64Url(random.span(), text, prefix.size());
  return text;
}

}  // namespace

std::string_view TextOf(const crypto::SecretBytes& token) {
  return {reinterpret_cast<const char*>(token.data()), token.size()};
}

Result<IssuedToken> NewToken(TokenKind kind) {
  std::array<uint8_t, kIdBytes> id_bytes{};
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(id_bytes));
  std::string id;
  for (uint8_t b : id_bytes) {
    id += "0123456789abcdef"[b >> 4];
    id += "0123456789abcdef"[b & 15];
  }
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes text, RandomBase64Url(Prefix(kind) + id + "_"));
  std::vector<uint8_t> hash = HashOf(TextOf(text));
  return IssuedToken{std::move(id), std::move(text), std::move(hash)};
}

Result<std::string> TokenId(TokenKind kind, std::string_view text) {
  const std::string prefix = Prefix(kind);
  const auto bad = [&] {
    return Status::Unauthenticated("this is not a Lockbox " + std::string(KindName(kind)) +
                                   " (expected lbx_" + std::string(KindTag(kind)) +
                                   "_...): check that it was copied whole");
  };
  if (text.size() != prefix.size() + 2 * kIdBytes + 1 + kSecretChars || !text.starts_with(prefix)) {
    return bad();
  }
  const std::string_view id = text.substr(prefix.size(), 2 * kIdBytes);
  if (id.find_first_not_of("0123456789abcdef") != std::string_view::npos ||
      text[prefix.size() + id.size()] != '_' ||
      text.substr(prefix.size() + id.size() + 1).find_first_not_of(kBase64Url) !=
          std::string_view::npos) {
    return bad();
  }
  return std::string(id);
}

std::optional<TokenKind> KindOf(std::string_view text) {
  for (const KindNames& k : kKinds) {
    if (text.starts_with(Prefix(k.kind))) return k.kind;
  }
  return std::nullopt;
}

bool TokenMatches(std::string_view text, const std::vector<uint8_t>& stored_hash) {
  return crypto::ConstantTimeEqual(HashOf(text), stored_hash);
}

Result<crypto::SecretBytes> NewRandomSecret() { return RandomBase64Url(""); }

std::vector<uint8_t> HashOf(std::string_view text) {
  const crypto::Sha256Digest digest =
      crypto::Sha256({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  return {digest.begin(), digest.end()};
}

}  // namespace lockbox::auth
