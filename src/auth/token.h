// The bearer credentials Lockbox issues: session cookies, API tokens, enrollment tokens and
// machine credentials, all of one form:
//
//   lbx_<kind>_<id>_<secret>      lbx_api_3f9a1c2b7d4e5f60_Hq2...  (68 characters)
//
// <kind> is "ses", "api", "enr" or "agt"; <id> 16 lower-case hex digits (8 random bytes), the
// public name under which the credential is listed and revoked; <secret> 43 base64url
// characters (32 random bytes, 256 bits). The fixed prefix lets secret scanners find leaked
// tokens (regex: lbx_(ses|api|enr|agt)_[0-9a-f]{16}_[A-Za-z0-9_-]{43}), and the id tells an
// administrator which one to revoke. The store keeps only the SHA-256 of the whole text: the
// secret has 256 bits, so a fast hash is enough (a password needs argon2; a random token does
// not).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::auth {

enum class TokenKind { kSession, kApi, kEnrollment, kMachine };

struct IssuedToken {
  std::string id;
  crypto::SecretBytes text;   // the whole token, shown once
  std::vector<uint8_t> hash;  // SHA-256 of text: what the store keeps
};

// A new random token of `kind`.
Result<IssuedToken> NewToken(TokenKind kind);

// The id of `text` when it has the form of a `kind` token; kUnauthenticated otherwise.
Result<std::string> TokenId(TokenKind kind, std::string_view text);

// The kind `text` claims by its prefix ("lbx_api_" ...), if any; TokenId checks the rest.
std::optional<TokenKind> KindOf(std::string_view text);

// Whether the SHA-256 of `text` is `stored_hash`, compared in constant time.
bool TokenMatches(std::string_view text, const std::vector<uint8_t>& stored_hash);

// 32 random bytes as 43 base64url characters: a secret with no id (the CSRF token).
Result<crypto::SecretBytes> NewRandomSecret();

// The bytes of a token as text (no copy).
std::string_view TextOf(const crypto::SecretBytes& token);

// SHA-256 of `text`, as stored.
std::vector<uint8_t> HashOf(std::string_view text);

}  // namespace lockbox::auth
