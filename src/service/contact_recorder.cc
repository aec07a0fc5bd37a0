#include "service/contact_recorder.h"

#include <vector>

namespace lockbox::service {

ContactRecorder::ContactRecorder(store::Store& store, std::chrono::milliseconds flush_interval)
    : store_(store), interval_(flush_interval), worker_([this] { Run(); }) {}

ContactRecorder::~ContactRecorder() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
  (void)Flush();  // a store that fails now has nobody left to tell
}

void ContactRecorder::Record(store::Contact contact) {
  std::lock_guard lock(mu_);
  store::Contact& slot = pending_[contact.computer_id.ToString()];
  if (slot.computer_id.IsZero() || slot.at <= contact.at) slot = std::move(contact);
}

Status ContactRecorder::Flush() {
  std::lock_guard flushing(flush_mu_);
  std::map<std::string, store::Contact> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return Status::Ok();
  std::vector<store::Contact> contacts;
  contacts.reserve(batch.size());
  for (auto& [id, contact] : batch) contacts.push_back(contact);
  const Status written = store_.RecordContacts(contacts);
  if (!written.ok()) {
    // Kept for the next flush, unless a newer contact of the same computer arrived meanwhile.
    std::lock_guard lock(mu_);
    for (auto& [id, contact] : batch) pending_.try_emplace(id, std::move(contact));
  }
  return written;
}

void ContactRecorder::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    (void)Flush();  // failures stay pending and are retried at the next interval
    lock.lock();
  }
}

}  // namespace lockbox::service
