#include "cli/recovery_password_command.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "recovery/recovery_password.h"

namespace lockbox::cli {
namespace {

constexpr std::string_view kPassword = "235818-357951-253979-013365-241120-245575-342914-591910";

struct Output {
  int exit_code;
  std::string out;
  std::string err;
};

Output RunCheck(std::string_view typed, bool json) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int exit_code = RunRecoveryPasswordCheck(typed, json);
  std::string out = ::testing::internal::GetCapturedStdout();
  return {exit_code, std::move(out), ::testing::internal::GetCapturedStderr()};
}

TEST(RecoveryPasswordCheckCommandTest, ValidPasswordExitsOkWithoutEchoingIt) {
  const Output output = RunCheck(kPassword, /*json=*/false);
  EXPECT_EQ(output.exit_code, kExitOk);
  EXPECT_EQ(output.out,
            "block 1  ok\nblock 2  ok\nblock 3  ok\nblock 4  ok\nblock 5  ok\nblock 6  ok\n"
            "block 7  ok\nblock 8  ok\n"
            "The recovery password is well-formed: all 8 blocks pass their check digit.\n");
  EXPECT_EQ(output.err, "");
}

TEST(RecoveryPasswordCheckCommandTest, WrongBlockListsCandidatesAndExitsInvalidInput) {
  // Block 2 (357951) with digits 2 and 3 swapped.
  const Output output =
      RunCheck("235818-375951-253979-013365-241120-245575-342914-591910", /*json=*/false);
  EXPECT_EQ(output.exit_code, kExitInvalidInput);
  EXPECT_EQ(output.out,
            "block 1  ok\n"
            "block 2  WRONG: 375951 is not divisible by 11\n"
            "         valid blocks one mistake away:\n"
            "           335951  (digit 2 changed)\n"
            "           379951  (digit 3 changed)\n"
            "           375551  (digit 4 changed)\n"
            "           375991  (digit 5 changed)\n"
            "           375958  (digit 6 changed)\n"
            "           357951  (digits 2 and 3 swapped)\n"
            "block 3  ok\nblock 4  ok\nblock 5  ok\nblock 6  ok\nblock 7  ok\nblock 8  ok\n");
  EXPECT_EQ(output.err,
            "lockbox: block 2 (375951) is not divisible by 11: check the digits of that block\n");
}

TEST(RecoveryPasswordCheckCommandTest, TooLargeBlockSaysNoSingleMistakeExplainsIt) {
  const Output output =
      RunCheck("235818-357951-253979-013365-720896-245575-342914-591910", /*json=*/false);
  EXPECT_EQ(output.exit_code, kExitInvalidInput);
  EXPECT_NE(output.out.find("block 5  WRONG: 720896 is too large (blocks are at most 720885)\n"
                            "         no valid block is one mistyped or swapped digit away: at "
                            "least two digits are wrong\n"),
            std::string::npos)
      << output.out;
}

TEST(RecoveryPasswordCheckCommandTest, SyntaxErrorGoesToStderr) {
  const Output output = RunCheck("12345x", /*json=*/false);
  EXPECT_EQ(output.exit_code, kExitInvalidInput);
  EXPECT_EQ(output.out, "");
  EXPECT_EQ(output.err,
            "lockbox: character 6 ('x') is not a digit; a recovery password has only digits, "
            "with hyphens or spaces between groups of 6\n");
}

TEST(RecoveryPasswordCheckCommandTest, JsonReportCarriesTheError) {
  const Output output = RunCheck("235818-357951-253979", /*json=*/true);
  EXPECT_EQ(output.exit_code, kExitInvalidInput);
  const nlohmann::json json = nlohmann::json::parse(output.out);
  EXPECT_EQ(json["valid"], false);
  EXPECT_EQ(json["syntax_error"], "found 3 groups of 6 digits: a recovery password has 8");
  EXPECT_EQ(json["error"]["code"], "invalid_argument");
  EXPECT_EQ(json["error"]["message"], json["syntax_error"]);
}

TEST(RecoveryPasswordCheckCommandTest, JsonForValidPasswordHasNoError) {
  const Output output = RunCheck(kPassword, /*json=*/true);
  EXPECT_EQ(output.exit_code, kExitOk);
  const nlohmann::json json = nlohmann::json::parse(output.out);
  EXPECT_EQ(json["valid"], true);
  EXPECT_FALSE(json.contains("error"));
  EXPECT_EQ(output.out.find("235818"), std::string::npos);
}

TEST(RecoveryPasswordGenerateCommandTest, JsonGivesConsistentPasswordKeyAndKeyId) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunRecoveryPasswordGenerate(/*json=*/true), kExitOk);
  const nlohmann::json json = nlohmann::json::parse(::testing::internal::GetCapturedStdout());

  const std::string text = json["recovery_password"];
  auto password = recovery::RecoveryPassword::Parse(text);
  ASSERT_TRUE(password.ok()) << password.status().message();
  std::string key_hex;
  for (uint8_t b : password->key().span()) {
    char byte[3];
    std::snprintf(byte, sizeof byte, "%02x", b);
    key_hex += byte;
  }
  EXPECT_EQ(json["key_hex"], key_hex);

  const std::string guid = json["protector_guid"];
  const std::string full = json["key_id_full"];
  const std::string short_id = json["key_id"];
  ASSERT_EQ(full.size(), 38u);
  EXPECT_EQ(full.front(), '{');
  EXPECT_EQ(short_id, full.substr(1, 8));
  for (size_t i = 0; i < guid.size(); ++i) {
    EXPECT_EQ(full[i + 1], std::toupper(static_cast<unsigned char>(guid[i])));
  }
}

TEST(RecoveryPasswordGenerateCommandTest, HumanOutputNamesEachField) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunRecoveryPasswordGenerate(/*json=*/false), kExitOk);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind("Recovery password:  ", 0), 0u) << out;
  EXPECT_NE(out.find("\nRecovery key (hex): "), std::string::npos) << out;
  EXPECT_NE(out.find("\nRecovery key ID:    "), std::string::npos) << out;
  EXPECT_NE(out.find("\nFull key ID:        {"), std::string::npos) << out;
}

}  // namespace
}  // namespace lockbox::cli
