#include "orchestration/circuit_breaker.hpp"

#include <algorithm>
#include <stdexcept>

namespace orchsim::orchestration {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "?";
}

CircuitBreakerConfig CircuitBreakerConfig::resilience4j() { return CircuitBreakerConfig{}; }

CircuitBreakerConfig CircuitBreakerConfig::polly() {
  CircuitBreakerConfig c;
  c.window = Window::kTimeBased;
  c.window_size = 30;
  c.minimum_calls = 100;
  c.failure_rate_threshold = 10.0;
  c.slow_call_rate_threshold = 100.0;
  c.slow_call_duration = sim::Duration::max();
  c.open_duration = sim::Duration::seconds(5);
  c.half_open_calls = 1;
  return c;
}

CircuitBreaker::CircuitBreaker(const CircuitBreakerConfig& config) : config_(config) {
  if (config_.window_size == 0)
    throw std::invalid_argument("circuit breaker: window_size must be >= 1");
  if (config_.half_open_calls == 0) {
    throw std::invalid_argument("circuit breaker: half_open_calls must be >= 1");
  }
  reset_window();
}

void CircuitBreaker::reset_window() {
  if (config_.window == CircuitBreakerConfig::Window::kCountBased) {
    ring_.assign(config_.window_size, 0);
    ring_next_ = ring_filled_ = 0;
    ring_counts_ = {};
  } else {
    buckets_.assign(config_.window_size, Counts{});
    bucket_second_.assign(config_.window_size, -1);
  }
}

void CircuitBreaker::transition(BreakerState to, sim::Time now) {
  const BreakerState from = state_;
  state_ = to;
  if (to == BreakerState::kOpen) open_until_ = now + config_.open_duration;
  if (to == BreakerState::kHalfOpen) {
    probes_out_ = 0;
    probe_counts_ = {};
  }
  if (to == BreakerState::kClosed) reset_window();
  if (on_transition) on_transition(from, to, now);
}

bool CircuitBreaker::try_acquire(sim::Time now) {
  if (state_ == BreakerState::kOpen) {
    if (now < open_until_) return false;
    transition(BreakerState::kHalfOpen, now);
  }
  if (state_ == BreakerState::kHalfOpen) {
    if (probes_out_ + probe_counts_.calls >= config_.half_open_calls) return false;
    ++probes_out_;
  }
  return true;
}

// Resilience4j caps the minimum of a count-based window at the window size
// (minimumNumberOfCalls = min(minimumNumberOfCalls, slidingWindowSize)):
// otherwise a window smaller than the minimum could never open.
std::uint32_t CircuitBreaker::minimum_calls() const {
  return config_.window == CircuitBreakerConfig::Window::kCountBased
             ? std::min(config_.minimum_calls, config_.window_size)
             : config_.minimum_calls;
}

CircuitBreaker::Counts CircuitBreaker::window_counts(sim::Time now) {
  if (config_.window == CircuitBreakerConfig::Window::kCountBased) return ring_counts_;
  const std::int64_t second = now.count_ns() / 1'000'000'000;
  Counts total;
  for (std::uint32_t i = 0; i < config_.window_size; ++i) {
    if (bucket_second_[i] > second - static_cast<std::int64_t>(config_.window_size)) {
      total.calls += buckets_[i].calls;
      total.failures += buckets_[i].failures;
      total.slow += buckets_[i].slow;
    }
  }
  return total;
}

void CircuitBreaker::record(sim::Time now, bool failed, bool slow) {
  if (config_.window == CircuitBreakerConfig::Window::kCountBased) {
    if (ring_filled_ == config_.window_size) {
      const std::uint8_t old = ring_[ring_next_];
      --ring_counts_.calls;
      ring_counts_.failures -= old & 1u;
      ring_counts_.slow -= (old >> 1) & 1u;
    } else {
      ++ring_filled_;
    }
    ring_[ring_next_] = static_cast<std::uint8_t>((failed ? 1u : 0u) | (slow ? 2u : 0u));
    if (++ring_next_ == config_.window_size) ring_next_ = 0;  // no division per call
    ++ring_counts_.calls;
    ring_counts_.failures += failed;
    ring_counts_.slow += slow;
    return;
  }
  const std::int64_t second = now.count_ns() / 1'000'000'000;
  const auto i = static_cast<std::uint32_t>(second % config_.window_size);
  if (bucket_second_[i] != second) {
    buckets_[i] = {};
    bucket_second_[i] = second;
  }
  ++buckets_[i].calls;
  buckets_[i].failures += failed;
  buckets_[i].slow += slow;
}

bool CircuitBreaker::over_threshold(const Counts& c) const {
  if (c.calls == 0) return false;
  const double failure = 100.0 * c.failures / c.calls;
  const double slow = 100.0 * c.slow / c.calls;
  return failure >= config_.failure_rate_threshold || slow >= config_.slow_call_rate_threshold;
}

void CircuitBreaker::on_result(sim::Time now, bool failed, sim::Duration duration) {
  const bool slow = duration > config_.slow_call_duration;
  switch (state_) {
    case BreakerState::kClosed: {
      record(now, failed, slow);
      const Counts c = window_counts(now);
      if (c.calls >= minimum_calls() && over_threshold(c)) transition(BreakerState::kOpen, now);
      break;
    }
    case BreakerState::kHalfOpen: {
      if (probes_out_ > 0) --probes_out_;
      ++probe_counts_.calls;
      probe_counts_.failures += failed;
      probe_counts_.slow += slow;
      if (probe_counts_.calls >= config_.half_open_calls) {
        transition(over_threshold(probe_counts_) ? BreakerState::kOpen : BreakerState::kClosed,
                   now);
      }
      break;
    }
    case BreakerState::kOpen:
      break;  // a call admitted before the breaker opened: its result no longer counts
  }
}

double CircuitBreaker::failure_rate(sim::Time now) {
  const Counts c = window_counts(now);
  return c.calls ? 100.0 * c.failures / c.calls : 0.0;
}
double CircuitBreaker::slow_call_rate(sim::Time now) {
  const Counts c = window_counts(now);
  return c.calls ? 100.0 * c.slow / c.calls : 0.0;
}
std::uint32_t CircuitBreaker::calls_in_window(sim::Time now) { return window_counts(now).calls; }

}  // namespace orchsim::orchestration
