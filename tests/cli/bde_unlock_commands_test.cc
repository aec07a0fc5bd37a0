// Integration tests of `lockbox bde verify | decrypt | mount`: the built binary is run on the
// real Windows-made test volumes and its exit codes, output files and messages are checked.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bde/testing/synthetic_volume.h"
#include "test_images.h"

extern char** environ;

namespace lockbox {
namespace {

namespace fs = std::filesystem;
using testing::TestImage;
using testing::TestImages;
using testing::TestImagesSkipReason;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string Sha256Of(const std::string& path) {
  FILE* p = popen(("sha256sum '" + path + "'").c_str(), "r");
  char hex[65] = {};
  const size_t n = p != nullptr ? std::fread(hex, 1, 64, p) : 0;
  if (p != nullptr) pclose(p);
  return std::string(hex, n);
}

class BdeUnlockCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    images_ = TestImages();
    if (images_ == nullptr) GTEST_SKIP() << TestImagesSkipReason();
    std::string tmpl = (fs::temp_directory_path() / "lockbox-cli-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  const TestImage& Image(const std::string& name) const {
    const TestImage* image = images_->Find(name);
    EXPECT_NE(image, nullptr) << name;
    return *image;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // A key file in the test folder; keys never go on the command line in these tests.
  std::string KeyFile(const std::string& name, const std::string& content) const {
    WriteFile(Path(name), content);
    return Path(name);
  }

  // Runs `lockbox args...` with stdin from `stdin_path`, capturing stdout and stderr.
  RunResult Run(const std::vector<std::string>& args,
                const std::string& stdin_path = "/dev/null") const {
    std::vector<std::string> argv = {LOCKBOX_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return Spawn(argv, stdin_path);
  }

  // Runs a shell script (for pipes); $0 is the lockbox binary.
  RunResult RunShell(const std::string& script) const {
    return Spawn({"/bin/sh", "-c", script, LOCKBOX_BINARY}, "/dev/null");
  }

  // Folder entries other than the inputs the test wrote (named *.key*).
  std::vector<std::string> OutputsInDir() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (name.find(".key") == std::string::npos) names.push_back(name);
    }
    return names;
  }

  const testing::TestImageSet* images_ = nullptr;
  std::string dir_;

 private:
  RunResult Spawn(const std::vector<std::string>& argv, const std::string& stdin_path) const {
    const std::string out_path = Path("stdout.key.txt");
    const std::string err_path = Path("stderr.key.txt");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    std::vector<char*> c_argv;
    for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    pid_t pid = 0;
    RunResult result;
    if (posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ) == 0) {
      int status = 0;
      waitpid(pid, &status, 0);
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    posix_spawn_file_actions_destroy(&actions);
    result.out = ReadFile(out_path);
    result.err = ReadFile(err_path);
    unlink(out_path.c_str());
    unlink(err_path.c_str());
    return result;
  }
};

TEST_F(BdeUnlockCommandsTest, DecryptWithRecoveryPasswordGivesTheKnownPlaintextOfEveryImage) {
  int checked = 0;
  for (const TestImage& image : images_->images) {
    const std::string expected = image.Get("SHA256SUM");
    if (expected.empty() || image.Get("RP").empty()) continue;
    const std::string out = Path(image.name + ".img");
    const RunResult r = Run({"bde", "decrypt", image.path, "--recovery-password-file",
                             KeyFile("rp.key", image.Get("RP") + "\n"), "-o", out});
    EXPECT_EQ(r.exit_code, 0) << image.name << ": " << r.err;
    EXPECT_EQ(Sha256Of(out), expected) << image.name;
    EXPECT_NE(r.err.find("the output is the complete plaintext"), std::string::npos) << r.err;
    fs::remove(out);
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST_F(BdeUnlockCommandsTest, DecryptWithPasswordFromStdinStripsTheLineEnding) {
  const TestImage& image = Image("bitlk-aes-cbc-elephant-128");
  const RunResult r =
      Run({"bde", "decrypt", image.path, "--password-file", "-", "-o", Path("out.img")},
          KeyFile("pw.key", image.Get("PW") + "\r\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sha256Of(Path("out.img")), image.Get("SHA256SUM"));
}

TEST_F(BdeUnlockCommandsTest, DecryptWithStartupKeyFile) {
  const TestImage& image = Image("bitlk-aes-xts-128-startup-key");
  const std::string bek = images_->FilePath("4381F759-C4F8-4DE0-BB61-FC33A831BDA5.BEK");
  const RunResult r =
      Run({"bde", "decrypt", image.path, "--startup-key", bek, "-o", Path("out.img")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sha256Of(Path("out.img")), image.Get("SHA256SUM"));
  EXPECT_NE(r.err.find(image.Get("SK_VMK_GUID")), std::string::npos) << r.err;
}

TEST_F(BdeUnlockCommandsTest, DecryptClearKeyVolumeNeedsNoKey) {
  const TestImage& image = Image("bitlk-aes-xts-128-clearkey-only");
  const RunResult r = Run({"bde", "decrypt", image.path, "-o", Path("out.img")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sha256Of(Path("out.img")), image.Get("SHA256SUM"));
  EXPECT_NE(r.err.find(image.Get("CLEARKEY_VMK_GUID")), std::string::npos) << r.err;
}

TEST_F(BdeUnlockCommandsTest, DecryptToStdoutStreamsThroughAPipeWithTheReportOnStderr) {
  const TestImage& image = Image("bitlk-aes-xts-128-4k");
  const std::string rp = KeyFile("rp.key", image.Get("RP"));
  // sh has no pipefail: lockbox's exit status is passed on through stderr.
  const RunResult r =
      RunShell("(\"$0\" bde decrypt '" + image.path + "' --recovery-password-file '" + rp +
               "' -o - --json; echo \"exit $?\" >&2) | sha256sum");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 64), image.Get("SHA256SUM"));
  const size_t json_end = r.err.rfind('}');
  ASSERT_NE(json_end, std::string::npos) << r.err;
  EXPECT_EQ(r.err.substr(json_end + 1), "\nexit 0\n");
  const auto json = nlohmann::json::parse(r.err.substr(0, json_end + 1));
  EXPECT_EQ(json["output"], "stdout");
  EXPECT_EQ(json["coverage"]["complete"], true);
  EXPECT_TRUE(OutputsInDir().empty());
}

TEST_F(BdeUnlockCommandsTest, VerifyNamesTheProtectorThatOpened) {
  const TestImage& image = Image("bitlk-aes-xts-128");
  RunResult r = Run(
      {"bde", "verify", image.path, "--password-file", KeyFile("pw.key", image.Get("PW") + "\n")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "unlocked by protector " + image.Get("PW_VMK_GUID") + " (password)\n");

  r = Run({"bde", "verify", image.path, "--json", "--recovery-password-file",
           KeyFile("rp.key", image.Get("RP"))});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["unlocked"], true);
  EXPECT_EQ(json["protector"]["guid"], image.Get("RP_VMK_GUID"));
  EXPECT_EQ(json["protector"]["type"], "recovery-password");
}

TEST_F(BdeUnlockCommandsTest, VerifyTriesEveryRecoveryPasswordInTheFile) {
  const TestImage& image = Image("bitlk-aes-xts-128-two-recovery");
  const std::string other = Image("bitlk-aes-xts-128").Get("RP");
  const RunResult r = Run({"bde", "verify", image.path, "--recovery-password-file",
                           KeyFile("rp.key", other + "\n" + image.Get("RP2") + "\n")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(image.Get("RP2_VMK_GUID")), std::string::npos) << r.out;
}

TEST_F(BdeUnlockCommandsTest, WrongPasswordIsExit6WithTheAttemptsAndNoOutput) {
  const TestImage& image = Image("bitlk-aes-cbc-128");
  const std::string pw = KeyFile("pw.key", "not-the-password\n");
  RunResult r = Run({"bde", "verify", image.path, "--password-file", pw});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find(image.Get("PW_VMK_GUID") + "  password: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-the-password"), std::string::npos);

  r = Run({"bde", "decrypt", image.path, "--password-file", pw, "-o", Path("out.img")});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_TRUE(OutputsInDir().empty());
}

TEST_F(BdeUnlockCommandsTest, ExistingOutputNeedsForce) {
  const TestImage& image = Image("bitlk-aes-xts-256");
  const std::string rp = KeyFile("rp.key", image.Get("RP"));
  WriteFile(Path("out.img"), "precious");
  RunResult r =
      Run({"bde", "decrypt", image.path, "--recovery-password-file", rp, "-o", Path("out.img")});
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_EQ(ReadFile(Path("out.img")), "precious");
  EXPECT_EQ(OutputsInDir().size(), 1u);

  r = Run({"bde", "decrypt", image.path, "--recovery-password-file", rp, "-o", Path("out.img"),
           "--force", "--threads", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Sha256Of(Path("out.img")), image.Get("SHA256SUM"));
  EXPECT_EQ(OutputsInDir().size(), 1u);
}

TEST_F(BdeUnlockCommandsTest, NotBitLockerIsExit4) {
  WriteFile(Path("zeros.img"), std::string(1 << 20, '\0'));
  const RunResult r = Run({"bde", "decrypt", Path("zeros.img"), "--password-file",
                           KeyFile("pw.key", "x"), "-o", Path("out.img")});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_FALSE(fs::exists(Path("out.img")));
}

TEST_F(BdeUnlockCommandsTest, RecoveryPasswordWithBadBlockIsExit3WithoutEchoingIt) {
  const TestImage& image = Image("bitlk-aes-xts-128");
  std::string typo = image.Get("RP");
  typo.back() = typo.back() == '0' ? '1' : '0';
  const RunResult r = Run(
      {"bde", "verify", image.path, "--recovery-password-file", KeyFile("rp.key", typo + "\n")});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("line 1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(typo.substr(0, 20)), std::string::npos) << r.err;
}

TEST_F(BdeUnlockCommandsTest, NoKeyForAProtectedVolumeIsInvalidInput) {
  const RunResult r = Run({"bde", "verify", Image("bitlk-aes-xts-128").path});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no key given"), std::string::npos) << r.err;
}

TEST_F(BdeUnlockCommandsTest, UsedSpaceOnlyVolumesAreRefusedWithoutOutput) {
  for (const std::string name :
       {"bitlk-partially-encrypted-aes-cbc-128", "bitlk-aes-xts-128-eow"}) {
    const TestImage& image = Image(name);
    const RunResult r =
        Run({"bde", "decrypt", image.path, "--password-file", KeyFile("pw.key", image.Get("PW")),
             "-o", Path("out.img"), "--allow-partial"});
    EXPECT_EQ(r.exit_code, 7) << name << ": " << r.err;
    EXPECT_NE(r.err.find("used space only"), std::string::npos) << r.err;
    EXPECT_TRUE(OutputsInDir().empty());
  }
}

// A volume caught in the middle of its conversion: its first half is encrypted, the rest is
// still plaintext on disk, and sectors being converted may be wrong. Built synthetically
// (clear-key protector, so no key is needed) because no such real image is at hand.
TEST_F(BdeUnlockCommandsTest, MidConversionVolumeNeedsAllowPartialAndReportsItsRanges) {
  bde::testing::SyntheticVolumeSpec spec;
  spec.size_bytes = 8 << 20;
  spec.encrypted_size_bytes = 4 << 20;
  spec.state = 2;  // switching
  spec.protectors = {{bde::testing::SyntheticProtector::Kind::kClearKey}};
  auto built = bde::testing::BuildSyntheticVolume(spec);
  ASSERT_TRUE(built.ok()) << built.status().message();
  const std::string image = Path("converting.key.img");
  WriteFile(image, std::string(built->image.begin(), built->image.end()));

  RunResult r = Run({"bde", "decrypt", image, "-o", Path("out.img")});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("--allow-partial"), std::string::npos) << r.err;
  EXPECT_TRUE(OutputsInDir().empty());

  r = Run({"bde", "decrypt", image, "-o", Path("out.img"), "--allow-partial", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["coverage"]["complete"], false);
  EXPECT_EQ(json["coverage"]["decrypted_range"], nlohmann::json({0, 4 << 20}));
  EXPECT_EQ(json["coverage"]["copied_unchanged_range"], nlohmann::json({4 << 20, 8 << 20}));
  EXPECT_TRUE(ReadFile(Path("out.img")) ==
              std::string(built->expected_plaintext.begin(), built->expected_plaintext.end()));

  r = Run({"bde", "decrypt", image, "-o", Path("out.img"), "--allow-partial", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: INCOMPLETE PLAINTEXT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bytes [4194304, 8388608) were copied unchanged"), std::string::npos)
      << r.err;
}

TEST_F(BdeUnlockCommandsTest, MountServesThePlaintextUntilUnmounted) {
  if (access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "/dev/fuse is not usable here";
  if (std::system("command -v fusermount3 >/dev/null") != 0) {
    GTEST_SKIP() << "fusermount3 is not installed";
  }
  const TestImage& image = Image("bitlk-aes-xts-128");
  const std::string mountpoint = Path("mnt");
  fs::create_directory(mountpoint);
  const std::string rp = KeyFile("rp.key", image.Get("RP"));
  // Foreground in a background shell job, so the test can unmount it and collect the status.
  const RunResult r = RunShell("\"$0\" bde mount '" + image.path + "' '" + mountpoint +
                               "' --recovery-password-file '" + rp +
                               "' --foreground & pid=$!\n"
                               "for i in $(seq 100); do [ -f '" +
                               mountpoint +
                               "/bde.img' ] && break; sleep 0.1; done\n"
                               "ls -l '" +
                               mountpoint +
                               "/'\n"
                               "sha256sum '" +
                               mountpoint +
                               "/bde.img'\n"
                               "fusermount3 -u '" +
                               mountpoint +
                               "'\n"
                               "wait $pid");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(image.Get("SHA256SUM") + "  " + mountpoint + "/bde.img"), std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.out.find("-r--r--r--"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_empty(mountpoint));
}

}  // namespace
}  // namespace lockbox
