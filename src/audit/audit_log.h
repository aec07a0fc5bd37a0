// AuditLog: the tamper-evident record of who obtained (or tried to obtain) which secret.
//
// Entries live in the store's append-only audit table. Each entry's hash is SHA-256 over the
// previous entry's hash and an unambiguous encoding of all its own fields, so the entries
// form a chain: changing, deleting or reordering a stored entry breaks the chain at that
// entry, and Verify() names it.
//
//   audit::AuditLog log(store);
//   LOCKBOX_ASSIGN_OR_RETURN(store::AuditEntry stored, log.Append(entry));  // durable now
//   LOCKBOX_ASSIGN_OR_RETURN(audit::ChainReport report, log.Verify());
//
// The chain shows tampering by someone who can write the database but does not rewrite every
// hash after the change; it cannot stop an attacker who recomputes the whole chain. Export the
// latest hash (ChainReport::last_hash) somewhere they cannot write to make that detectable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/records.h"
#include "store/store.h"
#include "util/status.h"

namespace lockbox::audit {

// The 32-byte hash of `entry` (its sequence, time, text fields and prev_hash; not `hash`).
std::vector<uint8_t> HashEntry(const store::AuditEntry& entry);

// What Verify() found.
struct ChainReport {
  bool ok = true;
  int64_t entries_checked = 0;  // entries read, up to and including the first bad one
  // When !ok: the sequence number of the first entry that was altered or is missing, and why
  // ("entry 7 is missing: the entry after 6 is 8").
  int64_t bad_sequence = 0;
  std::string problem;
  std::vector<uint8_t> last_hash;  // the hash of the last good entry (empty for an empty log)
};

class AuditLog {
 public:
  // `store` must outlive the log.
  explicit AuditLog(store::Store& store) : store_(store) {}

  // Appends `entry` (sequence, prev_hash and hash are filled in) and returns it as stored.
  // When this returns ok the entry is committed; when it fails nothing was appended, and a
  // caller about to disclose a secret must not disclose it.
  Result<store::AuditEntry> Append(const store::AuditEntry& entry);

  // Reads the whole log in order and checks the chain. A damaged chain is a report with
  // ok == false, not an error; errors are failures to read the store.
  Result<ChainReport> Verify();

 private:
  store::Store& store_;
};

}  // namespace lockbox::audit
