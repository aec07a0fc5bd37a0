#include "service/rate_limiter.h"

namespace lockbox::service {

bool RateLimiter::TryAttempt(const std::string& key, store::Time now) {
  const std::lock_guard<std::mutex> lock(mu_);
  // Forget everyone's old attempts, so the map holds only users active within the window.
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    auto& times = it->second;
    while (!times.empty() && times.front() <= now - window_) times.pop_front();
    it = times.empty() ? attempts_.erase(it) : std::next(it);
  }
  auto& times = attempts_[key];
  if (static_cast<int>(times.size()) >= max_attempts_) return false;
  times.push_back(now);
  return true;
}

}  // namespace lockbox::service
