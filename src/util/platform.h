// What differs between the operating systems the agent runs on, beyond files: the host name
// and ending the process at once. Each has a _posix.cc and a _windows.cc side.
#pragma once

#include <string>

namespace lockbox {

// This machine's host name (short on Windows: the NetBIOS-style computer name); "" when the
// system does not say.
std::string HostName();

// Ends this process at once, as a crash or a power cut would: no destructors, no flushing.
// The tests' way of killing an agent at a chosen point (the simulated provider's crash_after).
[[noreturn]] void KillThisProcess();

}  // namespace lockbox
