#include "cli/output_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace lockbox::cli {
namespace {

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/output_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(name), nullptr);
    dir_ = name;
  }
  void TearDown() override {
    for (const std::string& f : Entries()) unlink((dir_ + "/" + f).c_str());
    rmdir(dir_.c_str());
  }

  std::set<std::string> Entries() const {
    std::set<std::string> names;
    DIR* d = opendir(dir_.c_str());
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.insert(name);
    }
    closedir(d);
    return names;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void Write(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ + "/" + name) << content;
  }

  std::string dir_;
};

TEST_F(OutputFileTest, NewFileAppearsOnlyAtCommit) {
  auto out = OutputFile::Open(dir_ + "/volume.img", false);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(write(out->fd(), "plain", 5), 5);
  EXPECT_EQ(Entries().count("volume.img"), 0u);
  ASSERT_TRUE(out->Commit().ok());
  EXPECT_EQ(Entries(), std::set<std::string>{"volume.img"});
  EXPECT_EQ(Read("volume.img"), "plain");
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/volume.img").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(OutputFileTest, UncommittedOutputLeavesNothingBehind) {
  {
    auto out = OutputFile::Open(dir_ + "/volume.img", false);
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(write(out->fd(), "half", 4), 4);
    EXPECT_EQ(Entries().size(), 1u);  // the temporary file
  }
  EXPECT_TRUE(Entries().empty());
}

TEST_F(OutputFileTest, ExistingFileIsRefusedWithoutForceAndLeftAlone) {
  Write("volume.img", "old");
  auto out = OutputFile::Open(dir_ + "/volume.img", false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Read("volume.img"), "old");
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(OutputFileTest, ForceReplacesAtCommitOnly) {
  Write("volume.img", "old");
  auto out = OutputFile::Open(dir_ + "/volume.img", true);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(write(out->fd(), "new", 3), 3);
  EXPECT_EQ(Read("volume.img"), "old");
  ASSERT_TRUE(out->Commit().ok());
  EXPECT_EQ(Read("volume.img"), "new");
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(OutputFileTest, FileCreatedMeanwhileIsNotReplacedWithoutForce) {
  auto out = OutputFile::Open(dir_ + "/volume.img", false);
  ASSERT_TRUE(out.ok());
  Write("volume.img", "someone else's");
  const Status status = out->Commit();
  EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Read("volume.img"), "someone else's");
}

TEST_F(OutputFileTest, DevNullIsWrittenInPlace) {
  auto out = OutputFile::Open("/dev/null", false);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(write(out->fd(), "x", 1), 1);
  EXPECT_TRUE(out->Commit().ok());
}

TEST_F(OutputFileTest, FolderIsRefused) {
  auto out = OutputFile::Open(dir_, true);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(OutputFileTest, MissingFolderIsNotFound) {
  auto out = OutputFile::Open(dir_ + "/missing/volume.img", false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace lockbox::cli
