// KeyVerifier: checks in the background that an escrowed recovery password opens its volume.
//
// An agent may send a copy of a volume's FVE metadata with its report. Unlocking that
// metadata with the escrowed recovery password (the full 1,048,576-round key stretch, about
// 0.1-0.2 s) proves the password is right before anyone needs it. Reports are answered at
// once; the checks run on one worker thread from a bounded queue. Each outcome is written to
// the key's verification state (verified / mismatch) and, with its reason, to the audit log.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "bde/unlock.h"
#include "recovery/recovery_password.h"
#include "store/store.h"
#include "util/guid.h"

namespace lockbox::service {

// One metadata copy as read from the volume: its bytes (at most 64 KiB) and the byte offset
// it was read from (the parser checks the copy names that offset).
struct MetadataCopy {
  uint64_t offset = 0;
  std::vector<uint8_t> bytes;
};

struct VerificationOutcome {
  store::Verification result = store::Verification::kUnknown;
  std::string reason;  // why, in one line; never contains the password
};

// Whether `password` opens the recovery-password protector `key_id` of the volume described
// by `metadata`: verified, mismatch (it opens nothing, or only another protector), or unknown
// (the metadata cannot be read or trusted).
VerificationOutcome VerifyRecoveryPassword(const Guid& key_id,
                                           const recovery::RecoveryPassword& password,
                                           const MetadataCopy& metadata,
                                           const bde::UnlockOptions& options = {});

class KeyVerifier {
 public:
  // `store` and `audit` must outlive the verifier.
  KeyVerifier(store::Store& store, audit::AuditLog& audit, size_t max_queued,
              std::function<store::Time()> now);
  // Finishes the check in progress; checks still queued are dropped (their keys stay unknown).
  ~KeyVerifier();
  KeyVerifier(const KeyVerifier&) = delete;
  KeyVerifier& operator=(const KeyVerifier&) = delete;

  // Queues a check; false when the queue is full.
  bool Enqueue(const Guid& key_id, recovery::RecoveryPassword password, MetadataCopy metadata);
  // Blocks until the queue is empty and no check runs.
  void WaitIdle();

 private:
  struct Job {
    Guid key_id;
    recovery::RecoveryPassword password;
    MetadataCopy metadata;
  };
  void Run();
  void Record(const Guid& key_id, const VerificationOutcome& outcome);

  store::Store& store_;
  audit::AuditLog& audit_;
  const size_t max_queued_;
  const std::function<store::Time()> now_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;  // last: started once everything above exists
};

}  // namespace lockbox::service
