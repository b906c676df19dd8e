// DecisionContext: what a policy sees of each candidate is its agent's (by
// agent index, not position), and its random streams are keyed by the
// decision: the same decision draws the same numbers, another decision
// others, and the side stream is independent of the main one.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "orchestration/policy.hpp"
#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::decision_context_test {
namespace {

using namespace sim::literals;
using testing::DecisionFixture;

TEST(DecisionContext, CandidatesShowTheirAgentsFacts) {
  DecisionFixture f(3);
  f.candidates = {2, 0};
  f.eligible = {true, false};
  f.fakes[2].set_load(3, 4, 5);
  f.fakes[2].set_prices(0.5, 1.5);
  f.fakes[2].set_window(8'000);
  f.fakes[2].set_headroom(0.25);
  f.signals[2] = {.ewma_latency_ms = 120,
                  .ewma_confidence = 0.7,
                  .ewma_cost_usd = 0.01,
                  .ewma_error_rate = 0.1,
                  .samples = 9,
                  .outstanding = 2};
  const DecisionContext ctx = f.decision();
  ASSERT_EQ(ctx.size(), 2u);
  const Candidate c = ctx[0];
  EXPECT_EQ(c.agent(), 2u);
  EXPECT_EQ(c.name(), "a2");
  EXPECT_TRUE(c.eligible());
  EXPECT_EQ(c.breaker(), BreakerState::kClosed);  // no breakers in the scenario
  EXPECT_EQ(c.in_service(), 3u);
  EXPECT_EQ(c.queued(), 4u);
  EXPECT_EQ(c.servers(), 5u);
  EXPECT_EQ(c.in_flight(), 2u);
  EXPECT_EQ(c.ewma_latency_ms(), 120.0);
  EXPECT_EQ(c.ewma_confidence(), 0.7);
  EXPECT_EQ(c.ewma_cost_usd(), 0.01);
  EXPECT_EQ(c.ewma_error_rate(), 0.1);
  EXPECT_EQ(c.observations(), 9u);
  EXPECT_EQ(c.usd_per_1k_input_tokens(), 0.5);
  EXPECT_EQ(c.usd_per_1k_output_tokens(), 1.5);
  EXPECT_EQ(c.context_window_tokens(), 8'000);
  EXPECT_EQ(c.rate_limit_headroom(), 0.25);
  const Candidate d = ctx[1];
  EXPECT_EQ(d.agent(), 0u);
  EXPECT_EQ(d.name(), "a0");
  EXPECT_FALSE(d.eligible());
  EXPECT_EQ(d.servers(), 1u);
  EXPECT_EQ(d.observations(), 0u);
  EXPECT_EQ(d.ewma_confidence(), 1.0);  // optimistic until observed
}

TEST(DecisionContext, TimeLeftUntilTheDeadline) {
  DecisionFixture f(1);
  DecisionContext ctx = f.decision();
  EXPECT_EQ(ctx.time_left(), sim::Duration::max());
  ctx.now = sim::Time::zero() + 2_s;
  ctx.deadline = sim::Time::zero() + 5_s;
  EXPECT_EQ(ctx.time_left(), 3_s);
}

std::vector<std::uint64_t> first_draws(sim::RandomStream& s) {
  return {s.next_u64(), s.next_u64(), s.next_u64()};
}

TEST(DecisionContext, TheRandomStreamIsKeyedByTheDecision) {
  DecisionFixture f(2);
  const DecisionContext a = f.decision(7);
  const DecisionContext b = f.decision(7);
  const std::vector<std::uint64_t> base = first_draws(a.random());
  EXPECT_EQ(first_draws(b.random()), base);
  EXPECT_NE(first_draws(f.decision(8).random()), base);
  DecisionContext retry = f.decision(7);
  retry.attempt = 1;
  EXPECT_NE(first_draws(retry.random()), base);
  DecisionContext revisit = f.decision(7);
  revisit.visit = 2;
  EXPECT_NE(first_draws(revisit.random()), base);
  // Under another seed, another world.
  DecisionFixture g(2, /*seed=*/2);
  EXPECT_NE(first_draws(g.decision(7).random()), base);
}

TEST(DecisionContext, OneStreamPerDecisionMadeAfreshBySetSources) {
  DecisionFixture f(2);
  const DecisionContext ctx = f.decision(7);
  const std::uint64_t first = ctx.random().next_u64();
  EXPECT_NE(ctx.random().next_u64(), first);  // the same stream, continued
  DecisionContext again = f.decision(7);
  (void)again.random().next_u64();
  again.set_sources({.candidates = &f.candidates,
                     .eligible = &f.eligible,
                     .agents = &f.agents,
                     .signals = &f.signals,
                     .breakers = &f.breakers,
                     .rng = &f.rng},
                    false);
  EXPECT_EQ(again.random().next_u64(), first);
}

// The orchestrator keeps one context per node: next_decision() changes the
// mask and the stream's variant, and the next decision draws afresh.
TEST(DecisionContext, NextDecisionKeepsTheSourcesAndMakesAFreshStream) {
  DecisionFixture f(2);
  DecisionContext ctx = f.decision(7);
  const std::uint64_t first = ctx.random().next_u64();
  const std::vector<bool> second_only = {false, true};
  ctx.next_decision(&second_only, 1, 0);
  EXPECT_FALSE(ctx[0].eligible());
  EXPECT_TRUE(ctx[1].eligible());
  EXPECT_EQ(ctx[1].agent(), f.candidates[1]);
  const std::uint64_t retry = ctx.random().next_u64();
  EXPECT_NE(retry, first);  // another variant, another stream
  ctx.next_decision(&f.eligible, 0, 0);
  EXPECT_TRUE(ctx[0].eligible());
  EXPECT_EQ(ctx.random().next_u64(), first);
}

TEST(DecisionContext, TheSideStreamIsIndependentOfTheMainOne) {
  DecisionFixture f(2);
  const DecisionContext ctx = f.decision(7);
  sim::RandomStream side = ctx.side_stream("propensity");
  const std::vector<std::uint64_t> side_draws = first_draws(side);
  EXPECT_NE(side_draws, first_draws(ctx.random()));
  sim::RandomStream other = ctx.side_stream("something else");
  EXPECT_NE(side_draws, first_draws(other));
  // Drawing from it leaves the main stream where it was.
  const DecisionContext fresh = f.decision(7);
  sim::RandomStream s = fresh.side_stream("propensity");
  EXPECT_EQ(first_draws(s), side_draws);
  EXPECT_EQ(first_draws(fresh.random()), first_draws(f.decision(7).random()));
}

}  // namespace
}  // namespace orchsim::orchestration::decision_context_test
