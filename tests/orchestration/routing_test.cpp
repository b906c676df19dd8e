// The built-in routing policies driven directly through RoutingPolicy::choose
// and observe with hand-built decisions: exact choices for the deterministic
// policies, draw frequencies for the random ones, learning for latency_ewma
// and LinUCB, and the contract every policy shares (ineligible candidates,
// scores and reason only when explaining, no draws by policies that do not
// use randomness, a propensity in (0, 1]). thompson, epsilon_greedy, cascade
// and p2c's propensity have files of their own.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "orchestration/policy.hpp"
#include "orchestration/policy_registry.hpp"
#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::routing_test {
namespace {

using namespace sim::literals;
using testing::chi_square;
using testing::choice_counts;
using testing::DecisionFixture;
using testing::outcome;

std::vector<std::size_t> picks(const DecisionFixture& f, RoutingPolicy& p, int n) {
  std::vector<std::size_t> out;
  for (int i = 0; i < n; ++i) out.push_back(f.choose(p).candidate);
  return out;
}

// ---------------------------------------------------------------- static

TEST(RoutingStatic, FirstEligibleCandidate) {
  DecisionFixture f(3);
  auto p = f.make("static");
  EXPECT_EQ(f.choose(*p).candidate, 0u);
  f.eligible = {false, true, true};
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  f.eligible = {false, false, true};
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  // None eligible: still a choice, the first.
  f.eligible = {false, false, false};
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

TEST(RoutingStatic, IgnoresLoadAndSignals) {
  DecisionFixture f(2);
  f.fakes[0].set_load(10, 50, 1);
  f.tried(0, 9'000);
  f.tried(1, 1);
  auto p = f.make("static");
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

// ---------------------------------------------------------------- round robin

TEST(RoutingRoundRobin, CyclesInTurn) {
  DecisionFixture f(3);
  auto p = f.make("round_robin");
  EXPECT_EQ(picks(f, *p, 7), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(RoutingRoundRobin, CyclesOverEligibleCandidatesOnly) {
  // An open breaker on one candidate spreads its share evenly over the
  // others, rather than doubling the load of its successor.
  DecisionFixture f(4);
  f.eligible = {true, false, true, true};
  auto p = f.make("round_robin");
  EXPECT_EQ(picks(f, *p, 6), (std::vector<std::size_t>{0, 2, 3, 0, 2, 3}));
  // The breaker closes again: every candidate takes its turn.
  f.eligible = {true, true, true, true};
  EXPECT_EQ(picks(f, *p, 4), (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST(RoutingRoundRobin, NoneEligibleStillCycles) {
  DecisionFixture f(2);
  f.eligible = {false, false};
  auto p = f.make("round_robin");
  EXPECT_EQ(picks(f, *p, 3), (std::vector<std::size_t>{0, 1, 0}));
}

TEST(RoutingRoundRobin, TheReasonNamesTheTurn) {
  DecisionFixture f(3);
  f.eligible = {true, false, true};
  auto p = f.make("round_robin");
  EXPECT_EQ(f.choose(*p, 1, true).reason, "turn 0");
  const Choice c = f.choose(*p, 1, true);  // candidate 1's turn, passed to 2
  EXPECT_EQ(c.reason, "turn 1");
  EXPECT_EQ(c.candidate, 2u);
  ASSERT_EQ(c.scores.size(), 3u);
  EXPECT_EQ(c.scores[1], 0.0);  // whose turn it was
  EXPECT_EQ(c.scores[2], 1.0);
  EXPECT_EQ(c.scores[0], 2.0);
}

// ---------------------------------------------------------------- weighted random

TEST(RoutingWeightedRandom, FrequenciesMatchTheWeights) {
  DecisionFixture f(4);
  auto p = f.make("weighted_random", R"({"weights": [1, 2, 3, 4]})");
  constexpr std::uint64_t kDraws = 100'000;
  const auto counts = choice_counts(f, *p, kDraws);
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
  EXPECT_LT(chi_square(counts, {0.1, 0.2, 0.3, 0.4}, kDraws), 16.27)
      << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3];
}

TEST(RoutingWeightedRandom, ThePropensityIsTheWeightsShareOfTheEligible) {
  DecisionFixture f(4);
  auto p = f.make("weighted_random", R"({"weights": [1, 2, 3, 4]})");
  f.eligible = {true, false, true, true};
  const std::array<double, 4> expected = {1.0 / 8, 0.0, 3.0 / 8, 4.0 / 8};
  for (RequestId r = 0; r < 200; ++r) {
    const Choice c = f.choose(*p, r);
    ASSERT_NE(c.candidate, 1u);
    EXPECT_DOUBLE_EQ(c.probability, expected[c.candidate]) << "request " << r;
  }
}

TEST(RoutingWeightedRandom, NeverPicksAnIneligibleCandidate) {
  DecisionFixture f(4);
  f.eligible = {true, false, true, true};
  auto p = f.make("weighted_random", R"({"weights": [1, 2, 3, 4]})");
  constexpr std::uint64_t kDraws = 100'000;
  const auto counts = choice_counts(f, *p, kDraws);
  EXPECT_EQ(counts[1], 0u);
  // The eligible ones share by their weights: 1/8, 3/8, 4/8 (2 dof: 13.82).
  EXPECT_LT(chi_square({counts[0], counts[2], counts[3]}, {0.125, 0.375, 0.5}, kDraws), 13.82);
}

TEST(RoutingWeightedRandom, ZeroWeightLeftDoesNotReviveAnIneligibleCandidate) {
  // The only candidate with weight is out (open breaker); the one left has
  // weight 0. Ineligible candidates are never chosen while an eligible one
  // exists: that rule wins over the weights.
  DecisionFixture f(2);
  f.eligible = {true, false};
  auto p = f.make("weighted_random", R"({"weights": [0, 1]})");
  for (RequestId r = 0; r < 1'000; ++r) {
    const Choice c = f.choose(*p, r);
    ASSERT_EQ(c.candidate, 0u) << "request " << r;
    ASSERT_EQ(c.probability, 1.0);
  }
}

TEST(RoutingWeightedRandom, WeightlessEligibleCandidatesShareEvenly) {
  DecisionFixture f(3);
  f.eligible = {true, true, false};
  auto p = f.make("weighted_random", R"({"weights": [0, 0, 1]})");
  constexpr std::uint64_t kDraws = 20'000;
  const auto counts = choice_counts(f, *p, kDraws);
  EXPECT_EQ(counts[2], 0u);
  EXPECT_LT(chi_square({counts[0], counts[1]}, {0.5, 0.5}, kDraws), 10.83);  // 1 dof, p = 0.001
  const Choice c = f.choose(*p, 1, true);
  EXPECT_EQ(c.probability, 0.5);
  EXPECT_EQ(c.reason, "eligible candidates weigh nothing: drawn evenly");
}

TEST(RoutingWeightedRandom, ZeroWeightIsNeverPickedAmongEligible) {
  DecisionFixture f(3);
  auto p = f.make("weighted_random", R"({"weights": [1, 0, 1]})");
  for (RequestId r = 0; r < 10'000; ++r) {
    ASSERT_NE(f.choose(*p, r).candidate, 1u) << "request " << r;
  }
}

TEST(RoutingWeightedRandom, NoneEligibleDrawsOverAllByWeight) {
  DecisionFixture f(2);
  f.eligible = {false, false};
  auto p = f.make("weighted_random", R"({"weights": [1, 3]})");
  constexpr std::uint64_t kDraws = 20'000;
  const auto counts = choice_counts(f, *p, kDraws);
  EXPECT_LT(chi_square(counts, {0.25, 0.75}, kDraws), 10.83);  // 1 dof, p = 0.001
}

TEST(RoutingWeightedRandom, DeterministicForAGivenDecision) {
  // Two policies deciding for the same requests draw the same candidates
  // (common random numbers); other requests draw others.
  DecisionFixture f(4);
  auto a = f.make("weighted_random", R"({"weights": [1, 2, 3, 4]})");
  auto b = f.make("weighted_random", R"({"weights": [1, 2, 3, 4]})");
  std::vector<std::size_t> first, second, other;
  for (RequestId r = 0; r < 200; ++r) {
    first.push_back(f.choose(*a, r).candidate);
    second.push_back(f.choose(*b, r).candidate);
    other.push_back(f.choose(*a, r + 1'000).candidate);
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
}

TEST(RoutingWeightedRandom, ReadsTheFlatWeightsOfFormatVersion1) {
  DecisionFixture f(2);
  RoutingConfig c = RoutingConfig::named("weighted_random");
  c.legacy = std::make_shared<const nlohmann::ordered_json>(
      nlohmann::ordered_json::parse(R"({"weights": [0, 1]})"));
  auto p = f.make(c);
  for (RequestId r = 0; r < 100; ++r) ASSERT_EQ(f.choose(*p, r).candidate, 1u);
}

TEST(RoutingWeightedRandom, NeedsOneWeightPerCandidate) {
  const std::vector<std::string> names = {"a", "b"};
  for (const char* params : {"", R"({"weights": [1]})", R"({"weights": [1, -1]})"}) {
    SCOPED_TRACE(params);
    std::vector<AgentIndex> candidates = {0, 1};
    std::vector<ParamProblem> problems;
    RoutingConfig c = RoutingConfig::named("weighted_random", params);
    c.pointer = "/workflow/nodes/0/routing";
    (void)make_node_policy(c, "answer", candidates, names, 1, PolicyRegistry::global(), problems);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].pointer.rfind("/workflow/nodes/0/routing/", 0), 0u);
    EXPECT_NE(problems[0].pointer.find("/weights"), std::string::npos) << problems[0].pointer;
  }
}

// ---------------------------------------------------------------- least loaded

TEST(RoutingLeastLoaded, FewestCallsPerServerTiesToTheFirst) {
  DecisionFixture f(3);
  f.fakes[0].set_load(2, 2, 4);  // 1.0
  f.fakes[1].set_load(1, 0, 2);  // 0.5
  f.fakes[2].set_load(0, 1, 2);  // 0.5
  auto p = f.make("least_loaded");
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  f.fakes[2].set_load(0, 0, 2);  // 0
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  // Servers divide: 3 calls on 8 servers beat 1 call on 1 server.
  f.fakes[0].set_load(2, 1, 8);  // 0.375
  f.fakes[1].set_load(1, 0, 1);  // 1
  f.fakes[2].set_load(1, 0, 2);  // 0.5
  EXPECT_EQ(f.choose(*p).candidate, 0u);
  const Choice c = f.choose(*p, 1, true);
  EXPECT_EQ(std::vector<double>(c.scores.begin(), c.scores.end()),
            (std::vector<double>{0.375, 1.0, 0.5}));
}

TEST(RoutingLeastLoaded, ReadsLoadByAgentNotByPosition) {
  DecisionFixture f(3);
  f.candidates = {2, 0, 1};
  f.fakes[0].set_load(0, 0, 1);  // idle: at position 1
  f.fakes[1].set_load(3, 0, 1);
  f.fakes[2].set_load(1, 0, 1);
  auto p = f.make("least_loaded");
  EXPECT_EQ(f.choose(*p).candidate, 1u);
}

TEST(RoutingLeastLoaded, SkipsIneligible) {
  DecisionFixture f(3);
  f.fakes[0].set_load(5, 5, 1);
  f.fakes[1].set_load(0, 0, 1);
  f.fakes[2].set_load(1, 0, 1);
  f.eligible = {true, false, true};
  auto p = f.make("least_loaded");
  EXPECT_EQ(f.choose(*p).candidate, 2u);
}

// ---------------------------------------------------------------- latency EWMA
// It keeps its own average of the attempts it chose (observe), not the
// orchestrator's shared signals, and charges failures a penalty latency.

AttemptOutcome took(std::size_t candidate, sim::Duration latency, CallEnd end = CallEnd::kSuccess) {
  AttemptOutcome o = outcome(candidate, end, 0.8);
  o.latency = latency;
  return o;
}

std::vector<double> scores(const Choice& c) { return {c.scores.begin(), c.scores.end()}; }

TEST(RoutingLatencyEwma, UntriedFirstThenLowestLatency) {
  DecisionFixture f(3);
  auto p = f.make("latency_ewma", R"({"ewma_alpha": 1})");  // the last sample only
  EXPECT_EQ(f.choose(*p).candidate, 0u);                    // all untried: the first
  p->observe(took(0, 100_ms));
  p->observe(took(1, 50_ms));
  EXPECT_EQ(f.choose(*p).candidate, 2u);  // the untried one
  p->observe(took(2, 80_ms));
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  f.eligible = {true, false, true};
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  f.eligible = {true, true, true};
  p->observe(took(2, 50_ms));  // tie with 1: the earlier
  EXPECT_EQ(f.choose(*p).candidate, 1u);
}

TEST(RoutingLatencyEwma, MovesTheAverageByAlpha) {
  DecisionFixture f(2);
  auto p = f.make("latency_ewma");  // alpha 0.2
  p->observe(took(0, 100_ms));      // the first sample is the average
  p->observe(took(0, 200_ms));      // 100 + 0.2 (200 - 100)
  p->observe(took(1, 150_ms));
  const Choice c = f.choose(*p, 1, true);
  ASSERT_EQ(c.scores.size(), 2u);
  EXPECT_DOUBLE_EQ(c.scores[0], 120.0);
  EXPECT_DOUBLE_EQ(c.scores[1], 150.0);
  EXPECT_EQ(c.candidate, 0u);
  auto q = f.make("latency_ewma", R"({"ewma_alpha": 0.5})");
  q->observe(took(0, 100_ms));
  q->observe(took(0, 200_ms));
  EXPECT_DOUBLE_EQ(f.choose(*q, 1, true).scores[0], 150.0);
}

TEST(RoutingLatencyEwma, ChargesErrorsAndTimeoutsAtLeastThePenalty) {
  // An agent that fails fast must not look fast (peak EWMA).
  DecisionFixture f(3);
  auto p = f.make("latency_ewma", R"({"ewma_alpha": 1})");  // penalty 10 s
  p->observe(took(0, 5_ms, CallEnd::kError));
  p->observe(took(1, 900_ms));
  p->observe(took(2, 20_s, CallEnd::kTimeout));  // longer than the penalty: its own latency
  const Choice c = f.choose(*p, 1, true);
  ASSERT_EQ(c.scores.size(), 3u);
  EXPECT_DOUBLE_EQ(c.scores[0], 10'000.0);
  EXPECT_DOUBLE_EQ(c.scores[1], 900.0);
  EXPECT_DOUBLE_EQ(c.scores[2], 20'000.0);
  EXPECT_EQ(c.candidate, 1u);
  // A validator's rejection is an answer: charged its latency.
  p->observe(took(0, 5_ms, CallEnd::kInvalid));
  EXPECT_DOUBLE_EQ(f.choose(*p, 1, true).scores[0], 5.0);
}

TEST(RoutingLatencyEwma, ThePenaltyIsAParameter) {
  DecisionFixture f(2);
  auto p = f.make("latency_ewma", R"({"ewma_alpha": 1, "failure_penalty_ms": 0})");
  p->observe(took(0, 5_ms, CallEnd::kError));
  p->observe(took(1, 900_ms));
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

TEST(RoutingLatencyEwma, CancelledAttemptsTeachNothing) {
  DecisionFixture f(2);
  auto p = f.make("latency_ewma");
  p->observe(took(1, 50_ms));
  p->observe(took(0, 1_ms, CallEnd::kCancelled));  // a hedge that lost: still untried
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

TEST(RoutingLatencyEwma, LearnsByCandidateNotFromTheSharedSignals) {
  DecisionFixture f(3);
  f.candidates = {2, 1};
  f.eligible = {true, true};
  f.tried(1, 1);  // what every node saw of agent 1: fast; not this policy's concern
  f.tried(2, 9'000);
  auto p = f.make("latency_ewma");
  p->observe(took(0, 30_ms));  // candidate 0 is agent 2
  p->observe(took(1, 60_ms));
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

// ---------------------------------------------------------------- p2c

TEST(RoutingP2c, WithTwoCandidatesAlwaysPicksTheBetter) {
  DecisionFixture f(2);
  f.tried(0, 100);
  f.tried(1, 60);
  auto p = f.make("p2c");
  for (RequestId r = 0; r < 2'000; ++r) ASSERT_EQ(f.choose(*p, r).candidate, 1u);
  // Load multiplies: 60 x (1 + 2) = 180 > 100 x (1 + 0).
  f.fakes[1].set_load(1, 1, 1);
  for (RequestId r = 0; r < 2'000; ++r) ASSERT_EQ(f.choose(*p, r).candidate, 0u);
}

TEST(RoutingP2c, NeverPicksTheStrictlyWorstAndTheBestTwiceAsOftenAsTheMiddle) {
  // Of three, the best is picked whenever it is sampled (2/3), the middle
  // when it is sampled with the worst (1/3), the worst never.
  DecisionFixture f(3);
  f.tried(0, 50);
  f.tried(1, 200);  // the worst
  f.tried(2, 100);
  auto p = f.make("p2c");
  constexpr std::uint64_t kDraws = 30'000;
  const auto counts = choice_counts(f, *p, kDraws);
  EXPECT_EQ(counts[1], 0u);
  EXPECT_LT(chi_square({counts[0], counts[2]}, {2.0 / 3.0, 1.0 / 3.0}, kDraws), 10.83);
}

TEST(RoutingP2c, NeverPicksTheWorstOfMany) {
  // The worst of n >= 2 loses against whichever other candidate it is drawn with.
  for (std::size_t n = 2; n <= 6; ++n) {
    SCOPED_TRACE(n);
    for (AgentIndex worst = 0; worst < n; ++worst) {
      DecisionFixture f(n);
      for (AgentIndex i = 0; i < n; ++i) f.tried(i, 10.0 * static_cast<double>(i + 1));
      f.tried(worst, 1'000);
      auto p = f.make("p2c");
      for (RequestId r = 0; r < 500; ++r) ASSERT_NE(f.choose(*p, r).candidate, worst);
    }
  }
}

TEST(RoutingP2c, SamplesOnlyEligibleCandidates) {
  DecisionFixture f(4);
  f.tried(0, 10);  // the best, but out
  f.tried(1, 40);
  f.tried(2, 30);
  f.tried(3, 20);
  f.eligible = {false, true, true, true};
  auto p = f.make("p2c");
  const auto counts = choice_counts(f, *p, 3'000);
  EXPECT_EQ(counts[0], 0u);
  EXPECT_EQ(counts[1], 0u);  // the worst eligible
  EXPECT_GT(counts[2], 0u);
  EXPECT_GT(counts[3], counts[2]);
  // Only one eligible: that one, with certainty.
  f.eligible = {false, false, true, false};
  for (RequestId r = 0; r < 100; ++r) {
    const Choice c = f.choose(*p, r);
    ASSERT_EQ(c.candidate, 2u);
    ASSERT_EQ(c.probability, 1.0);
  }
}

TEST(RoutingP2c, TwoDistinctCandidatesAreCompared) {
  // All equal but one: if the two samples could coincide, the best would be
  // picked less than 2/5 of the time with 5 candidates. Distinct samples
  // make it exactly 2/5 in expectation.
  DecisionFixture f(5);
  for (AgentIndex i = 0; i < 5; ++i) f.tried(i, 100);
  f.tried(3, 10);
  auto p = f.make("p2c");
  constexpr std::uint64_t kDraws = 50'000;
  const std::uint64_t best = choice_counts(f, *p, kDraws)[3];
  EXPECT_LT(chi_square({best, kDraws - best}, {0.4, 0.6}, kDraws), 10.83) << best;
}

TEST(RoutingP2c, DeterministicPerDecision) {
  DecisionFixture f(5);
  for (AgentIndex i = 0; i < 5; ++i) f.tried(i, 10.0 * static_cast<double>(5 - i));
  auto a = f.make("p2c");
  auto b = f.make("p2c");
  std::vector<std::size_t> first, second, other;
  for (RequestId r = 0; r < 300; ++r) {
    first.push_back(f.choose(*a, r).candidate);
    second.push_back(f.choose(*b, r).candidate);
    other.push_back(f.choose(*a, r + 1'000).candidate);
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
}

TEST(RoutingP2c, UntriedCandidatesScoreZero) {
  // No latency observed yet: optimistic, whatever the load.
  DecisionFixture f(3);
  f.tried(0, 100);
  f.tried(2, 50);
  f.fakes[1].set_load(4, 4, 1);
  auto p = f.make("p2c");
  const Choice c = f.choose(*p, 1, true);
  EXPECT_EQ(scores(c), (std::vector<double>{100.0, 0.0, 50.0}));
}

// ---------------------------------------------------------------- cost aware

TEST(RoutingCostAware, CheapestAmongTheConfidentEnough) {
  DecisionFixture f(3);
  f.set_quality(0, 0.9, 0.02);
  f.set_quality(1, 0.85, 0.01);
  f.set_quality(2, 0.5, 0.001);  // cheapest, not confident enough
  auto p = f.make("cost_aware", R"({"min_confidence": 0.8})");
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  f.eligible = {true, false, true};
  EXPECT_EQ(f.choose(*p).candidate, 0u);
  // Exactly at the threshold qualifies.
  f.eligible = {true, true, true};
  f.set_quality(2, 0.8, 0.001);
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  // Cost ties: the first.
  f.set_quality(0, 0.9, 0.001);
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

TEST(RoutingCostAware, NoneConfidentEnoughTakesTheMostConfident) {
  DecisionFixture f(3);
  f.set_quality(0, 0.6, 0.001);
  f.set_quality(1, 0.9, 0.05);
  f.set_quality(2, 0.7, 0.002);
  auto p = f.make("cost_aware", R"({"min_confidence": 0.95})");
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  EXPECT_EQ(f.choose(*p, 1, true).reason, "none confident enough: most confident");
  f.eligible = {true, false, true};
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  // A confident but ineligible candidate does not count as "some qualify".
  auto q = f.make("cost_aware", R"({"min_confidence": 0.85})");
  EXPECT_EQ(f.choose(*q).candidate, 2u);
}

TEST(RoutingCostAware, UntriedAgentsAreOptimistic) {
  // Untried: confidence 1, cost 0 (the defaults): explored first.
  DecisionFixture f(2);
  f.set_quality(0, 0.9, 0.01);
  auto p = f.make("cost_aware", R"({"min_confidence": 0.8})");
  EXPECT_EQ(f.choose(*p).candidate, 1u);
}

TEST(RoutingCostAware, ReadsTheFlatMinConfidenceOfFormatVersion1) {
  DecisionFixture f(2);
  f.set_quality(0, 0.9, 0.05);
  f.set_quality(1, 0.5, 0.01);
  RoutingConfig c = RoutingConfig::named("cost_aware");
  c.legacy = std::make_shared<const nlohmann::ordered_json>(
      nlohmann::ordered_json::parse(R"({"min_confidence": 0.8})"));
  auto p = f.make(c);
  EXPECT_EQ(f.choose(*p).candidate, 0u);
  auto q = f.make("cost_aware");  // 0: every candidate qualifies
  EXPECT_EQ(f.choose(*q).candidate, 1u);
}

// ---------------------------------------------------------------- LinUCB
// It learns from every attempt it chose through observe(): the reward
// config's value of the outcome, failures included (reward.failure, 0 by
// default, minus the cost), cancelled attempts excluded.

// An attempt of `candidate` for a request of class `cls` with the
// fixture's input tokens (the features LinUCB chose with).
AttemptOutcome attempt(const DecisionFixture& f, std::size_t candidate, CallEnd end,
                       double confidence, std::uint32_t cls = 0, double cost_usd = 0.0) {
  AttemptOutcome o = outcome(candidate, end, confidence, cls);
  o.request_input_tokens = f.input_tokens;
  o.cost_usd = cost_usd;
  return o;
}

TEST(RoutingLinUcb, TiesGoToTheLowestIndexAtStart) {
  DecisionFixture f(3);
  auto p = f.make("linucb", {}, 2);
  EXPECT_EQ(f.choose(*p, 1, false, 0).candidate, 0u);
  EXPECT_EQ(f.choose(*p, 2, false, 1).candidate, 0u);
}

TEST(RoutingLinUcb, LearnsTheBestArmPerClass) {
  // Arm 1 is better for class 0, arm 0 for class 1.
  DecisionFixture f(2);
  auto p = f.make("linucb", {}, 2);
  const auto reward = [](std::uint32_t cls, std::size_t arm) {
    return (cls == 0) == (arm == 1) ? 0.9 : 0.2;
  };
  std::array<std::array<int, 2>, 2> late{};  // [class][arm] picks over the last 100 rounds
  for (int t = 0; t < 400; ++t) {
    const auto cls = static_cast<std::uint32_t>(t % 2);
    const std::size_t arm = f.choose(*p, static_cast<RequestId>(t), false, cls).candidate;
    ASSERT_LT(arm, 2u);
    p->observe(attempt(f, arm, CallEnd::kSuccess, reward(cls, arm), cls));
    if (t >= 300) ++late[cls][arm];
  }
  EXPECT_EQ(f.choose(*p, 1'000, false, 0).candidate, 1u);
  EXPECT_EQ(f.choose(*p, 1'001, false, 1).candidate, 0u);
  EXPECT_GE(late[0][1], 45) << "class 0 should mostly go to arm 1";
  EXPECT_GE(late[1][0], 45) << "class 1 should mostly go to arm 0";
}

TEST(RoutingLinUcb, SkipsIneligibleEvenWhenBest) {
  DecisionFixture f(2);
  auto p = f.make("linucb");
  for (int t = 0; t < 50; ++t) {
    p->observe(attempt(f, 0, CallEnd::kSuccess, 1.0));
    p->observe(attempt(f, 1, CallEnd::kSuccess, 0.0));
  }
  EXPECT_EQ(f.choose(*p).candidate, 0u);
  f.eligible = {false, true};
  EXPECT_EQ(f.choose(*p).candidate, 1u);
}

TEST(RoutingLinUcb, LearnsFromFailures) {
  // Arm 0 always fails, arm 1 answers with confidence 0.3. Learning only
  // from answers would never lower arm 0's bound: it would keep its traffic.
  DecisionFixture f(2);
  auto p = f.make("linucb");
  int late_arm1 = 0;
  for (int t = 0; t < 400; ++t) {
    const std::size_t arm = f.choose(*p, static_cast<RequestId>(t)).candidate;
    p->observe(arm == 0 ? attempt(f, 0, CallEnd::kError, 0.0)
                        : attempt(f, 1, CallEnd::kSuccess, 0.3));
    if (t >= 300) late_arm1 += arm == 1 ? 1 : 0;
  }
  EXPECT_GE(late_arm1, 90);
  // Timeouts and rejected answers are failures too.
  auto q = f.make("linucb");
  for (int t = 0; t < 50; ++t) {
    q->observe(attempt(f, 0, t % 2 ? CallEnd::kTimeout : CallEnd::kInvalid, 0.9));
    q->observe(attempt(f, 1, CallEnd::kSuccess, 0.3));
  }
  EXPECT_EQ(f.choose(*q).candidate, 1u);
}

TEST(RoutingLinUcb, TheFailureRewardIsAParameter) {
  DecisionFixture f(2);
  auto p = f.make("linucb", R"({"reward": {"failure": 1}})");
  for (int t = 0; t < 50; ++t) {
    p->observe(attempt(f, 0, CallEnd::kError, 0.0));  // worth 1
    p->observe(attempt(f, 1, CallEnd::kSuccess, 0.3));
  }
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

TEST(RoutingLinUcb, CostIsSubtractedAtCostWeightPerDollar) {
  // Arm 0: confidence 0.9 for $0.05, arm 1: 0.6 for nothing. At the default
  // cost weight 10 arm 0 is worth 0.4 and arm 1 0.6; without it, 0.9 and 0.6.
  DecisionFixture f(2);
  const auto train = [&](RoutingPolicy& p) {
    for (int t = 0; t < 50; ++t) {
      p.observe(attempt(f, 0, CallEnd::kSuccess, 0.9, 0, 0.05));
      p.observe(attempt(f, 1, CallEnd::kSuccess, 0.6));
    }
  };
  auto priced = f.make("linucb");
  train(*priced);
  EXPECT_EQ(f.choose(*priced).candidate, 1u);
  auto unpriced = f.make("linucb", R"({"cost_weight": 0})");
  train(*unpriced);
  EXPECT_EQ(f.choose(*unpriced).candidate, 0u);
  // The reward's own cost weight wins over the legacy one.
  auto reward = f.make("linucb", R"({"cost_weight": 10, "reward": {"cost_per_usd": 0}})");
  train(*reward);
  EXPECT_EQ(f.choose(*reward).candidate, 0u);
}

TEST(RoutingLinUcb, CancelledAttemptsTeachNothing) {
  DecisionFixture f(2);
  auto fresh = f.make("linucb");
  auto told = f.make("linucb");
  for (int t = 0; t < 20; ++t) told->observe(attempt(f, 0, CallEnd::kCancelled, 0.0));
  EXPECT_EQ(scores(f.choose(*told, 1, true)), scores(f.choose(*fresh, 1, true)));
  told->observe(attempt(f, 0, CallEnd::kError, 0.0));  // and a failure does
  EXPECT_NE(scores(f.choose(*told, 1, true)), scores(f.choose(*fresh, 1, true)));
}

// ---------------------------------------------------------------- the shared contract

// Parameters that make each built-in usable on n = 3 candidates.
std::string params_for(const std::string& name) {
  if (name == "weighted_random") return R"({"weights": [1, 1, 1]})";
  if (name == "cost_aware") return R"({"min_confidence": 0.5})";
  if (name == "cascade") return R"({"tiers": ["a1", "a0", "a2"]})";
  return {};
}

const std::vector<std::string>& builtins() {
  static const std::vector<std::string> names = {
      "cascade", "cost_aware",  "epsilon_greedy", "latency_ewma", "least_loaded",   "linucb",
      "p2c",     "round_robin", "static",         "thompson",     "weighted_random"};
  return names;
}

bool draws(const std::string& name) {
  return name == "weighted_random" || name == "p2c" || name == "thompson" ||
         name == "epsilon_greedy";
}

// A node of three candidates (agents 2, 0, 1), the middle one's breaker open,
// with some load and shared signals.
void contract_world(DecisionFixture& f) {
  f.candidates = {2, 0, 1};
  f.eligible = {true, false, true};
  f.tried(0, 20);
  f.tried(1, 30);
  f.tried(2, 40);
  f.fakes[1].set_load(1, 0, 2);
}

TEST(RoutingContract, TheBuiltInsAreTheRegistrysAndBuildWithDefaults) {
  std::vector<std::string> registered;
  for (const auto* e : PolicyRegistry::global().entries()) {
    if (e->info.builtin) registered.push_back(e->info.name);
  }
  EXPECT_EQ(registered, builtins());
  for (const std::string& name : builtins()) {
    SCOPED_TRACE(name);
    DecisionFixture f(3);
    EXPECT_NE(f.make(name, params_for(name)), nullptr);
  }
}

TEST(RoutingContract, ScoresAndReasonOnlyWhenExplaining) {
  for (const std::string& name : builtins()) {
    SCOPED_TRACE(name);
    DecisionFixture f(3);
    contract_world(f);
    auto p = f.make(name, params_for(name));
    auto q = f.make(name, params_for(name));
    for (RequestId r = 0; r < 20; ++r) {
      const Choice quiet = f.choose(*p, r);
      const Choice loud = f.choose(*q, r, true);
      EXPECT_EQ(loud.candidate, quiet.candidate) << "explaining must not change the choice";
      EXPECT_TRUE(quiet.scores.empty());
      EXPECT_FALSE(loud.reason.empty());
      // Scores are optional (a cascade has none), else one per candidate.
      if (name != "cascade") {
        EXPECT_EQ(loud.scores.size(), 3u);
        EXPECT_NE(quiet.candidate, 1u) << "request " << r;
      }
      // A reason without explaining may only be a constant: nothing formatted.
      if (!quiet.reason.empty()) {
        EXPECT_EQ(quiet.reason.text(), loud.reason.text());
      }
    }
  }
}

TEST(RoutingContract, OnlyRandomPoliciesDrawFromTheStream) {
  for (const std::string& name : builtins()) {
    SCOPED_TRACE(name);
    DecisionFixture f(4);
    for (AgentIndex i = 0; i < 4; ++i) f.tried(i, 10.0 * static_cast<double>(i + 1));
    std::string params = params_for(name);
    if (name == "weighted_random") params = R"({"weights": [1, 1, 1, 1]})";
    auto p = f.make(name, params);
    for (int round = 0; round < 6; ++round) {
      const bool explain = round % 2 == 1;
      const std::uint64_t after = testing::stream_after(f, *p, 9, explain);
      if (draws(name)) {
        EXPECT_NE(after, testing::fresh_stream(f, 9)) << "round " << round;
      } else {
        EXPECT_EQ(after, testing::fresh_stream(f, 9)) << "round " << round;
      }
    }
  }
}

TEST(RoutingContract, ExplainingDrawsNothingMore) {
  // Whether someone reads the reasons must not change the simulation: the
  // decision's stream is left as it would be without explaining.
  for (const std::string& name : builtins()) {
    SCOPED_TRACE(name);
    DecisionFixture f(3);
    contract_world(f);
    auto p = f.make(name, params_for(name));
    auto q = f.make(name, params_for(name));
    for (RequestId r = 0; r < 10; ++r) {
      EXPECT_EQ(testing::stream_after(f, *p, r, false), testing::stream_after(f, *q, r, true));
    }
  }
}

TEST(RoutingContract, APropensityInTheUnitIntervalAndOneForDeterministicPolicies) {
  for (const std::string& name : builtins()) {
    SCOPED_TRACE(name);
    DecisionFixture f(3);
    contract_world(f);
    auto p = f.make(name, params_for(name));
    auto q = f.make(name, params_for(name));
    for (RequestId r = 0; r < 20; ++r) {
      const Choice loud = f.choose(*p, r, true);
      EXPECT_GT(loud.probability, 0.0);
      EXPECT_LE(loud.probability, 1.0);
      const Choice quiet = f.choose(*q, r);
      if (!draws(name)) {
        EXPECT_EQ(loud.probability, 1.0);
        EXPECT_EQ(quiet.probability, 1.0);
      } else if (name != "thompson") {  // thompson estimates it only when explaining
        EXPECT_EQ(quiet.probability, loud.probability);
      }
    }
  }
}

TEST(RoutingContract, EveryPolicyIsTold) {
  // observe, accepts and request_finished on a fresh policy, before and
  // after its first choice, with any candidate of the node.
  for (const std::string& name : builtins()) {
    SCOPED_TRACE(name);
    DecisionFixture f(3);
    auto p = f.make(name, params_for(name));
    for (std::size_t c = 0; c < 3; ++c) {
      p->observe(outcome(c, CallEnd::kError));
      EXPECT_TRUE(p->accepts(outcome(c, CallEnd::kSuccess, 1.0)));
    }
    RequestOutcome done;
    done.request = 1;
    done.success = true;
    p->request_finished(done);
    const Choice c = f.choose(*p, 1);
    EXPECT_LT(c.candidate, 3u);
    p->observe(outcome(c.candidate, CallEnd::kSuccess, 0.9));
    p->observe(outcome(c.candidate, CallEnd::kCancelled));
    EXPECT_LT(f.choose(*p, 2).candidate, 3u);
  }
}

}  // namespace
}  // namespace orchsim::orchestration::routing_test
