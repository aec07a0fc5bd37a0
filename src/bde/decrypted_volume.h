// DecryptedVolume: the plaintext of an unlocked BitLocker volume, as a BlockReader.
//
// Reads map logical offsets to the physical image: the metadata regions and the relocated
// header area read as zeros, the first sectors come from their relocated copy, encrypted
// sectors are decrypted with the IV/tweak of their physical location, and sectors at or
// beyond the encrypted size pass through. ReadAt() is thread-safe (per-thread cipher
// contexts), so a caller decrypts in parallel by reading disjoint ranges from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "bde/block_reader.h"
#include "bde/unlock.h"
#include "bde/volume.h"
#include "util/status.h"

namespace lockbox::bde {

// What the plaintext view can promise, given the volume's conversion state.
struct PlaintextCoverage {
  bool complete = true;              // every byte of the output is correct plaintext
  uint64_t encrypted_size_bytes = 0; // bytes [0, this) were decrypted, the rest passed through
  std::string state;                 // "encrypted", "partially encrypted (conversion paused)", ...
  std::string explanation;           // for incomplete coverage: what the output holds and why
};

class DecryptedVolume : public BlockReader {
 public:
  // kUnsupported for layouts whose plaintext cannot be produced correctly (the message says
  // why); `keys` must come from Unlock() on the same `volume`.
  static Result<std::unique_ptr<DecryptedVolume>> Create(const Volume& volume,
                                                         const VolumeKeys& keys);

  virtual const PlaintextCoverage& coverage() const = 0;
  virtual uint32_t sector_size() const = 0;
};

}  // namespace lockbox::bde
