#include "store/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lockbox::store {
namespace {

namespace fs = std::filesystem;

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/lockbox-master-key-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path() const { return (dir_ / "master.key").string(); }
  void Write(size_t size, mode_t mode) {
    std::ofstream(Path(), std::ios::binary) << std::string(size, 'k');
    ASSERT_EQ(chmod(Path().c_str(), mode), 0);
  }

  fs::path dir_;
};

TEST_F(MasterKeyTest, CreatedKeyIsPrivateAndLoadsBack) {
  auto created = CreateMasterKeyFile(Path());
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(fs::status(Path()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto loaded = LoadMasterKey(Path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(crypto::ConstantTimeEqual(created->span(), loaded->span()));
}

TEST_F(MasterKeyTest, NeverReplacesAnExistingFile) {
  ASSERT_TRUE(CreateMasterKeyFile(Path()).ok());
  EXPECT_EQ(CreateMasterKeyFile(Path()).status().code(), ErrorCode::kAlreadyExists);
}

TEST_F(MasterKeyTest, RefusesAFileOthersCanRead) {
  Write(kMasterKeySize, 0644);
  auto loaded = LoadMasterKey(Path());
  EXPECT_EQ(loaded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
}

TEST_F(MasterKeyTest, RefusesAFileOfTheWrongSize) {
  Write(kMasterKeySize + 1, 0600);
  EXPECT_EQ(LoadMasterKey(Path()).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(MasterKeyTest, MissingFileIsAnIoError) {
  EXPECT_EQ(LoadMasterKey(Path()).status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace lockbox::store
