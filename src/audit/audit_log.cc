#include "audit/audit_log.h"

#include <string_view>

#include "crypto/secret.h"
#include "crypto/sha256.h"

namespace lockbox::audit {
namespace {

// Entries are read in pages so a long log does not sit in memory at once.
constexpr size_t kVerifyPageEntries = 1000;

// Versioned, so a later change of the encoding cannot collide with this one.
constexpr std::string_view kDomain = "lockbox audit entry v1";

void AppendU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Every variable-length field is preceded by its length, so no two entries encode alike
// (without it, actor "ab" + role "c" would encode as actor "a" + role "bc").
void AppendField(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  AppendU64(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}
void AppendField(std::vector<uint8_t>& out, std::string_view text) {
  AppendField(out,
              std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string HexPrefix(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

std::vector<uint8_t> HashEntry(const store::AuditEntry& e) {
  std::vector<uint8_t> encoded;
  AppendField(encoded, kDomain);
  AppendU64(encoded, static_cast<uint64_t>(e.sequence));
  AppendU64(encoded, static_cast<uint64_t>(e.time.time_since_epoch().count()));
  for (const std::string* field : {&e.actor, &e.role, &e.source, &e.computer, &e.key_id,
                                   &e.key_type, &e.reason, &e.end_user, &e.result}) {
    AppendField(encoded, *field);
  }
  AppendField(encoded, e.prev_hash);
  const crypto::Sha256Digest digest = crypto::Sha256(encoded);
  return {digest.begin(), digest.end()};
}

Result<store::AuditEntry> AuditLog::Append(const store::AuditEntry& entry) {
  return store_.AppendAudit(entry, HashEntry);
}

Result<ChainReport> AuditLog::Verify() {
  ChainReport report;
  int64_t expected_sequence = 1;
  for (;;) {
    LOCKBOX_ASSIGN_OR_RETURN(auto page, store_.ReadAudit(expected_sequence, kVerifyPageEntries));
    for (const store::AuditEntry& e : page) {
      ++report.entries_checked;
      const auto fail = [&](int64_t sequence, std::string problem) {
        report.ok = false;
        report.bad_sequence = sequence;
        report.problem = std::move(problem);
        return report;
      };
      if (e.sequence != expected_sequence) {
        // The entry that should be here is gone (deleted, or renumbered away).
        return fail(expected_sequence, "entry " + std::to_string(expected_sequence) +
                                           " is missing: the entry after " +
                                           std::to_string(expected_sequence - 1) + " is " +
                                           std::to_string(e.sequence));
      }
      if (!crypto::ConstantTimeEqual(e.prev_hash, report.last_hash)) {
        return fail(e.sequence, "entry " + std::to_string(e.sequence) +
                                    " does not follow the entry before it (its prev_hash " +
                                    HexPrefix(e.prev_hash) + "... is not that entry's hash " +
                                    HexPrefix(report.last_hash) +
                                    "...): an entry was removed or reordered");
      }
      if (!crypto::ConstantTimeEqual(HashEntry(e), e.hash)) {
        return fail(e.sequence, "entry " + std::to_string(e.sequence) +
                                    " was altered: its fields no longer match its hash");
      }
      report.last_hash = e.hash;
      ++expected_sequence;
    }
    if (page.size() < kVerifyPageEntries) return report;
  }
}

}  // namespace lockbox::audit
