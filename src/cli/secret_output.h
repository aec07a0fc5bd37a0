// Printing a secret made for the person at the terminal (a token, a one-time password) once,
// without copying it into strings that outlive the call.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>

#include "crypto/secret.h"

namespace lockbox::cli {

// The secret's bytes as they are (tokens and generated passwords are printable ASCII).
void PrintSecret(std::ostream& out, const crypto::SecretBytes& secret);

// `object` (a non-empty JSON object) printed as by dump(2), with one more member `name` whose
// value is the secret, as a string.
void PrintJsonWithSecret(std::ostream& out, const nlohmann::json& object, std::string_view name,
                         const crypto::SecretBytes& secret);

}  // namespace lockbox::cli
