#include "bde/decrypted_volume.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "bde/sector_cipher.h"

namespace lockbox::bde {
namespace {

// Each FVE metadata copy owns a 64 KiB region that reads as zeros in the plaintext.
constexpr uint64_t kMetadataRegionBytes = 64 * 1024;

// A stretch of the logical volume that is produced the same way throughout.
struct Segment {
  enum class Kind { kZero, kCopy, kDecrypt };
  uint64_t start = 0;
  uint64_t end = 0;
  Kind kind = Kind::kZero;
  uint64_t physical_start = 0;  // kCopy / kDecrypt: where `start` lies in the image
};

std::string Bytes(uint64_t n) { return std::to_string(n) + " bytes"; }

// Cipher contexts handed out to concurrent readers: each ReadAt takes one for its duration,
// so no two threads share one and none is created per read once the pool has warmed up.
class CipherPool {
 public:
  CipherPool(uint16_t method, crypto::SecretBytes fvek, uint32_t sector_size)
      : method_(method), fvek_(std::move(fvek)), sector_size_(sector_size) {}

  Result<std::unique_ptr<SectorCipher>> Take() const {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto cipher = std::move(idle_.back());
        idle_.pop_back();
        return cipher;
      }
    }
    return SectorCipher::Create(method_, fvek_.span(), sector_size_);
  }
  void Return(std::unique_ptr<SectorCipher> cipher) const {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(cipher));
  }

 private:
  uint16_t method_;
  crypto::SecretBytes fvek_;
  uint32_t sector_size_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<SectorCipher>> idle_;
};

class DecryptedVolumeImpl : public DecryptedVolume {
 public:
  DecryptedVolumeImpl(std::shared_ptr<const BlockReader> reader, std::vector<Segment> segments,
                      uint32_t sector_size, PlaintextCoverage coverage,
                      std::unique_ptr<CipherPool> ciphers)
      : reader_(std::move(reader)),
        segments_(std::move(segments)),
        sector_size_(sector_size),
        coverage_(std::move(coverage)),
        ciphers_(std::move(ciphers)) {}

  uint64_t size_bytes() const override { return reader_->size_bytes(); }
  const PlaintextCoverage& coverage() const override { return coverage_; }
  uint32_t sector_size() const override { return sector_size_; }

  Status ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset > size_bytes() || out.size() > size_bytes() - offset) {
      return Status::IoError("read of " + Bytes(out.size()) + " at offset " +
                             std::to_string(offset) + " runs past the end of the " +
                             Bytes(size_bytes()) + " volume");
    }
    auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                               [](uint64_t o, const Segment& s) { return o < s.end; });
    const uint64_t end = offset + out.size();
    for (uint64_t pos = offset; pos < end; ++it) {
      const uint64_t piece_end = std::min(end, it->end);
      auto piece = out.subspan(pos - offset, piece_end - pos);
      const uint64_t physical = it->physical_start + (pos - it->start);
      switch (it->kind) {
        case Segment::Kind::kZero:
          std::memset(piece.data(), 0, piece.size());
          break;
        case Segment::Kind::kCopy:
          LOCKBOX_RETURN_IF_ERROR(reader_->ReadAt(physical, piece));
          break;
        case Segment::Kind::kDecrypt:
          LOCKBOX_RETURN_IF_ERROR(ReadDecrypted(physical, piece));
          break;
      }
      pos = piece_end;
    }
    return Status::Ok();
  }

 private:
  // Reads and decrypts physical bytes [physical, physical + out.size()) of an encrypted
  // segment (segments are sector-aligned). Aligned reads are decrypted in place in `out`;
  // others go through a buffer of the enclosing sectors.
  Status ReadDecrypted(uint64_t physical, std::span<uint8_t> out) const {
    LOCKBOX_ASSIGN_OR_RETURN(auto cipher, ciphers_->Take());
    const uint64_t first = physical / sector_size_ * sector_size_;
    const uint64_t last = (physical + out.size() + sector_size_ - 1) / sector_size_ * sector_size_;
    Status status;
    if (first == physical && last == physical + out.size()) {
      status = reader_->ReadAt(physical, out);
      if (status.ok()) status = cipher->Decrypt(physical, out);
    } else {
      std::vector<uint8_t> sectors(last - first);
      status = reader_->ReadAt(first, sectors);
      if (status.ok()) status = cipher->Decrypt(first, sectors);
      if (status.ok()) std::memcpy(out.data(), sectors.data() + (physical - first), out.size());
    }
    ciphers_->Return(std::move(cipher));
    return status;
  }

  std::shared_ptr<const BlockReader> reader_;
  std::vector<Segment> segments_;  // sorted, covering [0, size) without gaps
  uint32_t sector_size_;
  PlaintextCoverage coverage_;
  std::unique_ptr<CipherPool> ciphers_;
};

// The logical layout of a Win7+ or To Go volume (see the format notes, section 5).
Result<std::vector<Segment>> BuildSegments(const Volume& volume) {
  const Metadata& m = volume.metadata();
  const uint64_t size = volume.size_bytes();
  const uint64_t sector = volume.header().sector_size;
  const uint64_t relocated = uint64_t{m.relocated_sector_count} * sector;
  const uint64_t backup = m.header_backup_offset;
  const uint64_t encrypted = std::min(m.encrypted_size_bytes, size);

  if (backup > size || relocated > size - backup) {
    return Status::Corrupt("the relocated volume header (" + Bytes(relocated) + " at offset " +
                           std::to_string(backup) + ") lies beyond the " + Bytes(size) + " volume");
  }
  if (backup % sector != 0 || encrypted % sector != 0) {
    return Status::Corrupt(
        "the relocated header offset or the encrypted size is not a multiple "
        "of the " +
        Bytes(sector) + " sector size");
  }
  std::vector<std::pair<uint64_t, uint64_t>> zeros = {{backup, backup + relocated}};
  for (uint64_t copy : m.copy_offsets) {
    if (copy % sector != 0 || copy >= size) {
      return Status::Corrupt("metadata copy offset " + std::to_string(copy) +
                             " is not a sector inside the volume");
    }
    zeros.emplace_back(copy, std::min(size, copy + kMetadataRegionBytes));
  }

  std::vector<uint64_t> cuts = {0, size, relocated, encrypted};
  for (const auto& [a, b] : zeros) {
    cuts.push_back(a);
    cuts.push_back(b);
  }
  // The relocated sectors switch from decrypted to copied where their physical copy crosses
  // the encrypted size.
  if (encrypted > backup && encrypted < backup + relocated) cuts.push_back(encrypted - backup);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  std::vector<Segment> segments;
  for (size_t i = 0; i + 1 < cuts.size() && cuts[i] < size; ++i) {
    Segment s{cuts[i], std::min(cuts[i + 1], size), Segment::Kind::kZero, 0};
    if (s.start < relocated) {
      s.physical_start = backup + s.start;
    } else if (std::any_of(zeros.begin(), zeros.end(), [&](const auto& z) {
                 return s.start >= z.first && s.start < z.second;
               })) {
      s.kind = Segment::Kind::kZero;
      segments.push_back(s);
      continue;
    } else {
      s.physical_start = s.start;
    }
    s.kind = s.physical_start < encrypted ? Segment::Kind::kDecrypt : Segment::Kind::kCopy;
    segments.push_back(s);
  }
  // Merge neighbours produced the same way, so large reads make few calls.
  std::vector<Segment> merged;
  for (const Segment& s : segments) {
    if (!merged.empty() && merged.back().kind == s.kind && merged.back().end == s.start &&
        (s.kind == Segment::Kind::kZero ||
         merged.back().physical_start + (s.start - merged.back().start) == s.physical_start)) {
      merged.back().end = s.end;
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

PlaintextCoverage DescribeCoverage(const Volume& volume) {
  const Metadata& m = volume.metadata();
  const uint64_t size = volume.size_bytes();
  PlaintextCoverage c;
  c.encrypted_size_bytes = std::min(m.encrypted_size_bytes, size);
  if (c.encrypted_size_bytes >= size) {
    c.state = "encrypted";
    return c;
  }
  c.state = "partially encrypted (" + VolumeStateName(m.current_state) + ")";
  const std::string split = "Bytes [0, " + std::to_string(c.encrypted_size_bytes) +
                            ") were decrypted; bytes from " +
                            std::to_string(c.encrypted_size_bytes) +
                            " on are not encrypted on disk and were passed through unchanged.";
  if (m.current_state == static_cast<uint16_t>(VolumeState::kSwitching)) {
    c.complete = false;
    c.explanation = split +
                    " The conversion was running when this image was taken, so the sectors "
                    "Windows was converting at that moment may read wrongly.";
  } else {
    c.explanation = split;
  }
  return c;
}

}  // namespace

Result<std::unique_ptr<DecryptedVolume>> DecryptedVolume::Create(const Volume& volume,
                                                                 const VolumeKeys& keys) {
  if (volume.header().variant == Variant::kVista) {
    return Status::Unsupported(
        "decrypting Windows Vista BitLocker volumes is not supported (their header and MFT "
        "mirror are stored differently); open the volume on Windows 7 or later to upgrade it");
  }
  if (volume.header().eow) {
    // Checked on the two such test images: both say "encrypted" with the whole volume as the
    // encrypted size, yet one stores its relocated boot sector unencrypted and the other
    // encrypted. Only the undocumented bitmaps tell the sectors apart, so any output would
    // mix plaintext with garbage.
    return Status::Unsupported(
        "this volume was encrypted with \"used space only\" (encrypt-on-write): which of its "
        "sectors are encrypted is recorded in bitmaps whose format is not documented, so its "
        "plaintext cannot be produced reliably; let Windows finish encrypting it (manage-bde "
        "-status shows the conversion) or copy the files off on Windows");
  }
  const uint32_t sector_size = volume.header().sector_size;
  const uint16_t method = volume.metadata().method;
  // Fail now, not on the first read, if the key does not fit the method.
  LOCKBOX_ASSIGN_OR_RETURN(auto first_cipher,
                           SectorCipher::Create(method, keys.fvek.span(), sector_size));
  LOCKBOX_ASSIGN_OR_RETURN(auto segments, BuildSegments(volume));
  auto ciphers = std::make_unique<CipherPool>(method, keys.fvek.Clone(), sector_size);
  ciphers->Return(std::move(first_cipher));
  return std::unique_ptr<DecryptedVolume>(
      new DecryptedVolumeImpl(volume.shared_reader(), std::move(segments), sector_size,
                              DescribeCoverage(volume), std::move(ciphers)));
}

}  // namespace lockbox::bde
