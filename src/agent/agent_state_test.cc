#include "agent/agent_state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace lockbox::agent {
namespace {

constexpr std::string_view kPassword = "235818-357951-253979-013365-241120-245575-342914-591910";

crypto::SecretBytes Secret(std::string_view text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
}

class AgentStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "lockbox-XXXXXX").string();
    root_ = mkdtemp(pattern.data());
    dir_ = root_ + "/state";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  AgentState Sample() {
    AgentState state;
    state.escrowed = {"aaaaaaaa-0000-4000-8000-000000000001"};
    state.queue.push_back({.key_id = *Guid::Parse("4381f759-c4f8-4de0-bb61-fc33a831bda5"),
                           .volume_id = *Guid::Parse("8f595209-f5b9-49a0-85d4-cb8f80258c27"),
                           .password = Secret(kPassword),
                           .created_at = "2024-01-15T08:00:00Z",
                           .attempts = 3});
    state.rotations.push_back({.volume_id = *Guid::Parse("8f595209-f5b9-49a0-85d4-cb8f80258c27"),
                               .old_key_id = *Guid::Parse("aaaaaaaa-0000-4000-8000-000000000001"),
                               .step = RotationStep::kAdded,
                               .new_password = Secret(kPassword),
                               .new_key_id = *Guid::Parse("4381f759-c4f8-4de0-bb61-fc33a831bda5")});
    state.next_report_seconds = 5400;
    state.failed_reports = 2;
    return state;
  }

  std::string root_;
  std::string dir_;
};

TEST_F(AgentStateTest, ANewFolderHasAnEmptyStateAndPrivateFiles) {
  auto file = StateFile::Open(dir_);
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto state = file->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->queue.empty());
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(dir_ + "/state.key"), 0600u);
  EXPECT_EQ(Contents(dir_ + "/state.key").size(), 32u);
}

TEST_F(AgentStateTest, TheQueueAndRotationsSurviveAReopenSealed) {
  {
    auto file = StateFile::Open(dir_);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Save(Sample()).ok());
  }
  EXPECT_EQ(ModeOf(dir_ + "/state.sealed"), 0600u);
  const std::string on_disk = Contents(dir_ + "/state.sealed");
  EXPECT_EQ(on_disk.find(kPassword), std::string::npos);
  EXPECT_EQ(on_disk.find("4381f759"), std::string::npos);  // even the key IDs are sealed

  auto file = StateFile::Open(dir_);
  ASSERT_TRUE(file.ok());
  auto state = file->Load();
  ASSERT_TRUE(state.ok()) << state.status().message();
  ASSERT_EQ(state->queue.size(), 1u);
  EXPECT_EQ(state->queue[0].key_id.ToString(), "4381f759-c4f8-4de0-bb61-fc33a831bda5");
  EXPECT_TRUE(crypto::ConstantTimeEqual(state->queue[0].password.span(), Secret(kPassword).span()));
  EXPECT_EQ(state->queue[0].created_at, "2024-01-15T08:00:00Z");
  EXPECT_EQ(state->queue[0].attempts, 3u);
  ASSERT_EQ(state->rotations.size(), 1u);
  EXPECT_EQ(state->rotations[0].step, RotationStep::kAdded);
  EXPECT_EQ(state->rotations[0].new_key_id->ToString(), "4381f759-c4f8-4de0-bb61-fc33a831bda5");
  EXPECT_EQ(state->escrowed, Sample().escrowed);
  EXPECT_EQ(state->next_report_seconds, 5400u);
  EXPECT_EQ(state->failed_reports, 2u);
}

TEST_F(AgentStateTest, AnAlteredStateFileDoesNotOpen) {
  auto file = StateFile::Open(dir_);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->Save(Sample()).ok());
  std::string bytes = Contents(dir_ + "/state.sealed");
  bytes[bytes.size() / 2] ^= 1;
  std::ofstream(dir_ + "/state.sealed", std::ios::binary | std::ios::trunc) << bytes;
  auto state = file->Load();
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), ErrorCode::kWrongKey);
  EXPECT_NE(state.status().message().find("was altered"), std::string::npos);
}

TEST_F(AgentStateTest, ALostKeyFileIsRefusedNotReplaced) {
  {
    auto file = StateFile::Open(dir_);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Save(Sample()).ok());
  }
  std::filesystem::remove(dir_ + "/state.key");
  auto file = StateFile::Open(dir_);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kCorrupt);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state.key"));
}

TEST_F(AgentStateTest, AFolderOthersMayEnterIsRefused) {
  std::filesystem::create_directory(dir_);
  chmod(dir_.c_str(), 0755);
  auto file = StateFile::Open(dir_);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("chmod 700"), std::string::npos);
}

TEST_F(AgentStateTest, AStateFileOthersMayReadIsRefused) {
  auto file = StateFile::Open(dir_);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->Save(Sample()).ok());
  chmod((dir_ + "/state.sealed").c_str(), 0644);
  auto state = file->Load();
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(state.status().message().find("chmod 600"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::agent
