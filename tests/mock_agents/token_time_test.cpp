// The token-time terms that calibration needs: time to first token as a
// per-call distribution, a per-call inter-token time, the first token's
// instant in the outcome, and a replayed request's own output-token count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "tests/mock_agents/test_listener.hpp"

namespace orchsim::mock_agents::token_time_test {
namespace {

using namespace sim::literals;
using testing::RecordingListener;

MockAgentConfig token_agent() {
  MockAgentConfig c;
  c.name = "llm";
  c.role = "generator";
  c.servers = 1000;
  c.latency.base_ms = sim::Distribution::constant(10);
  c.latency.time_to_first_token_ms = sim::Distribution::constant(200);
  c.latency.prefill_ms_per_input_token = 0.01;
  c.latency.inter_token_ms = sim::Distribution::constant(10);
  c.tokens.output_tokens = sim::Distribution::constant(100);
  return c;
}

TEST(TokenTime, FirstTokenIsTheWorkBeforeDecodeAndDecodeIsPerToken) {
  sim::Simulation sim;
  MockAgent agent(sim, sim::RandomSource(1), token_agent());
  RecordingListener l;
  agent.submit({.request_id = 1, .input_tokens = 1000}, l, 0);
  sim.run();
  ASSERT_EQ(l.finished.size(), 1u);
  const CallOutcome& o = l.finished[0].outcome;
  // 10 base + 200 TTFT + 1000 x 0.01 prefill, then 100 tokens x 10 ms.
  EXPECT_EQ(o.first_token - o.service_started, 220_ms);
  EXPECT_EQ(o.finished - o.first_token, 1_s);
}

TEST(TokenTime, SlowdownScalesTheFirstTokenToo) {
  sim::Simulation sim;
  MockAgentConfig c = token_agent();
  c.servers = 1;
  c.latency.slowdown_alpha = 1.0;  // one busy server of one: x2
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  agent.submit({.request_id = 1, .input_tokens = 1000}, l, 0);
  sim.run();
  const CallOutcome& o = l.finished.at(0).outcome;
  EXPECT_EQ(o.first_token - o.service_started, 440_ms);
  EXPECT_EQ(o.finished - o.service_started, 2440_ms);
}

TEST(TokenTime, TimeToFirstTokenIsDrawnPerCallFromItsDistribution) {
  sim::Simulation sim;
  MockAgentConfig c = token_agent();
  c.latency.base_ms = sim::Distribution::constant(0);
  c.latency.prefill_ms_per_input_token = 0;
  const sim::Distribution ttft = sim::Distribution::gamma(3.0, 50.0);
  c.latency.time_to_first_token_ms = ttft;
  MockAgent agent(sim, sim::RandomSource(3), c);
  RecordingListener l;
  constexpr int kCalls = 20000;
  for (int i = 0; i < kCalls; ++i)
    agent.submit({.request_id = static_cast<std::uint64_t>(i)}, l, 0);
  sim.run();
  std::vector<double> first;
  for (const auto& f : l.finished)
    first.push_back((f.outcome.first_token - f.outcome.service_started).milliseconds_f());
  std::sort(first.begin(), first.end());
  // Kolmogorov-Smirnov against the configured distribution: the 99.9% critical
  // value for n = 20000 is 1.95 / sqrt(n) = 0.0138.
  double d = 0.0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    const double f = ttft.cdf(first[i]);
    d = std::max({d, std::fabs(f - static_cast<double>(i) / kCalls),
                  std::fabs(static_cast<double>(i + 1) / kCalls - f)});
  }
  EXPECT_LT(d, 1.95 / std::sqrt(double{kCalls}));
}

TEST(TokenTime, AnErrorsFirstTokenIsItsEnd) {
  sim::Simulation sim;
  MockAgentConfig c = token_agent();
  c.outcomes.transient_error = 1.0;
  MockAgent agent(sim, sim::RandomSource(1), c);
  RecordingListener l;
  agent.submit({.request_id = 1}, l, 0);
  sim.run();
  const CallOutcome& o = l.finished.at(0).outcome;
  EXPECT_EQ(o.status, CallStatus::kError);
  EXPECT_EQ(o.first_token, o.finished);
}

TEST(TokenTime, GivingBothDecodeSpeedsIsAProblem) {
  MockAgentConfig c = token_agent();
  c.latency.output_tokens_per_second = 50;
  const auto problems = c.validate();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("latency.inter_token_ms"), std::string::npos) << problems[0];
  c.latency.inter_token_ms = sim::Distribution::constant(0);
  EXPECT_TRUE(c.validate().empty());
}

TEST(TokenTime, NegativeTimeToFirstTokenDistributionIsAProblem) {
  MockAgentConfig c = token_agent();
  c.latency.time_to_first_token_ms = sim::Distribution::normal(0, 10);
  const auto problems = c.validate();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("latency.time_to_first_token_ms"), std::string::npos);
}

TEST(TokenTime, RequestOutputTokensAreProducedExactlyWhenAsked) {
  for (const bool from_request : {false, true}) {
    sim::Simulation sim;
    MockAgentConfig c = token_agent();
    c.tokens.output_tokens = sim::Distribution::lognormal(5, 0.5);
    c.tokens.output_tokens_from_request = from_request;
    MockAgent agent(sim, sim::RandomSource(9), c);
    RecordingListener l;
    agent.submit({.request_id = 1, .output_tokens = 37}, l, 0);
    agent.submit({.request_id = 2}, l, 1);  // no count of its own: drawn
    sim.run();
    ASSERT_EQ(l.finished.size(), 2u);
    for (const auto& f : l.finished) {
      if (f.tag == 0) {
        if (from_request) {
          EXPECT_EQ(f.outcome.output_tokens, 37);
          EXPECT_EQ(f.outcome.finished - f.outcome.first_token, 370_ms);
        } else {
          EXPECT_NE(f.outcome.output_tokens, 37);
        }
      }
    }
  }
}

TEST(TokenTime, UsingTheRequestsCountMovesNoOtherDraw) {
  // Common random numbers: quality noise, confidence and label of the same
  // call are the same whether its token count is drawn or replayed.
  CallOutcome drawn, replayed;
  for (const bool from_request : {false, true}) {
    sim::Simulation sim;
    MockAgentConfig c = token_agent();
    c.tokens.output_tokens = sim::Distribution::lognormal(5, 0.5);
    c.tokens.output_tokens_from_request = from_request;
    c.latency.inter_token_ms = sim::Distribution::lognormal(2, 0.3);
    MockAgent agent(sim, sim::RandomSource(5), c);
    RecordingListener l;
    agent.submit({.request_id = 4, .output_tokens = 100}, l, 0);
    sim.run();
    (from_request ? replayed : drawn) = l.finished.at(0).outcome;
  }
  EXPECT_EQ(drawn.quality, replayed.quality);
  EXPECT_EQ(drawn.confidence, replayed.confidence);
  EXPECT_EQ(drawn.first_token - drawn.service_started,
            replayed.first_token - replayed.service_started);
  EXPECT_EQ(replayed.output_tokens, 100);
}

}  // namespace
}  // namespace orchsim::mock_agents::token_time_test
