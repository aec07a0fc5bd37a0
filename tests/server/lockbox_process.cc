#include "lockbox_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

namespace lockbox::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

pid_t SpawnProgram(const std::string& binary, const std::vector<std::string>& args,
                   const std::string& out, const std::string& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDOUT_FILENO);
    dup2(open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDERR_FILENO);
    std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  return SpawnProgram(LOCKBOX_BINARY, args, out, err);
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

CommandResult Lockbox(const TestDir& tmp, const std::vector<std::string>& args) {
  const int code = Wait(Spawn(args, tmp / "out.txt", tmp / "err.txt"));
  return {code, ReadFile(tmp / "out.txt"), ReadFile(tmp / "err.txt")};
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

int ListeningPort(const std::string& log_path) {
  const std::regex listening(R"re("msg":"listening","port":(\d+))re");
  for (int i = 0; i < 600; ++i) {
    std::smatch m;
    const std::string log = ReadFile(log_path);
    if (std::regex_search(log, m, listening)) return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

}  // namespace lockbox::testing
