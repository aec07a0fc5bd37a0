#include "service/verifier.h"

#include <array>

#include "bde/metadata.h"

namespace lockbox::service {

VerificationOutcome VerifyRecoveryPassword(const Guid& key_id,
                                           const recovery::RecoveryPassword& password,
                                           const MetadataCopy& metadata,
                                           const bde::UnlockOptions& options) {
  using store::Verification;
  auto parsed = bde::ParseMetadataBlock(metadata.bytes, metadata.offset);
  if (!parsed.ok()) {
    return {Verification::kUnknown, "the metadata could not be read: " + parsed.status().message()};
  }
  const std::array<bde::KeyMaterial, 1> keys = {bde::KeyMaterial::FromRecoveryPassword(password)};
  auto unlocked = bde::Unlock(*parsed, keys, nullptr, options);
  if (unlocked.ok()) {
    if (unlocked->protector_guid == key_id) {
      return {Verification::kVerified, "the recovery password opens its protector"};
    }
    return {Verification::kMismatch, "the recovery password opens protector " +
                                         unlocked->protector_guid.ToString() +
                                         ", not the one it was escrowed for"};
  }
  switch (unlocked.status().code()) {
    case ErrorCode::kWrongKey:
      return {Verification::kMismatch,
              "the recovery password opens no recovery-password protector of the volume"};
    case ErrorCode::kUnsupported:
      return {Verification::kMismatch, "the volume has no recovery-password protector"};
    default:
      return {Verification::kUnknown,
              "the metadata could not be checked: " + unlocked.status().message()};
  }
}

KeyVerifier::KeyVerifier(store::Store& store, audit::AuditLog& audit, size_t max_queued,
                         std::function<store::Time()> now)
    : store_(store), audit_(audit), max_queued_(max_queued), now_(std::move(now)), worker_([this] {
        Run();
      }) {}

KeyVerifier::~KeyVerifier() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  worker_.join();
}

bool KeyVerifier::Enqueue(const Guid& key_id, recovery::RecoveryPassword password,
                          MetadataCopy metadata) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back({key_id, std::move(password), std::move(metadata)});
  }
  changed_.notify_all();
  return true;
}

void KeyVerifier::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void KeyVerifier::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Record(job.key_id, VerifyRecoveryPassword(job.key_id, job.password, job.metadata));
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

void KeyVerifier::Record(const Guid& key_id, const VerificationOutcome& outcome) {
  // "unknown" says nothing new: it never replaces an earlier verified or mismatch.
  Status stored;
  if (outcome.result != store::Verification::kUnknown) {
    stored = store_.SetKeyVerification(key_id, outcome.result);
  }
  store::AuditEntry entry;
  entry.time = now_();
  entry.actor = "lockbox";
  entry.role = "service";
  entry.source = "metadata verification";
  entry.key_id = key_id.ToString();
  entry.key_type = "recovery_password";
  entry.result = std::string(store::NameOf(outcome.result)) + ": " + outcome.reason;
  if (!stored.ok()) entry.result += " (not recorded: " + stored.message() + ")";
  // Nothing is disclosed here, so a failed append loses only this note; the key's state holds
  // the outcome.
  (void)audit_.Append(entry);
}

}  // namespace lockbox::service
