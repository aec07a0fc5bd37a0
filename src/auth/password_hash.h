// Password hashing with argon2id (RFC 9106), in its self-describing encoded form:
//
//   $argon2id$v=19$m=19456,t=3,p=1$<salt, base64>$<hash, base64>
//
// The string carries its own parameters and a random 16-byte salt, so it is all the store
// keeps, and a hash made with older parameters still verifies.
#pragma once

#include <string>
#include <string_view>

#include "auth/options.h"
#include "crypto/secret.h"
#include "util/status.h"

namespace lockbox::auth {

// The encoded argon2id hash of `password` with a fresh random salt.
Result<std::string> HashPassword(const crypto::SecretBytes& password,
                                 const PasswordHashParams& params);

// Whether `password` matches `encoded` (argon2id_verify compares in constant time). A
// malformed `encoded` matches nothing.
bool VerifyPassword(const crypto::SecretBytes& password, const std::string& encoded);

// Whether `encoded` was made with other parameters than `params` (then it is re-hashed at the
// next successful sign-in).
bool NeedsRehash(std::string_view encoded, const PasswordHashParams& params);

}  // namespace lockbox::auth
