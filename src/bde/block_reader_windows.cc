#include "bde/block_reader.h"

#include <windows.h>
#include <winioctl.h>

#include <algorithm>
#include <vector>

#include "util/win32.h"

namespace lockbox::bde {
namespace {

// Windows reads a volume (\\.\C:) only in whole sectors at sector offsets: every read is
// widened to this alignment, which covers the 512- and 4096-byte sectors of real disks.
constexpr uint64_t kAlignment = 4096;

class WindowsBlockReader final : public BlockReader {
 public:
  WindowsBlockReader(HANDLE handle, uint64_t size_bytes, std::string path)
      : handle_(handle), size_bytes_(size_bytes), path_(std::move(path)) {}
  ~WindowsBlockReader() override { CloseHandle(handle_); }
  WindowsBlockReader(const WindowsBlockReader&) = delete;
  WindowsBlockReader& operator=(const WindowsBlockReader&) = delete;

  uint64_t size_bytes() const override { return size_bytes_; }

  Status ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    LOCKBOX_RETURN_IF_ERROR(CheckReadRange(offset, out.size(), size_bytes_, path_));
    if (out.empty()) return Status::Ok();
    const uint64_t first = offset / kAlignment * kAlignment;
    const uint64_t end = (offset + out.size() + kAlignment - 1) / kAlignment * kAlignment;
    // Over-allocated so that the buffer itself starts on an aligned address.
    std::vector<uint8_t> buffer(static_cast<size_t>(end - first + kAlignment));
    uint8_t* aligned =
        buffer.data() +
        (kAlignment - reinterpret_cast<uintptr_t>(buffer.data()) % kAlignment) % kAlignment;
    uint64_t done = 0;
    while (first + done < offset + out.size()) {
      OVERLAPPED at{};
      at.Offset = static_cast<DWORD>(first + done);
      at.OffsetHigh = static_cast<DWORD>((first + done) >> 32);
      DWORD n = 0;
      if (!ReadFile(handle_, aligned + done, static_cast<DWORD>(end - first - done), &n, &at)) {
        const DWORD error = GetLastError();
        if (error != ERROR_HANDLE_EOF) {
          return Status::IoError("reading " + path_ + " at offset " + std::to_string(first + done) +
                                 " failed: " + win32::ErrorText(error));
        }
      }
      if (n == 0) {
        return Status::IoError("reading " + path_ + " at offset " + std::to_string(first + done) +
                               " hit the end early: was it truncated?");
      }
      done += n;
    }
    std::copy_n(aligned + (offset - first), out.size(), out.data());
    return Status::Ok();
  }

 private:
  HANDLE handle_;
  uint64_t size_bytes_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<BlockReader>> OpenBlockReader(const std::string& path) {
  // Shared read and write: the volume is in use by Windows while the agent reads its metadata.
  HANDLE handle = CreateFileW(win32::Widen(path).c_str(), GENERIC_READ,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    const DWORD error = GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
      return Status::NotFound(path + " does not exist");
    }
    return Status::IoError("cannot open " + path + ": " + win32::ErrorText(error));
  }
  uint64_t size_bytes = 0;
  LARGE_INTEGER file_size{};
  GET_LENGTH_INFORMATION length{};
  DWORD returned = 0;
  if (GetFileType(handle) == FILE_TYPE_DISK && GetFileSizeEx(handle, &file_size)) {
    size_bytes = static_cast<uint64_t>(file_size.QuadPart);
  } else if (DeviceIoControl(handle, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof length,
                             &returned, nullptr)) {
    size_bytes = static_cast<uint64_t>(length.Length.QuadPart);  // a volume: \\.\C:
  } else {
    const DWORD error = GetLastError();
    CloseHandle(handle);
    return Status::IoError("cannot get the size of " + path + ": " + win32::ErrorText(error));
  }
  return std::unique_ptr<BlockReader>(
      std::make_unique<WindowsBlockReader>(handle, size_bytes, path));
}

}  // namespace lockbox::bde
