#include "crypto/json_wipe.h"

#include <gtest/gtest.h>

namespace lockbox::crypto {
namespace {

TEST(JsonWipeTest, WipeStringsOverwritesEveryStringEvenDeeplyNested) {
  nlohmann::json body = {{"password", "235818-357951"}, {"list", {"lbx_api_secret", 5}}};
  nlohmann::json deep = "innermost secret";
  for (int i = 0; i < 100000; ++i) deep = nlohmann::json::array({std::move(deep)});
  body["deep"] = std::move(deep);
  const std::string* password = &body["password"].get_ref<const std::string&>();
  WipeStrings(body);
  EXPECT_EQ(*password, std::string(13, '\0'));
  EXPECT_EQ(body["list"][0].get<std::string>(), std::string(14, '\0'));
  const nlohmann::json* inner = &body["deep"];
  while (inner->is_array()) inner = &(*inner)[0];
  EXPECT_EQ(inner->get<std::string>(), std::string(16, '\0'));
}

TEST(JsonWipeTest, SetSecretStringPutsTheSecretsText) {
  nlohmann::json object = {{"key_id", "x"}};
  const std::string text = "235818-357951";
  SetSecretString(object, "password",
                  SecretBytes(std::span<const uint8_t>(
                      reinterpret_cast<const uint8_t*>(text.data()), text.size())));
  EXPECT_EQ(object.dump(), R"({"key_id":"x","password":"235818-357951"})");
}

}  // namespace
}  // namespace lockbox::crypto
