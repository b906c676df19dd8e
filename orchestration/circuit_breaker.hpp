// A per-agent circuit breaker with Resilience4j's semantics (and Polly's as a
// preset): a sliding window of recent call outcomes, failure-rate and
// slow-call-rate thresholds, a minimum number of calls before rates count, an
// open period, then half-open probes that close or reopen it.
//
//   CircuitBreaker breaker(CircuitBreakerConfig::resilience4j());
//   if (!breaker.try_acquire(now)) { /* rejected: not a failure of the agent */ }
//   ... breaker.on_result(now, /*failed=*/false, /*duration=*/call_time);
//
// State machine:
//   closed    -> open       when calls in window >= minimum_calls (for a
//                           count-based window, at most window_size, as in
//                           Resilience4j) and
//                           (failure rate >= threshold or slow rate >= threshold)
//   open      -> half_open  on the first try_acquire at or after open_until
//   half_open -> closed/open after `half_open_calls` probes have finished, by the
//                           same thresholds over those probes; further calls are
//                           rejected while the probes are out
// Rates are percentages of the calls in the window; thresholds are inclusive
// (a 50% threshold opens at exactly 50%).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration {

enum class BreakerState : std::uint8_t { kClosed, kOpen, kHalfOpen };
std::string_view to_string(BreakerState state);

struct CircuitBreakerConfig {
  enum class Window : std::uint8_t { kCountBased, kTimeBased };
  Window window = Window::kCountBased;
  std::uint32_t window_size = 100;  // calls (count-based) or seconds (time-based)
  std::uint32_t minimum_calls = 100;
  double failure_rate_threshold = 50.0;     // percent, inclusive
  double slow_call_rate_threshold = 100.0;  // percent, inclusive
  sim::Duration slow_call_duration = sim::Duration::seconds(60);
  sim::Duration open_duration = sim::Duration::seconds(60);
  std::uint32_t half_open_calls = 10;

  static CircuitBreakerConfig resilience4j();  // the defaults above
  // Polly v8: failure ratio 0.1 over 30 s, minimum throughput 100, break 5 s, one probe.
  static CircuitBreakerConfig polly();
};

inline constexpr sim::EnumName<CircuitBreakerConfig::Window> kBreakerWindowNames[] = {
    {CircuitBreakerConfig::Window::kCountBased, "count", "the last window_size calls"},
    {CircuitBreakerConfig::Window::kTimeBased, "time", "the calls of the last window_size seconds"},
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(const CircuitBreakerConfig& config);

  // Whether a call may go out now. Counts a half-open probe when it says yes.
  bool try_acquire(sim::Time now);
  // Records the end of a call that try_acquire admitted.
  void on_result(sim::Time now, bool failed, sim::Duration duration);

  BreakerState state() const { return state_; }
  // Failure and slow-call rates over the current window, in percent (0 when empty).
  double failure_rate(sim::Time now);
  double slow_call_rate(sim::Time now);
  std::uint32_t calls_in_window(sim::Time now);
  sim::Time open_until() const { return open_until_; }

  // Called on every state change (from, to, at); for observers.
  std::function<void(BreakerState, BreakerState, sim::Time)> on_transition;

 private:
  struct Counts {
    std::uint32_t calls = 0, failures = 0, slow = 0;
  };
  void record(sim::Time now, bool failed, bool slow);
  Counts window_counts(sim::Time now);
  bool over_threshold(const Counts& c) const;
  std::uint32_t minimum_calls() const;
  void transition(BreakerState to, sim::Time now);
  void reset_window();

  CircuitBreakerConfig config_;
  BreakerState state_ = BreakerState::kClosed;
  sim::Time open_until_;
  // Count-based: a ring of the last window_size outcomes (bit 0 failed, bit 1 slow).
  std::vector<std::uint8_t> ring_;
  std::uint32_t ring_next_ = 0;
  std::uint32_t ring_filled_ = 0;
  Counts ring_counts_;
  // Time-based: one bucket per second, indexed by (second mod window_size).
  std::vector<Counts> buckets_;
  std::vector<std::int64_t> bucket_second_;
  // Half-open probes.
  std::uint32_t probes_out_ = 0;
  Counts probe_counts_;
};

}  // namespace orchsim::orchestration
