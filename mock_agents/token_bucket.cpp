#include "mock_agents/token_bucket.hpp"

#include <algorithm>
#include <stdexcept>

namespace orchsim::mock_agents {

TokenBucket::TokenBucket(std::int64_t per_minute)
    : per_minute_(per_minute), level_(per_minute * kScale) {
  if (per_minute < 1 || per_minute > 150'000'000) {
    throw std::invalid_argument("TokenBucket: per_minute must be in [1, 1.5e8]");
  }
}

void TokenBucket::refill(sim::Time now) {
  const std::int64_t elapsed = (now - last_).count_ns();
  last_ = now;
  if (elapsed <= 0) return;
  const std::int64_t cap = per_minute_ * kScale;
  // elapsed * per_minute_ may overflow for long idle gaps: cap first.
  if (elapsed >= kScale) {
    level_ = cap;
  } else {
    level_ = std::min(cap, level_ + elapsed * per_minute_);
  }
}

std::int64_t TokenBucket::available(sim::Time now) {
  refill(now);
  return level_ / kScale;
}

sim::Duration TokenBucket::wait_for(sim::Time now, std::int64_t units) {
  refill(now);
  if (units > per_minute_) return sim::Duration::max();
  const std::int64_t need = units * kScale;
  if (level_ >= need) return sim::Duration::zero();
  // Round up: retrying after this wait always succeeds (absent other takers).
  const std::int64_t missing = need - level_;
  return sim::Duration::nanoseconds((missing + per_minute_ - 1) / per_minute_);
}

void TokenBucket::take(sim::Time now, std::int64_t units) {
  refill(now);
  level_ -= units * kScale;
}

}  // namespace orchsim::mock_agents
