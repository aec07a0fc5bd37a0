#include "agent_windows/registry.h"

#include <windows.h>

#include <cstring>
#include <vector>

#include "util/win32.h"

namespace lockbox::agent {
namespace {

std::string TypeName(DWORD type) {
  switch (type) {
    case REG_BINARY:
      return "REG_BINARY";
    case REG_MULTI_SZ:
      return "REG_MULTI_SZ";
    case REG_QWORD:
      return "REG_QWORD";
    case REG_NONE:
      return "REG_NONE";
    default:
      return "registry type " + std::to_string(type);
  }
}

// One value by name, with RegGetValueW (strings NUL-terminated, REG_EXPAND_SZ expanded).
Result<RegistryValue> ReadValue(HKEY key, const std::string& where, const std::wstring& name) {
  DWORD type = 0;
  DWORD size = 0;
  std::vector<BYTE> data;
  LSTATUS rc = ERROR_MORE_DATA;
  // The size first, then the data; again if the value grew in between.
  for (int attempt = 0; attempt < 3 && rc == ERROR_MORE_DATA; ++attempt) {
    rc = RegGetValueW(key, nullptr, name.c_str(), RRF_RT_ANY, &type, nullptr, &size);
    if (rc != ERROR_SUCCESS) break;
    data.resize(size + sizeof(wchar_t));
    size = static_cast<DWORD>(data.size());
    rc = RegGetValueW(key, nullptr, name.c_str(), RRF_RT_ANY, &type, data.data(), &size);
  }
  if (rc != ERROR_SUCCESS) {
    return Status::IoError("cannot read " + where + "\\" + win32::Narrow(name) + ": " +
                           win32::ErrorText(static_cast<uint32_t>(rc)));
  }
  if (type == REG_SZ || type == REG_EXPAND_SZ) {
    std::wstring text(reinterpret_cast<const wchar_t*>(data.data()), size / sizeof(wchar_t));
    while (!text.empty() && text.back() == L'\0') text.pop_back();
    return RegistryValue{win32::Narrow(text)};
  }
  if (type == REG_DWORD && size == sizeof(DWORD)) {
    DWORD number = 0;
    std::memcpy(&number, data.data(), sizeof number);
    return RegistryValue{static_cast<uint32_t>(number)};
  }
  return RegistryValue{RegistryValue::OtherType{TypeName(type)}};
}

}  // namespace

Result<PolicyValues> ReadRegistryValues(const std::string& key_path) {
  const std::string where = "HKLM\\" + key_path;
  HKEY key = nullptr;
  // The 64-bit view: where a GPO writes HKLM\SOFTWARE\Policies.
  LSTATUS rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, win32::Widen(key_path).c_str(), 0,
                             KEY_READ | KEY_WOW64_64KEY, &key);
  if (rc == ERROR_FILE_NOT_FOUND) return PolicyValues{};
  if (rc != ERROR_SUCCESS) {
    return Status::IoError("cannot open " + where + ": " +
                           win32::ErrorText(static_cast<uint32_t>(rc)));
  }
  PolicyValues values;
  Status status = Status::Ok();
  for (DWORD i = 0;; ++i) {
    std::vector<wchar_t> name(16384);  // the longest value name the registry allows, + NUL
    DWORD length = static_cast<DWORD>(name.size());
    rc = RegEnumValueW(key, i, name.data(), &length, nullptr, nullptr, nullptr, nullptr);
    if (rc == ERROR_NO_MORE_ITEMS) break;
    if (rc != ERROR_SUCCESS) {
      status = Status::IoError("cannot list the values of " + where + ": " +
                               win32::ErrorText(static_cast<uint32_t>(rc)));
      break;
    }
    const std::wstring wide(name.data(), length);
    Result<RegistryValue> value = ReadValue(key, where, wide);
    if (!value.ok()) {
      status = value.status();
      break;
    }
    values.emplace(win32::Narrow(wide), std::move(value).value());
  }
  RegCloseKey(key);
  if (!status.ok()) return status;
  return values;
}

}  // namespace lockbox::agent
