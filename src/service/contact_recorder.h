// ContactRecorder: when agents were last heard from, written in batches.
//
// Every agent reports every 90 minutes or so, and most reports change nothing: what they do
// change is contact, not content (the computer's last contact, its users' last-seen times).
// Writing those durably at every report would make the store sync the disk for every
// check-in; the recorder keeps them in memory and writes them all in one transaction every
// flush interval. A crash loses at most that interval of contact times, which the next
// reports restore; no escrowed secret or state ever waits here.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/store.h"
#include "util/guid.h"

namespace lockbox::service {

class ContactRecorder {
 public:
  // `store` must outlive the recorder.
  ContactRecorder(store::Store& store, std::chrono::milliseconds flush_interval);
  // Writes what is pending.
  ~ContactRecorder();
  ContactRecorder(const ContactRecorder&) = delete;
  ContactRecorder& operator=(const ContactRecorder&) = delete;

  // Remembers a contact; a later one of the same computer replaces it.
  void Record(store::Contact contact);
  // Writes every pending contact now. On failure they stay pending for the next flush.
  Status Flush();

 private:
  void Run();

  store::Store& store_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::unordered_map<Guid, store::Contact, GuidHash> pending_;  // by computer
  std::mutex flush_mu_;                                         // one flush at a time
  bool stopping_ = false;
  std::thread worker_;  // last: started once everything above exists
};

}  // namespace lockbox::service
