#include <gtest/gtest.h>

#include <deque>

#include "mock_agents/mock_agent.hpp"
#include "mock_agents/token_bucket.hpp"
#include "tests/mock_agents/test_listener.hpp"

namespace orchsim::mock_agents::rate_limit_test {
namespace {

using namespace sim::literals;
using testing::RecordingListener;

TEST(TokenBucket, StartsFullRefillsExactlyAndReportsTheWait) {
  TokenBucket b(60);  // one unit per second
  const sim::Time t0 = sim::Time::zero();
  EXPECT_EQ(b.try_take(t0, 60), sim::Duration::zero());
  EXPECT_EQ(b.try_take(t0, 1), 1_s);  // exactly one second until a unit is back
  EXPECT_EQ(b.try_take(t0 + 999_ms, 1), 1_ms);
  EXPECT_EQ(b.try_take(t0 + 1_s, 1), sim::Duration::zero());
  EXPECT_EQ(b.available(t0 + 1_h), 60);                       // capped at capacity
  EXPECT_EQ(b.try_take(t0 + 1_h, 61), sim::Duration::max());  // can never pass
}

// Issue 22, bug 6: level + elapsed * rate overflowed int64 after an idle gap
// for limits above ~7.7e7 per minute (inside the documented range): a limit of
// 1.5e8 per minute at one call every 2 s rejected 62 of 100 calls.
TEST(TokenBucket, LargestLimitsRefillWithoutOverflow) {
  for (const std::int64_t per_minute :
       {std::int64_t{77'000'000}, std::int64_t{100'000'000}, std::int64_t{150'000'000}}) {
    TokenBucket b(per_minute);
    for (int i = 0; i < 100; ++i) {
      const sim::Time t = sim::Time::zero() + 2_s * i;
      ASSERT_EQ(b.try_take(t, 1), sim::Duration::zero()) << per_minute << "/min, call " << i;
      EXPECT_EQ(b.available(t), per_minute - 1) << per_minute << "/min, call " << i;
    }
    // Every gap length up to a minute, from nearly empty: never above the capacity.
    TokenBucket drained(per_minute);
    ASSERT_EQ(drained.try_take(sim::Time::zero(), per_minute), sim::Duration::zero());
    for (const sim::Duration gap : {1_ns, 1_ms, 1_s, 30_s, 59_s, 1_min, 1_h}) {
      // Below a minute, gap * rate <= 6e10 * 1.5e8 = 9e18 fits an int64.
      const std::int64_t expected =
          gap >= 1_min ? per_minute : gap.count_ns() * per_minute / 60'000'000'000;
      TokenBucket probe = drained;
      EXPECT_EQ(probe.available(sim::Time::zero() + gap), expected)
          << per_minute << " " << gap.count_ns();
    }
  }
}

// Over any window of length T, a bucket of capacity C refilled at r admits at
// most C + r*T units. Checked on every window ending at an admission, over a
// long random run.
TEST(TokenBucket, IsNeverExceededOverALongRun) {
  const std::int64_t per_minute = 600;  // 10 per second
  TokenBucket b(per_minute);
  sim::RandomStream s = sim::RandomSource(4).stream("bucket");
  struct Admit {
    sim::Time t;
    std::int64_t units;
  };
  std::deque<Admit> window;  // admissions in the last minute
  std::int64_t in_window = 0, total = 0;
  sim::Time t = sim::Time::zero();
  for (int i = 0; i < 200'000; ++i) {
    t += sim::Duration::from_seconds(-std::log(s.uniform_open01()) / 25.0);  // 2.5x overload
    const auto units = static_cast<std::int64_t>(1 + s.below(3));
    const sim::Duration wait = b.try_take(t, units);
    if (wait != sim::Duration::zero()) {
      // The reported wait is exact: a unit less would not do, the wait itself would.
      TokenBucket probe = b;
      EXPECT_EQ(probe.try_take(t + wait, units), sim::Duration::zero());
      continue;
    }
    total += units;
    window.push_back({t, units});
    in_window += units;
    while (window.front().t <= t - 1_min) {
      in_window -= window.front().units;
      window.pop_front();
    }
    ASSERT_LE(in_window, 2 * per_minute) << "at " << t.seconds_f() << " s";
  }
  // Over the whole run: C + r * T.
  EXPECT_LE(total, per_minute + static_cast<std::int64_t>(t.seconds_f() * per_minute / 60.0) + 1);
  EXPECT_GT(total, static_cast<std::int64_t>(0.95 * t.seconds_f() * per_minute / 60.0));
}

TEST(MockAgentRateLimits, RejectsWithRetryAfterAndAdmitsAfterIt) {
  sim::Simulation sim;
  MockAgentConfig c;
  c.name = "provider";
  c.servers = 100;
  c.latency.base_ms = sim::Distribution::constant(10);
  c.limits.requests_per_minute = 120;  // 2 per second, burst 120
  c.limits.tokens_per_minute = 6'000;  // 100 per second
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  // A 6000-token call empties the token bucket; the next needs 100 tokens: 1 s.
  agent.submit({.request_id = 1, .input_tokens = 6000}, l, 1);
  agent.submit({.request_id = 2, .input_tokens = 100}, l, 2);
  sim.run();
  ASSERT_EQ(l.finished.size(), 2u);
  const CallOutcome& rejected = l.finished[0].outcome;  // rejected at t = 0, before the 10 ms call
  EXPECT_EQ(l.finished[0].tag, 2u);
  EXPECT_EQ(rejected.error, ErrorKind::kRateLimited);
  EXPECT_EQ(rejected.retry_after, 1_s);
  // Neither bucket was charged for the rejected call: after the wait it passes.
  sim.schedule_at(sim::Time::zero() + rejected.retry_after, [&] {
    agent.submit({.request_id = 2, .attempt = 1, .input_tokens = 100}, l, 3);
  });
  sim.run();
  EXPECT_EQ(l.finished.back().tag, 3u);
  EXPECT_EQ(l.finished.back().outcome.status, CallStatus::kSuccess);
}

TEST(MockAgentRateLimits, AdmittedRequestsNeverExceedTheLimitOverALongRun) {
  sim::Simulation sim;
  MockAgentConfig c;
  c.name = "provider";
  c.servers = 1000;
  c.latency.base_ms = sim::Distribution::constant(5);
  c.limits.requests_per_minute = 300;
  MockAgent agent(sim, sim::RandomSource(2), c);
  RecordingListener l;
  sim::RandomStream s = sim::RandomSource(2).stream("load");
  sim::Time t = sim::Time::zero();
  for (std::uint64_t i = 0; i < 50'000; ++i) {
    t += sim::Duration::from_seconds(-std::log(s.uniform_open01()) / 20.0);  // 4x the limit
    sim.schedule_at(t, [&agent, &l, i] { agent.submit({.request_id = i}, l, i); });
  }
  sim.run();
  std::deque<sim::Time> last_minute;
  std::uint64_t admitted = 0;
  for (const auto& f : l.finished) {
    if (f.outcome.status != CallStatus::kSuccess) continue;
    ++admitted;
    last_minute.push_back(f.outcome.submitted);
    while (last_minute.front() <= f.outcome.submitted - 1_min) last_minute.pop_front();
    ASSERT_LE(last_minute.size(), 600u);  // capacity + one minute of refill
  }
  const double minutes = t.seconds_f() / 60.0;
  EXPECT_LE(admitted, static_cast<std::uint64_t>(300 + 300 * minutes) + 1);
  EXPECT_GE(admitted, static_cast<std::uint64_t>(0.98 * 300 * minutes));
}

}  // namespace
}  // namespace orchsim::mock_agents::rate_limit_test
