#include "samba_dc.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lockbox::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `command` with its output in `log`; "" or what went wrong with the log's text.
std::string Run(const std::string& command, const fs::path& log) {
  const int status = std::system((command + " > " + log.string() + " 2>&1").c_str());
  if (status == 0) return "";
  return command + " failed:\n" + ReadAll(log);
}

class Dc {
 public:
  explicit Dc(const std::string& ldif) {
    const char* script = LOCKBOX_SAMBA_DC_SCRIPT;
    if (std::system("command -v samba > /dev/null 2>&1") != 0) {
      dc_.unavailable = true;
      dc_.error =
          "samba is not installed: apt-get install samba samba-ad-dc samba-ad-provision "
          "ldb-tools ldap-utils (scripts/install-deps.sh does)";
      return;
    }
    char templ[] = "/tmp/lockbox-samba-XXXXXX";
    if (mkdtemp(templ) == nullptr) {
      dc_.error = "cannot create a temporary folder for samba";
      return;
    }
    dir_ = templ;
    dc_.dir = dir_.string();
    dc_.ca_file = (dir_ / "pki/ca.pem").string();
    dc_.wrong_ca_file = (dir_ / "pki/wrong-ca.pem").string();
    dc_.krb5_config = (dir_ / "krb5.conf").string();
    const auto started = std::chrono::steady_clock::now();
    dc_.error = Run(std::string("bash ") + script + " provision " + dc_.dir, dir_ / "setup.log");
    if (!dc_.error.empty()) return;
    std::ofstream(dir_ / "test.ldif") << ldif;
    dc_.error = Run(
        "ldbadd -H " + (dir_ / "private/sam.ldb").string() + " " + (dir_ / "test.ldif").string(),
        dir_ / "ldbadd.log");
    if (!dc_.error.empty()) return;
    // ldbadd may stop at a bad record and still exit 0: every record must have been added.
    size_t records = 0;
    for (size_t at = ldif.find("dn: "); at != std::string::npos; at = ldif.find("\ndn: ", at + 1)) {
      ++records;
    }
    const std::string added = ReadAll(dir_ / "ldbadd.log");
    if (added.find("Added " + std::to_string(records) + " records") == std::string::npos) {
      dc_.error = "ldbadd did not add all " + std::to_string(records) + " records: " + added;
      return;
    }
    dc_.error = Run(std::string("bash ") + script + " start " + dc_.dir, dir_ / "start.log");
    pid_ = std::atoi(ReadAll(dir_ / "samba.pid").c_str());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "samba AD DC provisioned and started in %.1f s (%s)\n", seconds,
                 dc_.dir.c_str());
  }
  ~Dc() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100 && kill(pid_, 0) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (kill(pid_, 0) == 0) kill(pid_, SIGKILL);
    }
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  const SambaDc& dc() const { return dc_; }

 private:
  fs::path dir_;
  pid_t pid_ = 0;
  SambaDc dc_;
};

}  // namespace

bool SambaRequired() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

const SambaDc& StartSambaDc(const std::string& ldif) {
  static Dc dc(ldif);  // destroyed at exit: samba stopped, folder removed
  return dc.dc();
}

}  // namespace lockbox::testing
