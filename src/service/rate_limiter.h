// RateLimiter: at most N attempts per key (a user name) within a sliding window, in memory.
//
// Self-service recovery uses it so that one account cannot try key IDs quickly. It is per
// server process: several servers sharing a store each allow N.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "store/records.h"

namespace lockbox::service {

class RateLimiter {
 public:
  RateLimiter(int max_attempts, std::chrono::seconds window)
      : max_attempts_(max_attempts), window_(window) {}

  // Records an attempt by `key` at `now` and returns true, or returns false (recording
  // nothing) when `key` already made max_attempts within the window before `now`.
  bool TryAttempt(const std::string& key, store::Time now);

 private:
  const int max_attempts_;
  const std::chrono::seconds window_;
  std::mutex mu_;
  std::map<std::string, std::deque<store::Time>> attempts_;
};

}  // namespace lockbox::service
