#include "util/platform.h"

#include <windows.h>

#include <array>

namespace lockbox {

std::string HostName() {
  std::array<char, MAX_COMPUTERNAME_LENGTH + 1> name{};
  DWORD size = static_cast<DWORD>(name.size());
  if (!GetComputerNameA(name.data(), &size)) return "";
  return std::string(name.data(), size);
}

void KillThisProcess() {
  TerminateProcess(GetCurrentProcess(), 137);
  ExitProcess(137);  // not reached
}

}  // namespace lockbox
