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
  level_ = level_at(now);
  if (now > last_) last_ = now;
}

double TokenBucket::fill(sim::Time now) const {
  return static_cast<double>(level_at(now)) / static_cast<double>(per_minute_ * kScale);
}

std::int64_t TokenBucket::level_at(sim::Time now) const {
  const std::int64_t elapsed = (now - last_).count_ns();
  if (elapsed <= 0) return level_;
  // Neither elapsed * per_minute_ nor level_ plus it may be formed when it
  // would pass the capacity: at 1.5e8 per minute the capacity is 9e18, within
  // 3% of INT64_MAX. Compare against the room left instead: elapsed fills it
  // exactly when elapsed * per_minute_ >= room, i.e. elapsed > room / per_minute_
  // (integer division), and below that the product is at most room.
  const std::int64_t cap = per_minute_ * kScale;
  const std::int64_t room = cap - level_;
  if (elapsed > room / per_minute_) return cap;
  return level_ + elapsed * per_minute_;
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
