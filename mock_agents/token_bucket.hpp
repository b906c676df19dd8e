// A provider-style rate limit: a token bucket holding at most `per_minute`
// units, refilled continuously at per_minute / 60 s, in exact integer
// arithmetic (no drift, same answer on every machine).
//
//   TokenBucket rpm(600);                        // 600 requests per minute
//   if (auto wait = rpm.try_take(now, 1); wait > Duration::zero()) reject(wait);
//
// Internally one unit is 60e9 "unit-nanoseconds", so a refill of per_minute
// units per minute adds exactly per_minute per nanosecond.
#pragma once

#include <cstdint>

#include "sim/time.hpp"

namespace orchsim::mock_agents {

class TokenBucket {
 public:
  // per_minute in [1, 1.5e8] (kept in 64-bit fixed point); starts full.
  explicit TokenBucket(std::int64_t per_minute);

  // How long until `units` are available at `now` (zero if they are now).
  // Requests larger than the capacity can never pass: they get Duration::max().
  sim::Duration wait_for(sim::Time now, std::int64_t units);
  // Takes `units`; precondition: wait_for(now, units) is zero.
  void take(sim::Time now, std::int64_t units);
  // Takes `units` if available and returns zero; otherwise takes nothing and
  // returns the wait (the retry-after to report).
  sim::Duration try_take(sim::Time now, std::int64_t units) {
    const sim::Duration wait = wait_for(now, units);
    if (wait == sim::Duration::zero()) take(now, units);
    return wait;
  }

  // Units available at `now` (rounded down).
  std::int64_t available(sim::Time now);
  // The share of the capacity available at `now`, in [0, 1], without taking
  // or refilling anything (for routers that read headroom).
  double fill(sim::Time now) const;
  std::int64_t capacity() const { return per_minute_; }

 private:
  void refill(sim::Time now);
  std::int64_t level_at(sim::Time now) const;

  static constexpr std::int64_t kScale = 60'000'000'000;  // nanoseconds per minute
  std::int64_t per_minute_;
  std::int64_t level_;  // scaled units
  sim::Time last_;
};

}  // namespace orchsim::mock_agents
