#include "bde/block_reader.h"

#include <cstring>

namespace lockbox::bde {
namespace {

class MemoryReader final : public BlockReader {
 public:
  explicit MemoryReader(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}

  uint64_t size_bytes() const override { return bytes_.size(); }

  Status ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    LOCKBOX_RETURN_IF_ERROR(
        CheckReadRange(offset, out.size(), bytes_.size(), "the in-memory volume"));
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::Ok();
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

Status CheckReadRange(uint64_t offset, size_t length, uint64_t size_bytes,
                      const std::string& what) {
  if (offset > size_bytes || length > size_bytes - offset) {
    return Status::IoError("cannot read " + std::to_string(length) + " bytes at offset " +
                           std::to_string(offset) + " of " + what + ": it holds only " +
                           std::to_string(size_bytes) + " bytes");
  }
  return Status::Ok();
}

std::unique_ptr<BlockReader> MemoryBlockReader(std::vector<uint8_t> bytes) {
  return std::make_unique<MemoryReader>(std::move(bytes));
}

}  // namespace lockbox::bde
