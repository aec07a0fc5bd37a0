#include "crypto/json_wipe.h"

#include <cstring>
#include <string>
#include <vector>

#include "crypto/secret.h"

namespace lockbox::crypto {

void WipeStrings(nlohmann::json& json) {
  // Iterative: a hostile body may nest arrays deeper than the stack would allow recursion.
  std::vector<nlohmann::json*> pending = {&json};
  while (!pending.empty()) {
    nlohmann::json* value = pending.back();
    pending.pop_back();
    if (value->is_string()) {
      auto& text = value->get_ref<std::string&>();
      crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
    } else if (value->is_structured()) {
      for (auto& element : *value) pending.push_back(&element);
    }
  }
}

void SetSecretString(nlohmann::json& object, std::string_view key, const SecretBytes& secret) {
  nlohmann::json& value = object[std::string(key)];
  value = std::string(secret.size(), '\0');
  if (!secret.empty())
    std::memcpy(value.get_ref<std::string&>().data(), secret.data(), secret.size());
}

SecretBytes DumpSecret(const nlohmann::json& json) {
  std::string text = json.dump();
  SecretBytes bytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  return bytes;
}

}  // namespace lockbox::crypto
