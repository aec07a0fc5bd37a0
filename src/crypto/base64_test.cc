#include "crypto/base64.h"

#include <gtest/gtest.h>

namespace lockbox::crypto {
namespace {

std::string Text(const SecretBytes& s) { return {s.data(), s.data() + s.size()}; }
std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Base64Test, MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(Bytes(plain)), encoded);
    auto decoded = Base64Decode(encoded, 100);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(Text(*decoded), plain);
  }
}

TEST(Base64Test, RefusesMalformedText) {
  for (const char* text : {"Zg", "Zg=", "Z===", "Zm9v!A==", "Zm 9v", "=Zm9", "Zg==Zg==", "Zm=v"}) {
    EXPECT_FALSE(Base64Decode(text, 100).ok()) << text;
  }
}

TEST(Base64Test, RefusesValuesOverTheLimit) {
  EXPECT_TRUE(Base64Decode("Zm9vYmFy", 6).ok());
  auto over = Base64Decode("Zm9vYmFy", 5);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("longer than 5 bytes"), std::string::npos);
  EXPECT_FALSE(Base64Decode(std::string(4000, 'A'), 100).ok());
}

}  // namespace
}  // namespace lockbox::crypto
