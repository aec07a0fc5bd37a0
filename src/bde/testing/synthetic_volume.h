// Synthetic BitLocker volumes: complete, valid Windows 7+ volumes built in memory from
// parameters, for round-trip tests, fuzz seeds and benchmarks.
//
//   SyntheticVolumeSpec spec;
//   spec.method = 0x8000;  // AES-CBC-128 + Elephant
//   spec.protectors = {{SyntheticProtector::Kind::kPassword, "hunter22"}};
//   LOCKBOX_ASSIGN_OR_RETURN(auto built, BuildSyntheticVolume(spec));
//   auto volume = Volume::Open(MemoryBlockReader(built.image));
//
// The image has a volume header, three metadata copies (CRC-32 and the AES-CCM-sealed SHA-256
// validation), relocated header sectors, and its sectors encrypted with a random FVEK under a
// random VMK, exactly as the format notes describe. Keys come from the CSPRNG; the plaintext
// is given or a deterministic pattern.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/key_stretch.h"
#include "crypto/secret.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::bde::testing {

struct SyntheticProtector {
  enum class Kind { kRecoveryPassword, kPassword, kStartupKey, kClearKey, kTpm };
  SyntheticProtector(Kind k = Kind::kRecoveryPassword, std::string s = "")  // NOLINT: implicit
      : kind(k), secret(std::move(s)) {}

  Kind kind;
  // kPassword: the UTF-8 password. kRecoveryPassword: its 55-character text, or "" for a
  // random one. Unused otherwise.
  std::string secret;
};

struct SyntheticVolumeSpec {
  uint16_t method = 0x8004;  // an EncryptionMethod value
  uint32_t sector_size = 512;
  uint64_t size_bytes = 4 << 20;  // at least 1 MiB, a multiple of 64 KiB
  std::vector<SyntheticProtector> protectors = {{}};
  // The plaintext volume (size_bytes long), or empty for SyntheticPattern(size_bytes, 1).
  std::vector<uint8_t> plaintext;
  // Bytes from the start that are encrypted (a multiple of the sector size); the rest is
  // stored as plaintext, like a paused conversion. Nullopt: the whole volume.
  std::optional<uint64_t> encrypted_size_bytes;
  uint16_t state = 4;  // metadata current and next state (4: encrypted, 5: paused)
  // Tests use few rounds to stay fast; Unlock() must then be given the same count.
  uint64_t key_stretch_rounds = crypto::kKeyStretchRounds;
  std::string description = "SYNTHETIC X: 1/1/2024";
};

struct SyntheticVolume {
  std::vector<uint8_t> image;               // the encrypted volume as it lies on disk
  std::vector<uint8_t> expected_plaintext;  // what a correct decryption reads back
  Guid volume_guid;
  std::array<uint64_t, 3> metadata_offsets{};
  uint64_t header_backup_offset = 0;
  crypto::SecretBytes vmk;
  crypto::SecretBytes fvek;
  struct Protector {
    SyntheticProtector::Kind kind;
    Guid guid;
    std::string secret;             // the (recovery) password used
    std::vector<uint8_t> bek_file;  // kStartupKey: the .BEK file's bytes
  };
  std::vector<Protector> protectors;  // in the order of the spec
};

Result<SyntheticVolume> BuildSyntheticVolume(const SyntheticVolumeSpec& spec);

// `size` deterministic bytes that differ from sector to sector and seed to seed.
std::vector<uint8_t> SyntheticPattern(size_t size, uint32_t seed);

// Recomputes the CRC-32 of the metadata copy at `offset` of `image`, as a forger who changed
// the metadata would (the SHA-256 validation still catches it).
void RecomputeMetadataCrc(std::vector<uint8_t>& image, uint64_t offset);

}  // namespace lockbox::bde::testing
