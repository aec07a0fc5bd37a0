#include "service/rate_limiter.h"

#include <gtest/gtest.h>

namespace lockbox::service {
namespace {

store::Time At(int64_t seconds) { return store::Time(std::chrono::seconds(seconds)); }

TEST(RateLimiterTest, AllowsMaxAttemptsPerWindowPerKey) {
  RateLimiter limiter(2, std::chrono::seconds(60));
  EXPECT_TRUE(limiter.TryAttempt("alice", At(0)));
  EXPECT_TRUE(limiter.TryAttempt("alice", At(10)));
  EXPECT_FALSE(limiter.TryAttempt("alice", At(20)));
  EXPECT_TRUE(limiter.TryAttempt("bob", At(20)));
  EXPECT_FALSE(limiter.TryAttempt("alice", At(59)));
  EXPECT_TRUE(limiter.TryAttempt("alice", At(60)));  // the first attempt left the window
  EXPECT_FALSE(limiter.TryAttempt("alice", At(61)));
}

}  // namespace
}  // namespace lockbox::service
