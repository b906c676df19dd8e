// The circuit breaker against Resilience4j's semantics (and Polly's preset):
// exact thresholds, minimum calls, sliding windows, open period, half-open probes.
#include "orchestration/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/sim/time_printers.hpp"

namespace orchsim::orchestration {
inline void PrintTo(BreakerState s, std::ostream* os) { *os << to_string(s); }
}  // namespace orchsim::orchestration

namespace orchsim::orchestration::circuit_breaker_test {
namespace {

using namespace sim::literals;
using sim::Duration;
using sim::Time;

Time at(Duration d) { return Time::zero() + d; }

// A small count-based breaker: window 10, minimum 10 calls, 50% failures or 50% slow
// (> 1 s), open 30 s, 3 probes.
CircuitBreakerConfig small_config() {
  CircuitBreakerConfig c;
  c.window = CircuitBreakerConfig::Window::kCountBased;
  c.window_size = 10;
  c.minimum_calls = 10;
  c.failure_rate_threshold = 50.0;
  c.slow_call_rate_threshold = 50.0;
  c.slow_call_duration = 1_s;
  c.open_duration = 30_s;
  c.half_open_calls = 3;
  return c;
}

// One admitted call that ends at `now`.
void call(CircuitBreaker& b, Time now, bool failed, Duration duration = 10_ms) {
  ASSERT_TRUE(b.try_acquire(now)) << "call at " << to_string(now) << " was rejected";
  b.on_result(now, failed, duration);
}

struct Transition {
  BreakerState from, to;
  Time at;
  friend bool operator==(const Transition&, const Transition&) = default;
  friend void PrintTo(const Transition& t, std::ostream* os) {
    *os << to_string(t.from) << "->" << to_string(t.to) << "@" << to_string(t.at);
  }
};

// Opens the small breaker at `when` with 10 failures.
void open_with_failures(CircuitBreaker& b, Time when) {
  for (int i = 0; i < 10; ++i) call(b, when, true);
  ASSERT_EQ(b.state(), BreakerState::kOpen);
}

// ---- Presets ----

TEST(CircuitBreakerPreset, Resilience4jDefaults) {
  const CircuitBreakerConfig c = CircuitBreakerConfig::resilience4j();
  EXPECT_EQ(c.window, CircuitBreakerConfig::Window::kCountBased);
  EXPECT_EQ(c.window_size, 100u);
  EXPECT_EQ(c.minimum_calls, 100u);
  EXPECT_EQ(c.failure_rate_threshold, 50.0);
  EXPECT_EQ(c.slow_call_rate_threshold, 100.0);
  EXPECT_EQ(c.slow_call_duration, 60_s);
  EXPECT_EQ(c.open_duration, 60_s);
  EXPECT_EQ(c.half_open_calls, 10u);
}

TEST(CircuitBreakerPreset, PollyV8Defaults) {
  const CircuitBreakerConfig c = CircuitBreakerConfig::polly();
  EXPECT_EQ(c.window, CircuitBreakerConfig::Window::kTimeBased);
  EXPECT_EQ(c.window_size, 30u);  // 30 s sampling duration
  EXPECT_EQ(c.minimum_calls, 100u);
  EXPECT_EQ(c.failure_rate_threshold, 10.0);  // failure ratio 0.1
  EXPECT_EQ(c.open_duration, 5_s);
  EXPECT_EQ(c.half_open_calls, 1u);
  EXPECT_EQ(c.slow_call_duration, Duration::max());  // Polly has no slow-call rule
}

TEST(CircuitBreakerPreset, Resilience4jOpensOnTheHundredthCallAtFiftyPercent) {
  CircuitBreaker b(CircuitBreakerConfig::resilience4j());
  for (int i = 0; i < 50; ++i) call(b, at(1_s), false);
  for (int i = 0; i < 49; ++i) call(b, at(1_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);  // 99 calls: below the minimum of 100
  call(b, at(1_s), true);                       // 50 of 100
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.open_until(), at(61_s));
}

TEST(CircuitBreakerPreset, Resilience4jCallsLongerThanSixtySecondsAreSlow) {
  CircuitBreaker b(CircuitBreakerConfig::resilience4j());
  call(b, at(1_s), false, 60_s);  // exactly 60 s is not slow
  for (int i = 0; i < 99; ++i) call(b, at(1_s), false, 60_s + 1_ns);
  EXPECT_EQ(b.slow_call_rate(at(1_s)), 99.0);
  EXPECT_EQ(b.state(), BreakerState::kClosed);  // 99% < 100%
  call(b, at(1_s), false, 61_s);                // the fast call slides out: 100 of 100 slow
  EXPECT_EQ(b.slow_call_rate(at(1_s)), 100.0);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerPreset, PollyOpensAtTenPercentOfAHundredCallsAndProbesOnce) {
  CircuitBreaker b(CircuitBreakerConfig::polly());
  for (int i = 0; i < 91; ++i) call(b, at(1_s), false);
  for (int i = 0; i < 8; ++i) call(b, at(2_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);  // 99 calls: below minimum throughput
  call(b, at(3_s), true);                       // 9 of 100 = 9%
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  call(b, at(4_s), true);  // 10 of 101 = 9.9%
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  call(b, at(4_s), true);  // 11 of 102 = 10.8%
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.open_until(), at(9_s));  // break 5 s
  EXPECT_FALSE(b.try_acquire(at(9_s) - 1_ns));
  EXPECT_TRUE(b.try_acquire(at(9_s)));
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  EXPECT_FALSE(b.try_acquire(at(9_s)));  // one probe only
  b.on_result(at(10_s), false, 1_s);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

// ---- Closed: exact thresholds over a count-based window ----

TEST(CircuitBreaker, FourFailuresOfTenStayClosed) {
  CircuitBreaker b(small_config());
  for (int i = 0; i < 6; ++i) call(b, at(1_s), false);
  for (int i = 0; i < 4; ++i) call(b, at(1_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_EQ(b.calls_in_window(at(1_s)), 10u);
  EXPECT_EQ(b.failure_rate(at(1_s)), 40.0);
}

TEST(CircuitBreaker, TheCallThatMakesFiveFailuresOfTenOpensIt) {
  CircuitBreaker b(small_config());
  for (int i = 0; i < 5; ++i) call(b, at(1_s), false);
  for (int i = 0; i < 4; ++i) call(b, at(2_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  call(b, at(3_s), true);  // 5 of 10 = 50%: the threshold is inclusive
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.failure_rate(at(3_s)), 50.0);
  EXPECT_EQ(b.open_until(), at(33_s));
}

TEST(CircuitBreaker, DoesNotOpenBeforeMinimumCallsEvenAtAHundredPercent) {
  CircuitBreaker b(small_config());
  for (int i = 0; i < 9; ++i) {
    call(b, at(1_s), true);
    EXPECT_EQ(b.state(), BreakerState::kClosed) << "after " << i + 1 << " failures";
  }
  EXPECT_EQ(b.failure_rate(at(1_s)), 100.0);
  call(b, at(1_s), true);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, CountBasedWindowKeepsOnlyTheLastWindowSizeCalls) {
  CircuitBreaker b(small_config());
  for (int i = 0; i < 4; ++i) call(b, at(1_s), true);
  for (int i = 0; i < 6; ++i) call(b, at(2_s), false);
  EXPECT_EQ(b.failure_rate(at(2_s)), 40.0);
  call(b, at(3_s), false);  // the oldest failure slides out
  EXPECT_EQ(b.calls_in_window(at(3_s)), 10u);
  EXPECT_EQ(b.failure_rate(at(3_s)), 30.0);
  for (int i = 0; i < 3; ++i) call(b, at(4_s), false);
  EXPECT_EQ(b.failure_rate(at(4_s)), 0.0);
  for (int i = 0; i < 4; ++i) call(b, at(5_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);  // 4 of 10
  call(b, at(6_s), true);
  EXPECT_EQ(b.state(), BreakerState::kOpen);  // 5 of 10
}

TEST(CircuitBreaker, SlowCallRateOpensItWithoutAnyFailure) {
  CircuitBreaker b(small_config());
  for (int i = 0; i < 6; ++i) call(b, at(1_s), false, 1_s);  // exactly the threshold: not slow
  for (int i = 0; i < 4; ++i) call(b, at(1_s), false, 1_s + 1_ns);
  EXPECT_EQ(b.slow_call_rate(at(1_s)), 40.0);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  call(b, at(1_s), false, 5_s);  // replaces a fast call: 5 of 10 slow
  EXPECT_EQ(b.slow_call_rate(at(1_s)), 50.0);
  EXPECT_EQ(b.failure_rate(at(1_s)), 0.0);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, SlowFailuresCountForBothRates) {
  CircuitBreakerConfig c = small_config();
  c.failure_rate_threshold = 100.0;
  c.slow_call_rate_threshold = 100.0;
  CircuitBreaker b(c);
  for (int i = 0; i < 9; ++i) call(b, at(1_s), true, 2_s);
  call(b, at(1_s), false, 2_s);
  EXPECT_EQ(b.failure_rate(at(1_s)), 90.0);
  EXPECT_EQ(b.slow_call_rate(at(1_s)), 100.0);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, MinimumCallsAboveACountWindowIsClampedToTheWindowAsInResilience4j) {
  // Resilience4j: minimumNumberOfCalls = min(minimumNumberOfCalls, slidingWindowSize) for a
  // count-based window; otherwise a window of 10 with the default minimum of 100 never opens.
  CircuitBreakerConfig c = small_config();
  c.minimum_calls = 100;
  CircuitBreaker b(c);
  for (int i = 0; i < 9; ++i) call(b, at(1_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  call(b, at(1_s), true);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, RatesAreZeroOnAnEmptyWindow) {
  CircuitBreaker b(small_config());
  EXPECT_EQ(b.calls_in_window(at(0_s)), 0u);
  EXPECT_EQ(b.failure_rate(at(0_s)), 0.0);
  EXPECT_EQ(b.slow_call_rate(at(0_s)), 0.0);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

// ---- Open ----

TEST(CircuitBreaker, OpenRejectsUntilOpenUntilThenTheFirstTryMovesToHalfOpen) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(10_s));
  EXPECT_EQ(b.open_until(), at(40_s));
  EXPECT_FALSE(b.try_acquire(at(10_s)));
  EXPECT_FALSE(b.try_acquire(at(39_s)));
  EXPECT_FALSE(b.try_acquire(at(40_s) - 1_ns));
  EXPECT_EQ(b.state(), BreakerState::kOpen);  // time alone does not change the state
  EXPECT_TRUE(b.try_acquire(at(40_s)));
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST(CircuitBreaker, RejectionsAreNotFailures) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(1_s));
  const std::uint32_t calls = b.calls_in_window(at(1_s));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(b.try_acquire(at(2_s)));
  EXPECT_EQ(b.calls_in_window(at(2_s)), calls);
  EXPECT_EQ(b.open_until(), at(31_s));  // rejections do not extend the open period
}

TEST(CircuitBreaker, ResultsOfCallsAdmittedBeforeItOpenedAreIgnored) {
  CircuitBreaker b(small_config());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.try_acquire(at(1_s)));  // in flight
  open_with_failures(b, at(2_s));
  for (int i = 0; i < 3; ++i) b.on_result(at(3_s), false, 10_ms);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.open_until(), at(32_s));
  // And they do not count as probes once it is half-open.
  ASSERT_TRUE(b.try_acquire(at(32_s)));
  EXPECT_TRUE(b.try_acquire(at(32_s)));
  EXPECT_TRUE(b.try_acquire(at(32_s)));
  EXPECT_FALSE(b.try_acquire(at(32_s)));
}

// ---- Half-open ----

TEST(CircuitBreaker, HalfOpenAdmitsExactlyTheProbeCountAndRejectsMoreWhileTheyAreOut) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(0_s));
  EXPECT_TRUE(b.try_acquire(at(30_s)));
  EXPECT_TRUE(b.try_acquire(at(30_s)));
  EXPECT_TRUE(b.try_acquire(at(31_s)));
  EXPECT_FALSE(b.try_acquire(at(31_s)));
  b.on_result(at(32_s), false, 10_ms);  // one probe back: the other two are still out
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  EXPECT_FALSE(b.try_acquire(at(32_s)));  // three probes in total, not three at a time
  b.on_result(at(33_s), false, 10_ms);
  EXPECT_FALSE(b.try_acquire(at(33_s)));
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST(CircuitBreaker, AllProbesSucceedingCloseItWithAFreshWindow) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(0_s));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.try_acquire(at(30_s)));
  b.on_result(at(31_s), false, 10_ms);
  b.on_result(at(31_s), false, 10_ms);
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  b.on_result(at(32_s), false, 10_ms);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_EQ(b.calls_in_window(at(32_s)), 0u);  // the ten failures are forgotten
  EXPECT_EQ(b.failure_rate(at(32_s)), 0.0);
  // A fresh window needs the minimum number of calls again.
  for (int i = 0; i < 9; ++i) call(b, at(33_s), true);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  call(b, at(33_s), true);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, ProbesFailingAtTheThresholdReopenItWithANewOpenPeriod) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(0_s));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.try_acquire(at(30_s)));
  b.on_result(at(31_s), true, 10_ms);
  b.on_result(at(32_s), false, 10_ms);
  b.on_result(at(35_s), true, 10_ms);  // 2 of 3 failed: 66.7% >= 50%
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.open_until(), at(65_s));  // from the moment it reopened
  EXPECT_FALSE(b.try_acquire(at(64_s)));
  EXPECT_TRUE(b.try_acquire(at(65_s)));
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST(CircuitBreaker, ProbesBelowTheThresholdCloseIt) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(0_s));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.try_acquire(at(30_s)));
  b.on_result(at(31_s), true, 10_ms);  // 1 of 3 = 33% < 50%
  b.on_result(at(31_s), false, 10_ms);
  b.on_result(at(31_s), false, 10_ms);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST(CircuitBreaker, HalfOpenThresholdIsInclusiveToo) {
  CircuitBreakerConfig c = small_config();
  c.half_open_calls = 4;
  CircuitBreaker b(c);
  open_with_failures(b, at(0_s));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(b.try_acquire(at(30_s)));
  b.on_result(at(31_s), true, 10_ms);
  b.on_result(at(31_s), true, 10_ms);
  b.on_result(at(31_s), false, 10_ms);
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);  // decided only once all four are back
  b.on_result(at(31_s), false, 10_ms);            // 2 of 4 = 50%
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, SlowProbesReopenIt) {
  CircuitBreaker b(small_config());
  open_with_failures(b, at(0_s));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.try_acquire(at(30_s)));
  b.on_result(at(31_s), false, 2_s);
  b.on_result(at(31_s), false, 2_s);
  b.on_result(at(31_s), false, 10_ms);  // no failures, but 2 of 3 slow
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

// ---- Time-based window ----

CircuitBreakerConfig time_config() {
  CircuitBreakerConfig c = small_config();
  c.window = CircuitBreakerConfig::Window::kTimeBased;
  c.window_size = 10;  // seconds
  c.minimum_calls = 4;
  return c;
}

TEST(CircuitBreaker, TimeBasedWindowForgetsOutcomesOlderThanWindowSizeSeconds) {
  CircuitBreaker b(time_config());
  call(b, at(500_ms), true);
  call(b, at(500_ms), true);
  call(b, at(3_s), false);
  // The window is the current second and the nine before it.
  EXPECT_EQ(b.calls_in_window(at(9_s + 999_ms)), 3u);
  EXPECT_EQ(b.calls_in_window(at(10_s)), 1u);  // second 0 has left the window
  EXPECT_EQ(b.failure_rate(at(10_s)), 0.0);
  EXPECT_EQ(b.calls_in_window(at(12_s + 999_ms)), 1u);
  EXPECT_EQ(b.calls_in_window(at(13_s)), 0u);
  EXPECT_EQ(b.calls_in_window(at(1000_s)), 0u);
}

TEST(CircuitBreaker, TimeBasedWindowOpensOnlyOnFailuresWithinTheWindow) {
  CircuitBreaker forgetting(time_config());
  call(forgetting, at(0_s), true);
  call(forgetting, at(0_s), true);
  call(forgetting, at(10_s), true);
  call(forgetting, at(10_s), true);  // the first two are 10 s old: only 2 calls count
  EXPECT_EQ(forgetting.state(), BreakerState::kClosed);
  EXPECT_EQ(forgetting.calls_in_window(at(10_s)), 2u);

  CircuitBreaker remembering(time_config());
  call(remembering, at(0_s), true);
  call(remembering, at(0_s), true);
  call(remembering, at(9_s + 999_ms), true);
  call(remembering, at(9_s + 999_ms), true);  // 4 failures within one window
  EXPECT_EQ(remembering.state(), BreakerState::kOpen);
}

TEST(CircuitBreaker, TimeBasedWindowSurvivesBucketReuseAcrossManyWindows) {
  CircuitBreaker b(time_config());
  // One success per second for 95 s: the ring of 10 buckets is reused many times.
  for (int s = 0; s < 95; ++s) call(b, at(Duration::seconds(s) + 100_ms), false);
  EXPECT_EQ(b.calls_in_window(at(94_s + 500_ms)), 10u);
  // Skip 3 s, then fail 4 times: 7 successes of seconds 88..94 remain.
  for (int i = 0; i < 4; ++i) call(b, at(97_s), true);
  EXPECT_EQ(b.calls_in_window(at(97_s)), 11u);
  EXPECT_NEAR(b.failure_rate(at(97_s)), 100.0 * 4 / 11, 1e-12);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  for (int i = 0; i < 3; ++i) call(b, at(97_s), true);  // 7 of 14 = 50%
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

// ---- Observers and configuration ----

TEST(CircuitBreaker, OnTransitionSeesEveryChangeInOrder) {
  CircuitBreaker b(small_config());
  std::vector<Transition> log;
  b.on_transition = [&log](BreakerState from, BreakerState to, Time t) {
    log.push_back({from, to, t});
  };
  open_with_failures(b, at(1_s));        // closed -> open at 1 s
  ASSERT_TRUE(b.try_acquire(at(31_s)));  // open -> half-open at 31 s
  ASSERT_TRUE(b.try_acquire(at(31_s)));
  ASSERT_TRUE(b.try_acquire(at(31_s)));
  for (int i = 0; i < 3; ++i) b.on_result(at(32_s), true, 10_ms);  // half-open -> open at 32 s
  ASSERT_TRUE(b.try_acquire(at(62_s)));                            // open -> half-open at 62 s
  ASSERT_TRUE(b.try_acquire(at(62_s)));
  ASSERT_TRUE(b.try_acquire(at(62_s)));
  for (int i = 0; i < 3; ++i) b.on_result(at(63_s), false, 10_ms);  // half-open -> closed
  using S = BreakerState;
  const std::vector<Transition> expected = {{S::kClosed, S::kOpen, at(1_s)},
                                            {S::kOpen, S::kHalfOpen, at(31_s)},
                                            {S::kHalfOpen, S::kOpen, at(32_s)},
                                            {S::kOpen, S::kHalfOpen, at(62_s)},
                                            {S::kHalfOpen, S::kClosed, at(63_s)}};
  EXPECT_EQ(log, expected);
}

TEST(CircuitBreaker, InvalidConfigurationsThrow) {
  CircuitBreakerConfig no_window = small_config();
  no_window.window_size = 0;
  EXPECT_THROW(CircuitBreaker{no_window}, std::invalid_argument);
  CircuitBreakerConfig no_probes = small_config();
  no_probes.half_open_calls = 0;
  EXPECT_THROW(CircuitBreaker{no_probes}, std::invalid_argument);
}

TEST(CircuitBreaker, StateNamesAreStable) {
  EXPECT_EQ(to_string(BreakerState::kClosed), "closed");
  EXPECT_EQ(to_string(BreakerState::kOpen), "open");
  EXPECT_EQ(to_string(BreakerState::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace orchsim::orchestration::circuit_breaker_test
