#include "agent_providers/simulated_provider.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "recovery/check.h"

namespace lockbox::agent {
namespace {

class SimulatedProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "lockbox-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    path_ = dir_ + "/machine.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  std::string path_;
};

TEST_F(SimulatedProviderTest, ANewMachineHasRealisticVolumesWithValidRecoveryPasswords) {
  ASSERT_TRUE(SimulatedProvider::CreateMachine(path_, "PC-07", 1).ok());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(SimulatedProvider::CreateMachine(path_, "PC-07", 1).code(), ErrorCode::kAlreadyExists);
  auto provider = SimulatedProvider::Open(path_);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Computer()->name, "PC-07");
  // 64 random bits: the server knows a computer again by its serial, and a fleet of 100,000
  // with 32-bit serials had collisions (each one a revoked credential).
  const std::vector<std::string> ids = (*provider)->Computer()->hardware_ids;
  ASSERT_EQ(ids.size(), 1u);
  // "serial:" and 16 upper-case hex digits (64 random bits). (No std::regex: GCC 12 warns
  // inside it under the sanitizers.)
  const std::string serial = ids[0].substr(std::min(ids[0].size(), sizeof("serial:") - 1));
  EXPECT_TRUE(ids[0].starts_with("serial:") && serial.size() == 16 &&
              std::all_of(serial.begin(), serial.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }))
      << ids[0];
  auto volumes = (*provider)->Volumes();
  ASSERT_EQ(volumes->size(), 2u);
  EXPECT_EQ((*volumes)[0].type, "os");
  EXPECT_EQ((*volumes)[0].protectors[0].type, "tpm");
  EXPECT_EQ((*volumes)[1].protectors[0].type, "external_key");
  auto passwords = (*provider)->RecoveryPasswords();
  ASSERT_EQ(passwords->size(), 2u);
  for (const RecoveryPasswordInfo& p : *passwords) {
    const std::string_view text(reinterpret_cast<const char*>(p.password.data()),
                                p.password.size());
    EXPECT_TRUE(recovery::RecoveryPassword::Parse(text).ok()) << text;
  }
  EXPECT_TRUE((*provider)->Tpm()->owner_auth.has_value());
}

TEST_F(SimulatedProviderTest, AddedAndDeletedProtectorsAreWrittenToTheFile) {
  ASSERT_TRUE(SimulatedProvider::CreateMachine(path_, "PC-07", 0).ok());
  Guid volume;
  Guid added;
  {
    auto provider = SimulatedProvider::Open(path_);
    volume = (*(*provider)->Volumes())[0].id;
    auto id = (*provider)->AddRecoveryPassword(volume, *recovery::RecoveryPassword::Generate());
    ASSERT_TRUE(id.ok());
    added = *id;
  }
  auto provider = SimulatedProvider::Open(path_);
  EXPECT_EQ((*(*provider)->Volumes())[0].protectors.size(), 3u);
  EXPECT_TRUE((*provider)->DeleteProtector(volume, added).ok());
  EXPECT_EQ((*provider)->DeleteProtector(volume, added).code(), ErrorCode::kNotFound);
  EXPECT_EQ((*(*SimulatedProvider::Open(path_))->Volumes())[0].protectors.size(), 2u);
}

TEST_F(SimulatedProviderTest, TheTpmLockoutResetsOnlyWithItsOwnerAuth) {
  ASSERT_TRUE(SimulatedProvider::CreateMachine(path_, "PC-07", 0).ok());
  auto provider = SimulatedProvider::Open(path_);
  auto tpm = (*provider)->Tpm();
  EXPECT_EQ((*provider)->ResetTpmLockout(crypto::SecretBytes(20)).code(), ErrorCode::kWrongKey);
  EXPECT_TRUE((*provider)->ResetTpmLockout(*tpm->owner_auth).ok());
}

TEST_F(SimulatedProviderTest, ADamagedFileIsAnErrorNotACrash) {
  ASSERT_TRUE(SimulatedProvider::CreateMachine(path_, "PC-07", 0).ok());
  auto provider = SimulatedProvider::Open(path_);
  ASSERT_TRUE(provider.ok());
  std::ofstream(path_) << R"({"computer": {"name": 5}, "volumes": [{"id": 7, "protectors": 1}],
                              "tpm": {"present": "yes"}})";
  auto damaged = SimulatedProvider::Open(path_);
  ASSERT_TRUE(damaged.ok());
  EXPECT_EQ((*damaged)->Computer().status().code(), ErrorCode::kCorrupt);
  EXPECT_FALSE((*damaged)->Volumes().ok());
  EXPECT_EQ((*damaged)->Tpm().status().code(), ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace lockbox::agent
