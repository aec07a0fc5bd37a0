#include <windows.h>
// After windows.h:
#include <dpapi.h>
#include <sddl.h>

#include "agent/private_file.h"
#include "util/win32.h"

namespace lockbox::agent {
namespace {

// The state folder's access list: SYSTEM (the agent's service) and the Administrators group,
// full control, inherited by every file created in it; nothing inherited from above (P).
// Windows' counterpart of mode 0700.
constexpr wchar_t kPrivateFolderSddl[] = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

// Bound into every sealed file, so a blob DPAPI sealed for another program does not open here.
constexpr char kEntropy[] = "lockbox-agent private file v1";

Status LastError(const std::string& what, const std::string& path) {
  const DWORD error = GetLastError();
  return Status::IoError(what + " " + path + ": " + win32::ErrorText(error));
}

// A HANDLE closed on every path out of its scope.
class Handle {
 public:
  explicit Handle(HANDLE h) : h_(h) {}
  ~Handle() {
    if (h_ != INVALID_HANDLE_VALUE) CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return h_; }
  bool ok() const { return h_ != INVALID_HANDLE_VALUE; }

 private:
  HANDLE h_;
};

// DPAPI with the machine's key (CRYPTPROTECT_LOCAL_MACHINE): only this Windows installation
// opens the files again, whichever account the service runs as; the access list keeps other
// accounts from reading them at all.
Result<crypto::SecretBytes> Dpapi(bool seal, std::span<const uint8_t> bytes,
                                  const std::string& path) {
  DATA_BLOB in{static_cast<DWORD>(bytes.size()), const_cast<BYTE*>(bytes.data())};
  DATA_BLOB entropy{sizeof kEntropy - 1, reinterpret_cast<BYTE*>(const_cast<char*>(kEntropy))};
  DATA_BLOB out{};
  const DWORD flags = CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN;
  const bool done =
      seal ? CryptProtectData(&in, L"lockbox-agent", &entropy, nullptr, nullptr, flags, &out)
           : CryptUnprotectData(&in, nullptr, &entropy, nullptr, nullptr, flags, &out);
  if (!done) {
    if (seal) return LastError("cannot seal (DPAPI)", path);
    return Status::Corrupt(path + " does not open with this machine's DPAPI key (" +
                           win32::ErrorText(GetLastError()) +
                           "): it was not written on this Windows installation");
  }
  crypto::SecretBytes result(std::span<const uint8_t>(out.pbData, out.cbData));
  crypto::Wipe({out.pbData, out.cbData});
  LocalFree(out.pbData);
  return result;
}

}  // namespace

Status EnsurePrivateFolder(const std::string& path) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(kPrivateFolderSddl, SDDL_REVISION_1,
                                                            &descriptor, nullptr)) {
    return LastError("cannot build the access list of", path);
  }
  SECURITY_ATTRIBUTES attributes{sizeof attributes, descriptor, FALSE};
  const bool created = CreateDirectoryW(win32::Widen(path).c_str(), &attributes);
  const DWORD error = GetLastError();
  LocalFree(descriptor);
  if (!created && error != ERROR_ALREADY_EXISTS) {
    SetLastError(error);
    return LastError("cannot create the agent's state folder", path);
  }
  const DWORD kind = GetFileAttributesW(win32::Widen(path).c_str());
  if (kind == INVALID_FILE_ATTRIBUTES) return LastError("cannot read", path);
  if ((kind & FILE_ATTRIBUTE_DIRECTORY) == 0) {
    return Status::InvalidArgument(path + " is not a folder");
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> ReadPrivateFile(const std::string& path) {
  Handle file(CreateFileW(win32::Widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                          OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.ok()) {
    const DWORD error = GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
      return Status::NotFound(path + " does not exist");
    }
    SetLastError(error);
    return LastError("cannot open", path);
  }
  LARGE_INTEGER size{};
  if (!GetFileSizeEx(file.get(), &size)) return LastError("cannot read", path);
  if (size.QuadPart > (16 << 20)) return Status::Corrupt(path + " is larger than 16 MiB");
  crypto::SecretBytes bytes(static_cast<size_t>(size.QuadPart));
  size_t done = 0;
  while (done < bytes.size()) {
    DWORD n = 0;
    if (!ReadFile(file.get(), bytes.data() + done, static_cast<DWORD>(bytes.size() - done), &n,
                  nullptr)) {
      return LastError("cannot read", path);
    }
    if (n == 0) return Status::IoError(path + " became shorter while being read");
    done += n;
  }
  return Dpapi(false, bytes.span(), path);
}

// The new file inherits the state folder's access list and holds the bytes sealed with DPAPI;
// MOVEFILE_WRITE_THROUGH returns only once the rename is on disk (NTFS journals it: there is no
// folder to sync).
Status WritePrivateFile(const std::string& path, std::span<const uint8_t> bytes) {
  const std::string temp = path + ".new";
  LOCKBOX_ASSIGN_OR_RETURN(const crypto::SecretBytes sealed, Dpapi(true, bytes, path));
  {
    Handle file(CreateFileW(win32::Widen(temp).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                            FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file.ok()) return LastError("cannot create", temp);
    size_t done = 0;
    while (done < sealed.size()) {
      DWORD n = 0;
      if (!WriteFile(file.get(), sealed.data() + done, static_cast<DWORD>(sealed.size() - done), &n,
                     nullptr)) {
        return LastError("cannot write", temp);
      }
      done += n;
    }
    if (!FlushFileBuffers(file.get())) return LastError("cannot flush", temp);
  }
  if (!MoveFileExW(win32::Widen(temp).c_str(), win32::Widen(path).c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    return LastError("cannot replace", path);
  }
  return Status::Ok();
}

}  // namespace lockbox::agent
