// Running the built `lockbox` binary (LOCKBOX_BINARY) from a test, and reading what it left.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_dir.h"

namespace lockbox::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Starts `lockbox args...` with stdout and stderr going to files; returns its pid.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out,
                   const std::string& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDOUT_FILENO);
    dup2(open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDERR_FILENO);
    std::vector<char*> argv = {const_cast<char*>(LOCKBOX_BINARY)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LOCKBOX_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

inline int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs `lockbox args...` to completion.
inline CommandResult Lockbox(const TestDir& tmp, const std::vector<std::string>& args) {
  const int code = Wait(Spawn(args, tmp / "out.txt", tmp / "err.txt"));
  return {code, ReadFile(tmp / "out.txt"), ReadFile(tmp / "err.txt")};
}

inline mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

}  // namespace lockbox::testing
