#include "agent_providers/image_provider.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_images.h"

namespace lockbox::agent {
namespace {

class ImageProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    images_ = testing::TestImages();
    if (images_ == nullptr) GTEST_SKIP() << testing::TestImagesSkipReason();
    std::string pattern = (std::filesystem::temp_directory_path() / "lockbox-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string PasswordFile(const std::string& password) {
    const std::string path = dir_ + "/rp" + std::to_string(files_++) + ".txt";
    std::ofstream(path) << password << "\n";
    return path;
  }

  const testing::TestImageSet* images_ = nullptr;
  std::string dir_;
  int files_ = 0;
};

TEST_F(ImageProviderTest, ReportsTheVolumeItsProtectorsAndMetadataAndMatchesThePassword) {
  const testing::TestImage* image = images_->Find("bitlk-aes-xts-128");
  ASSERT_NE(image, nullptr);
  auto provider = ImageProvider::Open({image->path}, {PasswordFile(image->Get("RP"))});
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  auto volumes = (*provider)->Volumes();
  ASSERT_TRUE(volumes.ok());
  ASSERT_EQ(volumes->size(), 1u);
  const VolumeInfo& v = (*volumes)[0];
  EXPECT_EQ(v.id.ToString(), image->Get("GUID"));
  EXPECT_EQ(v.encryption_method, "XTS-AES 128");
  EXPECT_EQ(v.protection, "on");
  EXPECT_EQ(v.conversion, "encrypted");
  std::map<std::string, std::string> protectors;
  for (const ProtectorInfo& p : v.protectors) protectors[p.id.ToString()] = p.type;
  EXPECT_EQ(protectors[image->Get("RP_VMK_GUID")], "recovery_password");
  EXPECT_EQ(protectors[image->Get("PW_VMK_GUID")], "password");
  ASSERT_TRUE(v.metadata.has_value());
  EXPECT_EQ(v.metadata->bytes.size(), 64u * 1024);
  EXPECT_EQ(std::string(v.metadata->bytes.begin(), v.metadata->bytes.begin() + 8), "-FVE-FS-");

  auto passwords = (*provider)->RecoveryPasswords();
  ASSERT_TRUE(passwords.ok());
  ASSERT_EQ(passwords->size(), 1u);
  EXPECT_EQ((*passwords)[0].key_id.ToString(), image->Get("RP_VMK_GUID"));
  EXPECT_EQ((*passwords)[0].volume_id, v.id);
  const std::string rp = image->Get("RP");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*passwords)[0].password.data()),
                        (*passwords)[0].password.size()),
            rp);
  EXPECT_FALSE((*provider)->CanRotate());
}

TEST_F(ImageProviderTest, APasswordOfNoGivenVolumeIsRefused) {
  const testing::TestImage* xts = images_->Find("bitlk-aes-xts-128");
  const testing::TestImage* cbc = images_->Find("bitlk-aes-cbc-128");
  ASSERT_NE(xts, nullptr);
  ASSERT_NE(cbc, nullptr);
  auto provider = ImageProvider::Open({xts->path}, {PasswordFile(cbc->Get("RP"))});
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), ErrorCode::kWrongKey);
  EXPECT_NE(provider.status().message().find("opens none of the volumes"), std::string::npos);
}

TEST_F(ImageProviderTest, ANonBitLockerFileIsRefusedByName) {
  const std::string path = dir_ + "/zeros.img";
  std::ofstream(path, std::ios::binary) << std::string(1 << 20, '\0');
  auto provider = ImageProvider::Open({path}, {});
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), ErrorCode::kNotBitLocker);
  EXPECT_NE(provider.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace lockbox::agent
