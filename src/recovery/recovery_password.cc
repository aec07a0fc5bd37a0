#include "recovery/recovery_password.h"

#include "crypto/random.h"
#include "recovery/blocks.h"
#include "util/bytes.h"

namespace lockbox::recovery {
namespace {
constexpr size_t kKeySize = 16;
}  // namespace

Result<RecoveryPassword> RecoveryPassword::Parse(std::string_view typed) {
  LOCKBOX_ASSIGN_OR_RETURN(const internal::Blocks blocks, internal::SplitIntoBlocks(typed));
  for (uint32_t value : blocks.values) {
    if (internal::FindBlockProblem(value) != BlockProblem::kNone) {
      // Rare path: let Check() word the message for every wrong block.
      return Status::InvalidArgument(Check(typed).Summary());
    }
  }

  crypto::SecretBytes key(kKeySize);
  for (int i = 0; i < internal::kBlockCount; ++i) {
    StoreLe16(key.data() + 2 * i, static_cast<uint16_t>(blocks.values[i] / 11));
  }
  return RecoveryPassword(std::move(key));
}

Result<RecoveryPassword> RecoveryPassword::Generate() {
  // Every 16-bit value is a valid block quotient, so any 16 random bytes are a valid key.
  crypto::SecretBytes key(kKeySize);
  LOCKBOX_RETURN_IF_ERROR(crypto::RandomBytes(key.span()));
  return RecoveryPassword(std::move(key));
}

RecoveryPassword RecoveryPassword::FromKey(std::span<const uint8_t, 16> key) {
  return RecoveryPassword(crypto::SecretBytes(key));
}

std::string RecoveryPassword::ToString() const {
  std::string text;
  text.reserve(55);
  for (int i = 0; i < internal::kBlockCount; ++i) {
    if (i > 0) text += '-';
    text += internal::BlockDigits(uint32_t{LoadLe16(key_.data() + 2 * i)} * 11);
  }
  return text;
}

}  // namespace lockbox::recovery
