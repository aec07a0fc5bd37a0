// Helpers for the Windows sides of portable parts (files named *_windows.cc): UTF-8 to and from
// the wide strings of the Win32 API, and the text of a Win32 error code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lockbox::win32 {

// UTF-8 to UTF-16 (invalid sequences become U+FFFD).
std::wstring Widen(std::string_view utf8);
// UTF-16 to UTF-8.
std::string Narrow(std::wstring_view wide);
// "Access is denied. (5)": the system's message for a GetLastError() or HRESULT code.
std::string ErrorText(uint32_t code);

}  // namespace lockbox::win32
