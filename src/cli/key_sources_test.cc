#include "cli/key_sources.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace lockbox::cli {
namespace {

// Two valid recovery passwords (from public test volumes).
constexpr char kPassword1[] = "235818-357951-253979-013365-241120-245575-342914-591910";
constexpr char kPassword2[] = "297693-343387-338492-284526-405482-424886-634931-555093";

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string AsString(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string WriteTempFile(const std::string& content) {
  char name[] = "/tmp/key_sources_test.XXXXXX";
  const int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  return name;
}

TEST(ParseRecoveryPasswordLinesTest, ReadsOnePerLineIgnoringBlankLinesAndCrLf) {
  const std::string text = std::string("\n  ") + kPassword1 + "\r\n\r\n" + kPassword2 + "\n";
  auto passwords = ParseRecoveryPasswordLines(Bytes(text));
  ASSERT_TRUE(passwords.ok()) << passwords.status().message();
  ASSERT_EQ(passwords->size(), 2u);
  EXPECT_EQ((*passwords)[0].ToString(), kPassword1);
  EXPECT_EQ((*passwords)[1].ToString(), kPassword2);
}

TEST(ParseRecoveryPasswordLinesTest, NamesTheLineOfAMalformedPassword) {
  const std::string text =
      std::string(kPassword1) + "\n235818-357951-253979-013365-241120-245575-342914-591911\n";
  auto passwords = ParseRecoveryPasswordLines(Bytes(text));
  ASSERT_FALSE(passwords.ok());
  EXPECT_EQ(passwords.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(passwords.status().message().rfind("line 2: ", 0), 0u) << passwords.status().message();
}

TEST(ParseRecoveryPasswordLinesTest, RejectsAFileWithoutPasswords) {
  auto passwords = ParseRecoveryPasswordLines(Bytes("\n \r\n"));
  ASSERT_FALSE(passwords.ok());
  EXPECT_EQ(passwords.status().code(), ErrorCode::kInvalidArgument);
}

TEST(FirstLineTest, StripsOnlyTheLineEnding) {
  EXPECT_EQ(AsString(FirstLine(Bytes(" pass word \r\nsecond line\n"))), " pass word ");
  EXPECT_EQ(AsString(FirstLine(Bytes("no newline"))), "no newline");
  EXPECT_EQ(AsString(FirstLine(Bytes("\nsecond"))), "");
}

TEST(ReadSecretFileTest, ReadsTheWholeFile) {
  const std::string path = WriteTempFile("anaconda\n");
  auto content = ReadSecretFile(path, 64);
  unlink(path.c_str());
  ASSERT_TRUE(content.ok()) << content.status().message();
  EXPECT_EQ(AsString(content->span()), "anaconda\n");
}

TEST(ReadSecretFileTest, RefusesFilesAboveTheLimit) {
  const std::string path = WriteTempFile(std::string(65, 'x'));
  auto content = ReadSecretFile(path, 64);
  unlink(path.c_str());
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ReadSecretFileTest, MissingFileIsNotFound) {
  auto content = ReadSecretFile("/nonexistent/lockbox-key", 64);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.status().code(), ErrorCode::kNotFound);
}

TEST(ReadKeyMaterialTest, AppendsTheClearKeyAfterTheGivenKeys) {
  KeySourceOptions options;
  options.recovery_passwords = {kPassword1};
  const std::string file = WriteTempFile(std::string(kPassword2) + "\n" + kPassword1 + "\n");
  options.recovery_password_file = file;
  auto keys = ReadKeyMaterial(options, "test");
  unlink(file.c_str());
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 4u);
  EXPECT_EQ((*keys)[0].kind, bde::KeyMaterial::Kind::kRecoveryPassword);
  EXPECT_EQ((*keys)[1].kind, bde::KeyMaterial::Kind::kRecoveryPassword);
  EXPECT_EQ((*keys)[3].kind, bde::KeyMaterial::Kind::kClearKey);
  EXPECT_EQ(AsString((*keys)[0].secret.span()), AsString((*keys)[2].secret.span()));
}

TEST(ReadKeyMaterialTest, NoKeysGivenStillTriesTheClearKey) {
  auto keys = ReadKeyMaterial(KeySourceOptions{}, "test");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kind, bde::KeyMaterial::Kind::kClearKey);
}

TEST(ReadKeyMaterialTest, RefusesTwoSourcesOnStdin) {
  KeySourceOptions options;
  options.recovery_password_file = "-";
  options.password_file = "-";
  auto keys = ReadKeyMaterial(options, "test");
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ReadKeyMaterialTest, MalformedTypedPasswordIsInvalidInputWithoutTheDigits) {
  KeySourceOptions options;
  options.recovery_passwords = {"235818-357951-253979-013365-241120-245575-342914-591911"};
  auto keys = ReadKeyMaterial(options, "test");
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(keys.status().message().find("235818-357951"), std::string::npos);
}

TEST(KeySourceOptionsTest, WipeTypedForgetsCommandLinePasswords) {
  KeySourceOptions options;
  options.recovery_passwords = {kPassword1};
  EXPECT_TRUE(options.AnyGiven());
  options.WipeTyped();
  EXPECT_TRUE(options.recovery_passwords.empty());
  EXPECT_FALSE(options.AnyGiven());
}

}  // namespace
}  // namespace lockbox::cli
