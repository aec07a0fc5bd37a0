// The rotation protocol, and what the next command does after an interruption at each step.
// Interruptions are made by carrying out the steps before it here, as a crash would leave them.
#include "cli/master_key_rotation.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "store/master_key.h"

namespace lockbox::cli {
namespace {

namespace fs = std::filesystem;

bool SameKey(const crypto::SecretBytes& a, const crypto::SecretBytes& b) {
  return crypto::ConstantTimeEqual(a.span(), b.span());
}

store::Time ModifiedAt(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return store::Time(std::chrono::seconds(st.st_mtim.tv_sec));
}

// The files whose names start with `prefix` in `dir`.
std::vector<std::string> FilesStartingWith(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(prefix)) out.push_back(entry.path());
  }
  return out;
}

class MasterKeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/lockbox-rotation-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    cfg_.data_dir = dir_;
    key_path_ = cfg_.ResolvePath(cfg_.master_key_file);
    auto key = store::CreateMasterKeyFile(key_path_);
    ASSERT_TRUE(key.ok()) << key.status().message();
    old_key_ = std::move(key).value();
    auto db = OpenWith(old_key_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)
                    ->UpsertComputer({.id = kComputer,
                                      .name = "PC-07",
                                      .domain = "",
                                      .os = "",
                                      .hardware_ids = {},
                                      .last_contact = std::nullopt})
                    .ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<store::Store>> OpenWith(const crypto::SecretBytes& key) {
    return store::OpenStore(cfg_.ResolvePath(cfg_.store), key);
  }
  crypto::SecretBytes KeyInFile(const std::string& path) {
    auto key = store::LoadMasterKey(path);
    EXPECT_TRUE(key.ok()) << key.status().message();
    return key.ok() ? std::move(key).value() : crypto::SecretBytes();
  }
  // Step 1 of a rotation: the new key written to K.new.
  crypto::SecretBytes WriteNewKey() {
    auto key = store::CreateMasterKeyFile(NewKeyPath(key_path_));
    EXPECT_TRUE(key.ok()) << key.status().message();
    return key.ok() ? std::move(key).value() : crypto::SecretBytes();
  }
  // Step 2: the store re-wrapped under `key`.
  void Rewrap(const crypto::SecretBytes& key) {
    auto db = OpenWith(old_key_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)->RewrapDataKey(key).ok());
  }
  // The store opens with the key in K and still holds its record.
  void ExpectStoreOpensWithKeyFile() {
    auto db = OpenWith(KeyInFile(key_path_));
    ASSERT_TRUE(db.ok()) << db.status().message();
    EXPECT_EQ((*db)->GetComputer(kComputer)->name, "PC-07");
  }

  const Guid kComputer = Guid::Parse("0b1d7f1e-5a33-4c1e-9d2b-6f5e4c3b2a10").value();
  std::string dir_;
  config::ServerConfig cfg_;
  std::string key_path_;
  crypto::SecretBytes old_key_;
  std::ostringstream notes_;
};

TEST_F(MasterKeyRotationTest, RetiredKeyNameHasTheUtcTimeWithoutColons) {
  EXPECT_EQ(RetiredKeyPath("/srv/master.key", store::Time(std::chrono::seconds(1764576742))),
            "/srv/master.key.old-20251201T081222Z");
}

TEST_F(MasterKeyRotationTest, RotationRewrapsUnderANewKeyAndKeepsTheOldOneApart) {
  auto result = RotateMasterKey(cfg_, notes_);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(result->completed_interrupted);
  EXPECT_EQ(notes_.str(), "");
  EXPECT_FALSE(fs::exists(NewKeyPath(key_path_)));
  EXPECT_EQ(FilesStartingWith(dir_, "master.key.old-"),
            std::vector<std::string>{result->retired_key_path});
  EXPECT_TRUE(SameKey(KeyInFile(result->retired_key_path), old_key_));
  EXPECT_EQ(fs::status(result->retired_key_path).permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(key_path_).permissions(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(SameKey(KeyInFile(key_path_), old_key_));
  ExpectStoreOpensWithKeyFile();
  EXPECT_EQ(OpenWith(old_key_).status().code(), ErrorCode::kWrongKey);
}

TEST_F(MasterKeyRotationTest, InterruptedBeforeTheStoreChangedTheNewKeyIsRemoved) {
  WriteNewKey();
  auto db = OpenStoreCompletingRotation(cfg_, notes_);
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_FALSE(fs::exists(NewKeyPath(key_path_)));
  EXPECT_TRUE(SameKey(KeyInFile(key_path_), old_key_));
  EXPECT_TRUE(FilesStartingWith(dir_, "master.key.old-").empty());
  EXPECT_NE(notes_.str().find("had not changed the store"), std::string::npos) << notes_.str();
}

TEST_F(MasterKeyRotationTest, InterruptedAfterTheStoreChangedTheRotationIsCompleted) {
  const crypto::SecretBytes new_key = WriteNewKey();
  const std::string retired = RetiredKeyPath(key_path_, ModifiedAt(NewKeyPath(key_path_)));
  Rewrap(new_key);
  // Without the completion the store no longer opens with K: the lockout to avoid.
  EXPECT_EQ(OpenWith(KeyInFile(key_path_)).status().code(), ErrorCode::kWrongKey);

  auto db = OpenStoreCompletingRotation(cfg_, notes_);
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ((*db)->GetComputer(kComputer)->name, "PC-07");
  EXPECT_FALSE(fs::exists(NewKeyPath(key_path_)));
  EXPECT_TRUE(SameKey(KeyInFile(key_path_), new_key));
  EXPECT_TRUE(SameKey(KeyInFile(retired), old_key_));
  EXPECT_NE(notes_.str().find("completed an interrupted"), std::string::npos) << notes_.str();
  EXPECT_NE(notes_.str().find(retired), std::string::npos) << notes_.str();
}

TEST_F(MasterKeyRotationTest, InterruptedAfterTheOldKeyWasKeptItIsNotCopiedTwice) {
  const crypto::SecretBytes new_key = WriteNewKey();
  const std::string retired = RetiredKeyPath(key_path_, ModifiedAt(NewKeyPath(key_path_)));
  Rewrap(new_key);
  ASSERT_TRUE(store::WriteMasterKeyFile(retired, old_key_).ok());  // step 3 done, not step 4

  ASSERT_TRUE(OpenStoreCompletingRotation(cfg_, notes_).ok());
  EXPECT_EQ(FilesStartingWith(dir_, "master.key.old-"), std::vector<std::string>{retired});
  EXPECT_TRUE(SameKey(KeyInFile(key_path_), new_key));
  ExpectStoreOpensWithKeyFile();
}

TEST_F(MasterKeyRotationTest, RotatingAgainAfterAnInterruptionCompletesIt) {
  const crypto::SecretBytes new_key = WriteNewKey();
  Rewrap(new_key);
  auto result = RotateMasterKey(cfg_, notes_);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->completed_interrupted);
  EXPECT_TRUE(SameKey(KeyInFile(key_path_), new_key));
  EXPECT_TRUE(SameKey(KeyInFile(result->retired_key_path), old_key_));
}

TEST_F(MasterKeyRotationTest, RotatingAgainAfterAnEarlyInterruptionMakesAFreshKey) {
  const crypto::SecretBytes abandoned = WriteNewKey();
  auto result = RotateMasterKey(cfg_, notes_);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(result->completed_interrupted);
  EXPECT_NE(notes_.str().find("removed it"), std::string::npos) << notes_.str();
  const crypto::SecretBytes now = KeyInFile(key_path_);
  EXPECT_FALSE(SameKey(now, old_key_));
  EXPECT_FALSE(SameKey(now, abandoned));
  EXPECT_TRUE(SameKey(KeyInFile(result->retired_key_path), old_key_));
  ExpectStoreOpensWithKeyFile();
}

TEST_F(MasterKeyRotationTest, NeitherKeyOpeningTheStoreIsAClearErrorThatTouchesNothing) {
  WriteNewKey();
  Rewrap(crypto::SecretBytes(std::vector<uint8_t>(32, 5)));
  auto db = OpenStoreCompletingRotation(cfg_, notes_);
  EXPECT_EQ(db.status().code(), ErrorCode::kWrongKey);
  EXPECT_NE(db.status().message().find("neither " + key_path_ + " nor " + key_path_ + ".new"),
            std::string::npos)
      << db.status().message();
  EXPECT_TRUE(fs::exists(NewKeyPath(key_path_)));
  EXPECT_TRUE(SameKey(KeyInFile(key_path_), old_key_));
}

TEST_F(MasterKeyRotationTest, ASecondRotationAtOnceIsRefused) {
  const int folder = open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(flock(folder, LOCK_EX), 0);  // as a running rotation holds it
  auto result = RotateMasterKey(cfg_, notes_);
  close(folder);
  EXPECT_EQ(result.status().code(), ErrorCode::kIoError);
  EXPECT_NE(result.status().message().find("another `lockbox rotate-master-key`"),
            std::string::npos)
      << result.status().message();
  EXPECT_TRUE(SameKey(KeyInFile(key_path_), old_key_));
}

}  // namespace
}  // namespace lockbox::cli
