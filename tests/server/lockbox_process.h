// Running the built `lockbox` binary from tests: one-shot commands, and a server in the
// background whose port is read from its log.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "test_dir.h"

namespace lockbox::testing {

std::string ReadFile(const std::string& path);

// Starts `lockbox args...` with stdout and stderr going to files; returns its pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err);
// The same for another program (`binary` is its path).
pid_t SpawnProgram(const std::string& binary, const std::vector<std::string>& args,
                   const std::string& out, const std::string& err);
// Its exit code, or 128 + the signal that ended it.
int Wait(pid_t pid);

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
// Runs `lockbox args...` to completion, its output in files of `tmp`.
CommandResult Lockbox(const TestDir& tmp, const std::vector<std::string>& args);

// The permission bits of `path` (0 when it does not exist).
mode_t ModeOf(const std::string& path);

// The port a `lockbox serve` writing its log to `log_path` listens on, from its "listening"
// line; 0 when none appeared within 30 seconds.
int ListeningPort(const std::string& log_path);

}  // namespace lockbox::testing
