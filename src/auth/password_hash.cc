#include "auth/password_hash.h"

#include <argon2.h>

#include <array>
#include <vector>

#include "crypto/random.h"

namespace lockbox::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

Result<std::string> HashPassword(const crypto::SecretBytes& password,
                                 const PasswordHashParams& params) {
  std::array<uint8_t, kSaltBytes> salt{};
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(salt));
  std::vector<char> encoded(argon2_encodedlen(
      params.time_cost, params.memory_kib, params.parallelism, kSaltBytes, kHashBytes, Argon2_id));
  const int rc = argon2id_hash_encoded(params.time_cost, params.memory_kib, params.parallelism,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Status::InvalidArgument(std::string("argon2id refused the password hash parameters (") +
                                   argon2_error_message(rc) +
                                   "): check the password hash settings");
  }
  return std::string(encoded.data());
}

bool VerifyPassword(const crypto::SecretBytes& password, const std::string& encoded) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool NeedsRehash(std::string_view encoded, const PasswordHashParams& params) {
  const std::string expected = "$argon2id$v=19$m=" + std::to_string(params.memory_kib) +
                               ",t=" + std::to_string(params.time_cost) +
                               ",p=" + std::to_string(params.parallelism) + "$";
  return !encoded.starts_with(expected);
}

}  // namespace lockbox::auth
