// Secrets in JSON: request bodies and answers with passwords or tokens are overwritten in
// place before their memory is freed, and secrets are put into them without stray copies.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "crypto/secret.h"

namespace lockbox::crypto {

// Overwrites every string in `json` (keys aside) in place: request bodies and answers that held
// passwords or tokens are wiped before their memory is freed.
void WipeStrings(nlohmann::json& json);

// Wipes `json`'s strings when the scope ends: `WipeOnExit wipe(body);`.
class WipeOnExit {
 public:
  explicit WipeOnExit(nlohmann::json& json) : json_(json) {}
  ~WipeOnExit() { WipeStrings(json_); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  nlohmann::json& json_;
};

// Sets object[key] to the text of `secret` without an unwiped copy on the way (building the
// value through an initializer list would copy it).
void SetSecretString(nlohmann::json& object, std::string_view key, const SecretBytes& secret);

// `json` as text in wiped memory (json.dump(), with the intermediate string wiped).
SecretBytes DumpSecret(const nlohmann::json& json);

}  // namespace lockbox::crypto
