#include "store/records.h"

#include <array>
#include <utility>

namespace lockbox::store {
namespace {

// One table per enum, in declaration order, so NameOf is an index and Parse a short search.
template <typename Enum, size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<VolumeType, 3> kVolumeTypes{{
    {VolumeType::kOperatingSystem, "os"},
    {VolumeType::kFixed, "fixed"},
    {VolumeType::kRemovable, "removable"},
}};
constexpr Names<ProtectionStatus, 3> kProtectionStatuses{{
    {ProtectionStatus::kOff, "off"},
    {ProtectionStatus::kOn, "on"},
    {ProtectionStatus::kUnknown, "unknown"},
}};
constexpr Names<ConversionStatus, 6> kConversionStatuses{{
    {ConversionStatus::kDecrypted, "decrypted"},
    {ConversionStatus::kEncrypted, "encrypted"},
    {ConversionStatus::kEncrypting, "encrypting"},
    {ConversionStatus::kDecrypting, "decrypting"},
    {ConversionStatus::kEncryptionPaused, "encryption_paused"},
    {ConversionStatus::kDecryptionPaused, "decryption_paused"},
}};
constexpr Names<ProtectorType, 11> kProtectorTypes{{
    {ProtectorType::kUnknown, "unknown"},
    {ProtectorType::kTpm, "tpm"},
    {ProtectorType::kExternalKey, "external_key"},
    {ProtectorType::kRecoveryPassword, "recovery_password"},
    {ProtectorType::kTpmPin, "tpm_pin"},
    {ProtectorType::kTpmStartupKey, "tpm_startup_key"},
    {ProtectorType::kTpmPinStartupKey, "tpm_pin_startup_key"},
    {ProtectorType::kPublicKey, "public_key"},
    {ProtectorType::kPassword, "password"},
    {ProtectorType::kTpmNetworkKey, "tpm_network_key"},
    {ProtectorType::kAdAccount, "ad_account"},
}};
constexpr Names<KeyState, 3> kKeyStates{{
    {KeyState::kActive, "active"},
    {KeyState::kDisclosed, "disclosed"},
    {KeyState::kRetired, "retired"},
}};
constexpr Names<Verification, 3> kVerifications{{
    {Verification::kUnknown, "unknown"},
    {Verification::kVerified, "verified"},
    {Verification::kMismatch, "mismatch"},
}};
constexpr Names<WriteOutcome, 5> kWriteOutcomes{{
    {WriteOutcome::kCreated, "created"},
    {WriteOutcome::kUpdated, "updated"},
    {WriteOutcome::kUnchanged, "unchanged"},
    {WriteOutcome::kConflict, "conflict"},
    {WriteOutcome::kStale, "stale"},
}};

template <typename Enum, size_t N>
constexpr bool InDeclarationOrder(const Names<Enum, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    if (static_cast<size_t>(names[i].first) != i) return false;
  }
  return true;
}
static_assert(InDeclarationOrder(kVolumeTypes) && InDeclarationOrder(kProtectionStatuses) &&
              InDeclarationOrder(kConversionStatuses) && InDeclarationOrder(kProtectorTypes) &&
              InDeclarationOrder(kKeyStates) && InDeclarationOrder(kVerifications) &&
              InDeclarationOrder(kWriteOutcomes));

// The table for each enum, picked by overload on a value of that type.
constexpr const auto& TableOf(VolumeType) { return kVolumeTypes; }
constexpr const auto& TableOf(ProtectionStatus) { return kProtectionStatuses; }
constexpr const auto& TableOf(ConversionStatus) { return kConversionStatuses; }
constexpr const auto& TableOf(ProtectorType) { return kProtectorTypes; }
constexpr const auto& TableOf(KeyState) { return kKeyStates; }
constexpr const auto& TableOf(Verification) { return kVerifications; }
constexpr const auto& TableOf(WriteOutcome) { return kWriteOutcomes; }

template <typename Enum>
std::string_view NameIn(Enum v) {
  return TableOf(v)[static_cast<size_t>(v)].second;
}

}  // namespace

std::string_view NameOf(VolumeType v) { return NameIn(v); }
std::string_view NameOf(ProtectionStatus v) { return NameIn(v); }
std::string_view NameOf(ConversionStatus v) { return NameIn(v); }
std::string_view NameOf(ProtectorType v) { return NameIn(v); }
std::string_view NameOf(KeyState v) { return NameIn(v); }
std::string_view NameOf(Verification v) { return NameIn(v); }
std::string_view NameOf(WriteOutcome v) { return NameIn(v); }

bool IsDriveLetter(std::string_view text) {
  return text.size() == 2 && text[1] == ':' &&
         ((text[0] >= 'A' && text[0] <= 'Z') || (text[0] >= 'a' && text[0] <= 'z'));
}

template <typename Enum>
std::optional<Enum> Parse(std::string_view name) {
  for (const auto& [value, value_name] : TableOf(Enum{})) {
    if (value_name == name) return value;
  }
  return std::nullopt;
}

template std::optional<VolumeType> Parse(std::string_view);
template std::optional<ProtectionStatus> Parse(std::string_view);
template std::optional<ConversionStatus> Parse(std::string_view);
template std::optional<ProtectorType> Parse(std::string_view);
template std::optional<KeyState> Parse(std::string_view);
template std::optional<Verification> Parse(std::string_view);
template std::optional<WriteOutcome> Parse(std::string_view);

}  // namespace lockbox::store
