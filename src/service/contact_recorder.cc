#include "service/contact_recorder.h"

#include <algorithm>
#include <string>
#include <utility>
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
  store::Contact& slot = pending_[contact.computer_id];
  if (slot.computer_id.IsZero() || slot.at <= contact.at) slot = std::move(contact);
}

Status ContactRecorder::Flush() {
  std::lock_guard flushing(flush_mu_);
  std::unordered_map<Guid, store::Contact, GuidHash> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return Status::Ok();
  // Written in the order of the store's keys (the ID's text), so that neighbours in the
  // store's B-trees are written one after the other.
  std::vector<std::pair<std::string, const store::Contact*>> by_key;
  by_key.reserve(batch.size());
  for (const auto& [id, contact] : batch) by_key.emplace_back(id.ToString(), &contact);
  std::sort(by_key.begin(), by_key.end());
  std::vector<store::Contact> contacts;
  contacts.reserve(batch.size());
  for (const auto& [key, contact] : by_key) contacts.push_back(*contact);
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
