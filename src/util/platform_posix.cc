#include "util/platform.h"

#include <signal.h>
#include <unistd.h>

#include <array>

namespace lockbox {

std::string HostName() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) return "";
  return host.data();
}

void KillThisProcess() {
  raise(SIGKILL);
  _exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace lockbox
