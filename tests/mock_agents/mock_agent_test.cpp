#include "mock_agents/mock_agent.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "mock_agents/quality_model.hpp"
#include "tests/mock_agents/test_listener.hpp"

namespace orchsim::mock_agents::mock_agent_test {
namespace {

using namespace sim::literals;
using testing::RecordingListener;

MockAgentConfig fixed_latency_agent(std::uint32_t servers = 1, double ms = 100) {
  MockAgentConfig c;
  c.name = "agent";
  c.role = "tool";
  c.servers = servers;
  c.latency.base_ms = sim::Distribution::constant(ms);
  return c;
}

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

TEST(MockAgent, TokenTimeIsExact) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(1, 10);
  c.latency.time_to_first_token_ms = sim::Distribution::constant(200);
  c.latency.output_tokens_per_second = 50;      // 100 tokens -> 2 s
  c.latency.prefill_ms_per_input_token = 0.01;  // 1000 tokens -> 10 ms
  c.tokens.output_tokens = sim::Distribution::constant(100);
  c.tokens.usd_per_1k_input_tokens = 0.5;
  c.tokens.usd_per_1k_output_tokens = 2.0;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  agent.submit({.request_id = 1, .input_tokens = 1000}, l, 7);
  sim.run();
  ASSERT_EQ(l.finished.size(), 1u);
  const CallOutcome& o = l.finished[0].outcome;
  EXPECT_EQ(l.finished[0].tag, 7u);
  EXPECT_EQ(o.status, CallStatus::kSuccess);
  EXPECT_EQ(o.finished - o.service_started, 10_ms + 200_ms + 2_s + 10_ms);
  EXPECT_EQ(o.input_tokens, 1000);
  EXPECT_EQ(o.output_tokens, 100);
  EXPECT_DOUBLE_EQ(o.cost_usd, 1.0 * 0.5 + 0.1 * 2.0);
}

TEST(MockAgent, FifoQueueAndServers) {
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(1), fixed_latency_agent(2, 100));
  RecordingListener l;
  for (std::uint64_t i = 0; i < 5; ++i) agent.submit({.request_id = i}, l, i);
  EXPECT_EQ(agent.in_service(), 2u);
  EXPECT_EQ(agent.queued(), 3u);
  sim.run();
  ASSERT_EQ(l.finished.size(), 5u);
  // Two at a time, in arrival order: 100, 100, 200, 200, 300 ms.
  const sim::Duration expected[] = {100_ms, 100_ms, 200_ms, 200_ms, 300_ms};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(l.finished[i].tag, static_cast<std::uint64_t>(i));
    EXPECT_EQ(l.finished[i].outcome.finished, at(expected[i]));
  }
  EXPECT_EQ(l.finished[4].outcome.queue_wait(), 200_ms);
}

TEST(MockAgent, RejectionsArriveAfterSubmitReturnsAtTheSameInstant) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(1, 100);
  c.context_window_tokens = 1000;
  c.queue_capacity = 1;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  agent.submit({.request_id = 1, .input_tokens = 1001}, l, 1);  // too big
  EXPECT_TRUE(l.finished.empty());                              // not re-entrant
  agent.submit({.request_id = 2}, l, 2);                        // served
  agent.submit({.request_id = 3}, l, 3);                        // queued (capacity 1)
  agent.submit({.request_id = 4}, l, 4);                        // queue full
  sim.run_until(sim::Time::zero());
  ASSERT_EQ(l.finished.size(), 2u);
  EXPECT_EQ(l.finished[0].outcome.error, ErrorKind::kContextOverflow);
  EXPECT_EQ(l.finished[1].outcome.error, ErrorKind::kOverloaded);
  EXPECT_EQ(l.finished[1].tag, 4u);
  EXPECT_EQ(l.finished[1].outcome.finished, sim::Time::zero());
  EXPECT_FALSE(is_retryable(ErrorKind::kContextOverflow));
  EXPECT_TRUE(is_retryable(ErrorKind::kOverloaded));
}

TEST(MockAgent, BulkheadLimitsEachCallerSeparately) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(10, 100);
  c.bulkhead_per_caller = 2;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  for (std::uint64_t i = 0; i < 3; ++i) agent.submit({.request_id = i, .caller = 0}, l, i);
  for (std::uint64_t i = 3; i < 5; ++i) agent.submit({.request_id = i, .caller = 1}, l, i);
  sim.run();
  int overloaded = 0;
  for (const auto& f : l.finished) overloaded += f.outcome.error == ErrorKind::kOverloaded;
  EXPECT_EQ(overloaded, 1);
  // The slot is released when a call ends: caller 0 can call again.
  agent.submit({.request_id = 9, .caller = 0}, l, 9);
  sim.run();
  EXPECT_EQ(l.finished.back().outcome.status, CallStatus::kSuccess);
}

TEST(MockAgent, CancellingAQueuedCallFreesItsSlot) {
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(1), fixed_latency_agent(1, 100));
  RecordingListener l;
  agent.submit({.request_id = 1}, l, 1);
  const CallId queued = agent.submit({.request_id = 2}, l, 2);
  agent.submit({.request_id = 3}, l, 3);
  EXPECT_EQ(agent.queued(), 2u);
  const auto c = agent.cancel(queued);
  EXPECT_TRUE(c.was_active);
  EXPECT_FALSE(c.was_in_service);
  EXPECT_EQ(c.cost_usd, 0.0);
  EXPECT_EQ(agent.queued(), 1u);
  sim.run();
  ASSERT_EQ(l.finished.size(), 2u);  // the cancelled call never reports
  EXPECT_EQ(l.finished[1].tag, 3u);
  EXPECT_EQ(l.finished[1].outcome.finished, at(200_ms));  // took the freed place
  EXPECT_FALSE(agent.cancel(queued).was_active);          // twice: no effect
}

TEST(MockAgent, CancellationReportsHowLongTheCallQueued) {
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(1), fixed_latency_agent(1, 100));
  RecordingListener l;
  agent.submit({.request_id = 1}, l, 1);                        // serves 0-100 ms
  const CallId second = agent.submit({.request_id = 2}, l, 2);  // queued, serves 100-200 ms
  const CallId third = agent.submit({.request_id = 3}, l, 3);   // queued behind it
  sim.run_until(at(150_ms));
  // Still queued at 150 ms: it has waited all of it.
  EXPECT_EQ(agent.cancel(third).queue_wait, 150_ms);
  // In service since 100 ms: it waited 100 ms, however long it has run since.
  const auto in_service = agent.cancel(second);
  EXPECT_TRUE(in_service.was_in_service);
  EXPECT_EQ(in_service.queue_wait, 100_ms);
}

TEST(MockAgent, CancellingInServiceFreesTheServerAndBillsWorkDone) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(1, 0);
  c.latency.output_tokens_per_second = 100;  // 1000 tokens: 10 s
  c.tokens.output_tokens = sim::Distribution::constant(1000);
  c.tokens.usd_per_1k_input_tokens = 1.0;
  c.tokens.usd_per_1k_output_tokens = 10.0;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  const CallId first = agent.submit({.request_id = 1, .input_tokens = 500}, l, 1);
  agent.submit({.request_id = 2, .input_tokens = 500}, l, 2);
  sim.run_until(at(4_s));  // 40% through the first call's generation
  const auto cancelled = agent.cancel(first);
  EXPECT_TRUE(cancelled.was_in_service);
  EXPECT_EQ(cancelled.input_tokens, 500);
  EXPECT_EQ(cancelled.output_tokens, 400);
  EXPECT_DOUBLE_EQ(cancelled.cost_usd, 0.5 + 4.0);
  EXPECT_EQ(agent.in_service(), 1u);  // the second call started at once
  sim.run();
  ASSERT_EQ(l.finished.size(), 1u);
  EXPECT_EQ(l.finished[0].tag, 2u);
  EXPECT_EQ(l.finished[0].outcome.finished, at(14_s));
  EXPECT_EQ(agent.stats().cancelled_in_service, 1u);
}

TEST(MockAgent, AHangEndsOnlyByCancellation) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(1, 100);
  c.outcomes.hang = 1.0;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  const CallId id = agent.submit({.request_id = 1, .input_tokens = 10}, l, 1);
  sim.run();
  EXPECT_TRUE(l.finished.empty());
  EXPECT_EQ(agent.in_service(), 1u);
  sim.run_until(at(30_s));
  const auto cancelled = agent.cancel(id);
  EXPECT_TRUE(cancelled.was_in_service);
  EXPECT_EQ(cancelled.output_tokens, 0);
  EXPECT_EQ(agent.in_service(), 0u);
}

TEST(MockAgent, OutcomeFrequenciesFollowTheConfiguredRates) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(1'000'000, 10);
  c.outcomes.transient_error = 0.10;
  c.outcomes.permanent_error = 0.05;
  c.outcomes.rate_limited = 0.02;
  c.outcomes.silent_failure = 0.08;
  MockAgent agent(sim, sim::RandomSource(5), c);
  RecordingListener l;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) agent.submit({.request_id = static_cast<std::uint64_t>(i)}, l, 0);
  sim.run();
  std::map<ErrorKind, int> errors;
  int silent = 0;
  for (const auto& f : l.finished) {
    if (f.outcome.status == CallStatus::kError) ++errors[f.outcome.error];
    silent += f.outcome.silent;
  }
  const auto near = [](int count, double p) {  // n is a constant: nothing to capture
    return std::abs(count - n * p) < 5 * std::sqrt(n * p * (1 - p));
  };
  EXPECT_TRUE(near(errors[ErrorKind::kTransient], 0.10)) << errors[ErrorKind::kTransient];
  EXPECT_TRUE(near(errors[ErrorKind::kPermanent], 0.05));
  EXPECT_TRUE(near(errors[ErrorKind::kRateLimited], 0.02));
  EXPECT_TRUE(near(silent, 0.08)) << silent;
  // Errors arrive after a quarter of the service time; a spontaneous 429 carries retry-after.
  for (const auto& f : l.finished) {
    if (f.outcome.error == ErrorKind::kTransient) {
      EXPECT_EQ(f.outcome.finished - f.outcome.service_started, 2500_us);
    }
    if (f.outcome.error == ErrorKind::kRateLimited) {
      EXPECT_EQ(f.outcome.retry_after, 1_s);
    }
    if (f.outcome.silent) {
      EXPECT_LE(f.outcome.quality, 0.2);
    }
  }
}

// Common random numbers: the world a request meets does not depend on the
// order in which calls happen.
TEST(MockAgent, SameRequestAndAttemptMeetTheSameWorldInAnyOrder) {
  MockAgentConfig c;
  c.name = "generator";
  c.servers = 1000;  // no queueing, so only the keyed draws matter
  c.latency.base_ms = sim::Distribution::lognormal_from_median_p99(100, 1000);
  c.latency.output_tokens_per_second = 50;
  c.tokens.output_tokens = sim::Distribution::lognormal_from_median_p99(200, 800);
  c.outcomes.transient_error = 0.2;
  c.outcomes.silent_failure = 0.1;
  c.labels = {"a", "b", "c"};
  c.label_weights = {1, 2, 3};
  const auto run = [&c](bool reversed) {
    sim::Simulation sim;
    MockAgent agent(sim, sim::RandomSource(77), c);
    RecordingListener l;
    for (int k = 0; k < 200; ++k) {
      const int i = reversed ? 199 - k : k;
      sim.schedule_at(at(sim::Duration::milliseconds(k)), [&agent, &l, i] {
        agent.submit({.request_id = static_cast<std::uint64_t>(i / 2),
                      .attempt = static_cast<std::uint32_t>(i % 2),
                      .difficulty = 0.3},
                     l, static_cast<std::uint64_t>(i));
      });
    }
    sim.run();
    std::map<std::uint64_t, CallOutcome> by_tag;
    for (const auto& f : l.finished) by_tag[f.tag] = f.outcome;
    return by_tag;
  };
  const auto forward = run(false), backward = run(true);
  ASSERT_EQ(forward.size(), 200u);
  int differing_attempts = 0;
  for (const auto& [tag, a] : forward) {
    const CallOutcome& b = backward.at(tag);
    EXPECT_EQ(a.finished - a.service_started, b.finished - b.service_started);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.silent, b.silent);
    EXPECT_EQ(a.quality, b.quality);
    EXPECT_EQ(a.output_tokens, b.output_tokens);
    EXPECT_EQ(a.label, b.label);
    if (tag % 2 == 0) {
      const CallOutcome& retry = forward.at(tag + 1);
      differing_attempts +=
          a.finished - a.service_started != retry.finished - retry.service_started;
    }
  }
  EXPECT_GT(differing_attempts, 90);  // a retry is a fresh draw, not a replay
}

// The documented key of a call's stream, for small attempt and variant numbers
// (whose key halves the agent precomputes) and larger ones alike.
TEST(MockAgent, CallDrawsComeFromTheDocumentedStreamKey) {
  MockAgentConfig c = fixed_latency_agent(1000, 1);
  c.tokens.output_tokens = sim::Distribution::lognormal_from_median_p99(200, 800);
  const sim::RandomSource rng(31);
  sim::Simulation sim;
  MockAgent agent(sim, rng, c);
  RecordingListener l;
  std::map<std::uint64_t, std::int64_t> expected;
  std::uint64_t tag = 0;
  for (std::uint32_t attempt = 0; attempt < 7; ++attempt) {
    for (std::uint32_t variant = 0; variant < 7; ++variant, ++tag) {
      // Odd tags use request ids past 2^32, whose high word keys the family.
      const std::uint32_t high = tag % 2 == 1 ? static_cast<std::uint32_t>(tag) : 0;
      const std::uint64_t request_id = (std::uint64_t{high} << 32) + 1000 + tag;
      agent.submit({.request_id = request_id, .attempt = attempt, .variant = variant}, l, tag);
      const sim::StreamFamily family =
          high == 0 ? rng.family("call", "agent") : rng.family("call", "agent", high);
      sim::RandomStream s = family.stream(static_cast<std::uint32_t>(request_id), attempt, variant);
      s.uniform01();        // outcome
      s.uniform01();        // degraded-window error
      s.standard_normal();  // quality noise
      s.uniform01();        // silent-failure quality
      s.uniform01();        // judge verdict
      expected[tag] = std::max<std::int64_t>(0, std::llround(c.tokens.output_tokens.sample(s)));
    }
  }
  sim.run();
  ASSERT_EQ(l.finished.size(), expected.size());
  for (const auto& f : l.finished) EXPECT_EQ(f.outcome.output_tokens, expected.at(f.tag)) << f.tag;
}

TEST(QualityModel, HarderRequestsAndMoreTruncationNeverRaiseQuality) {
  QualityModel m;
  m.noise_sd = 0.1;
  for (double z : {-2.0, -0.5, 0.0, 0.7, 2.5}) {
    for (double input : {0.3, 0.8, 1.0}) {
      double previous = 2.0;
      for (double d = 0.0; d <= 1.0001; d += 0.05) {
        const double q = quality_with_noise(m, quality_mean(m, d, input, 1.0), z);
        EXPECT_LE(q, previous) << "difficulty " << d;
        previous = q;
      }
      previous = -1.0;
      for (double kept = 0.0; kept <= 1.0001; kept += 0.05) {
        const double q = quality_with_noise(m, quality_mean(m, 0.4, input, kept), z);
        EXPECT_GE(q, previous) << "retained " << kept;
        previous = q;
      }
    }
  }
  // The formula itself, at one point: clamp(0.9 - 0.5*0.4) * 0.8^1 * 0.5^1 = 0.28.
  EXPECT_DOUBLE_EQ(quality_mean(QualityModel{}, 0.4, 0.8, 0.5), 0.7 * 0.8 * 0.5);
}

TEST(QualityModel, ExpectedQualityThroughTheAgentFallsWithDifficulty) {
  MockAgentConfig c = fixed_latency_agent(100'000, 1);
  c.quality.noise_sd = 0.15;
  double previous = 2.0;
  for (double difficulty : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    sim::Simulation sim;
    MockAgent agent(sim, sim::RandomSource(3), c);
    RecordingListener l;
    for (std::uint64_t i = 0; i < 5000; ++i) {
      agent.submit({.request_id = i, .difficulty = difficulty, .context_retained = 0.9}, l, i);
    }
    sim.run();
    double sum = 0;
    for (const auto& f : l.finished) sum += f.outcome.quality;
    const double mean = sum / 5000;
    EXPECT_LE(mean, previous);
    previous = mean;
  }
}

TEST(MockAgent, JudgeVerdictIsRightWithTheConfiguredAccuracy) {
  MockAgentConfig c = fixed_latency_agent(100'000, 1);
  c.role = "judge";
  c.judge = {.enabled = true, .accuracy = 0.85, .pass_threshold = 0.6};
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(8), c);
  RecordingListener l;
  const int n = 20'000;
  for (int i = 0; i < n; ++i) {
    agent.submit(
        {.request_id = static_cast<std::uint64_t>(i), .judged_quality = (i % 2) ? 0.9 : 0.3}, l,
        static_cast<std::uint64_t>(i));
  }
  sim.run();
  int correct = 0;
  for (const auto& f : l.finished) correct += f.outcome.verdict_pass == (f.tag % 2 == 1);
  EXPECT_NEAR(static_cast<double>(correct) / n, 0.85, 0.01);
}

TEST(MockAgent, LoadDependentSlowdown) {
  sim::Simulation sim;
  MockAgentConfig c = fixed_latency_agent(2, 100);
  c.latency.slowdown_alpha = 1.0;
  c.latency.slowdown_beta = 1.0;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  agent.submit({.request_id = 1}, l, 1);  // u = 1/2: x1.5
  agent.submit({.request_id = 2}, l, 2);  // u = 2/2: x2
  sim.run();
  EXPECT_EQ(l.finished[0].outcome.finished, at(150_ms));
  EXPECT_EQ(l.finished[1].outcome.finished, at(200_ms));
}

TEST(MockAgentConfig, ValidationNamesEveryBadField) {
  MockAgentConfig c;
  c.name = "x";
  c.servers = 0;
  c.outcomes.transient_error = 0.7;
  c.outcomes.permanent_error = 0.6;
  c.quality.base = 1.5;
  c.labels = {"a"};
  c.latency.base_ms = sim::Distribution::normal(10, 5);
  const auto problems = c.validate();
  const auto mentions = [&problems](const std::string& field) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.rfind(field, 0) == 0; });
  };
  EXPECT_TRUE(mentions("servers: found 0"));
  EXPECT_TRUE(mentions("outcomes: found rates summing to 1.3"));
  EXPECT_TRUE(mentions("quality.base: found 1.5"));
  EXPECT_TRUE(mentions("label_weights"));
  EXPECT_TRUE(mentions("latency.base_ms"));
  EXPECT_EQ(problems.size(), 5u);
  sim::Simulation sim;
  EXPECT_THROW(MockAgent(sim, sim::RandomSource(1), c), std::invalid_argument);
}

}  // namespace
}  // namespace orchsim::mock_agents::mock_agent_test
