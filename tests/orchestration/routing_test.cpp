// Routing policies driven directly through RoutingPolicy::choose with
// hand-built inputs: exact choices for the deterministic policies, draw
// frequencies for the random ones, learning for LinUCB, and the contract
// every policy shares (ineligible candidates, scores and reason only on
// request, no draws by policies that do not use randomness).
#include "orchestration/routing.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mock_agents/agent.hpp"
#include "sim/random.hpp"

namespace orchsim::orchestration {
namespace {

// An agent that only reports load: the routers read nothing else.
class FakeAgent final : public mock_agents::Agent {
 public:
  std::string_view name() const override { return "fake"; }
  std::string_view role() const override { return "fake"; }
  std::int64_t context_window_tokens() const override { return 128'000; }
  mock_agents::CallId submit(const mock_agents::CallRequest&, mock_agents::CallListener&,
                             std::uint64_t) override {
    ADD_FAILURE() << "a router must not submit calls";
    return 0;
  }
  Cancellation cancel(mock_agents::CallId) override { return {}; }
  std::uint32_t in_service() const override { return in_service_; }
  std::uint32_t queued() const override { return queued_; }
  std::uint32_t servers() const override { return servers_; }

  void set(std::uint32_t in_service, std::uint32_t queued, std::uint32_t servers) {
    in_service_ = in_service;
    queued_ = queued;
    servers_ = servers;
  }

 private:
  std::uint32_t in_service_ = 0, queued_ = 0, servers_ = 1;
};

// n agents, all of them candidates in index order and eligible, untried.
struct Fixture {
  explicit Fixture(std::size_t n) : fakes(n), signals(n), eligible(n, true) {
    for (std::size_t i = 0; i < n; ++i) {
      agents.push_back(&fakes[i]);
      candidates.push_back(static_cast<AgentIndex>(i));
    }
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  RouteInput input(std::uint32_t class_index = 0, std::uint32_t class_count = 1) const {
    RouteInput in;
    in.request = 1;
    in.class_index = class_index;
    in.class_count = class_count;
    in.input_tokens = 500;
    in.candidates = &candidates;
    in.eligible = &eligible;
    in.agents = &agents;
    in.signals = &signals;
    return in;
  }
  void tried(std::size_t agent, double latency_ms, std::uint64_t samples = 5) {
    signals[agent].ewma_latency_ms = latency_ms;
    signals[agent].samples = samples;
  }

  std::vector<FakeAgent> fakes;
  std::vector<mock_agents::Agent*> agents;
  std::vector<AgentSignals> signals;
  std::vector<AgentIndex> candidates;
  std::vector<bool> eligible;
};

std::unique_ptr<RoutingPolicy> policy(const std::string& name, std::size_t candidates,
                                      std::uint32_t classes = 1) {
  RoutingConfig c;
  c.policy = name;
  return make_routing_policy(c, candidates, classes);
}

std::unique_ptr<RoutingPolicy> policy(const RoutingConfig& c, std::size_t candidates,
                                      std::uint32_t classes = 1) {
  return make_routing_policy(c, candidates, classes);
}

const sim::RandomSource kRng(1);

sim::RandomStream stream(std::uint64_t i = 0) { return kRng.stream("routing-test", i); }

std::size_t choose(RoutingPolicy& p, const Fixture& f, std::uint64_t draw = 0) {
  sim::RandomStream s = stream(draw);
  return p.choose(f.input(), s, nullptr, nullptr);
}

// Chi-square statistic of observed counts against expected shares.
double chi_square(const std::vector<std::uint64_t>& observed, const std::vector<double>& share,
                  std::uint64_t n) {
  double chi2 = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double expected = share[i] * static_cast<double>(n);
    const double d = static_cast<double>(observed[i]) - expected;
    chi2 += d * d / expected;
  }
  return chi2;
}

// ---------------------------------------------------------------- static

TEST(RoutingStatic, FirstEligibleCandidate) {
  Fixture f(3);
  auto p = policy("static", 3);
  EXPECT_EQ(p->name(), "static");
  EXPECT_EQ(choose(*p, f), 0u);
  f.eligible = {false, true, true};
  EXPECT_EQ(choose(*p, f), 1u);
  f.eligible = {false, false, true};
  EXPECT_EQ(choose(*p, f), 2u);
  // None eligible: still a choice, the first.
  f.eligible = {false, false, false};
  EXPECT_EQ(choose(*p, f), 0u);
}

TEST(RoutingStatic, IgnoresLoadAndSignals) {
  Fixture f(2);
  f.fakes[0].set(10, 50, 1);
  f.tried(0, 9'000);
  f.tried(1, 1);
  auto p = policy("static", 2);
  EXPECT_EQ(choose(*p, f), 0u);
}

// ---------------------------------------------------------------- round robin

TEST(RoutingRoundRobin, CyclesInTurn) {
  Fixture f(3);
  auto p = policy("round_robin", 3);
  std::vector<std::size_t> picks;
  for (int i = 0; i < 7; ++i) picks.push_back(choose(*p, f));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(RoutingRoundRobin, CyclesOverEligibleCandidatesOnly) {
  // An open breaker on one candidate spreads its share evenly over the
  // others, rather than doubling the load of its successor.
  Fixture f(4);
  f.eligible = {true, false, true, true};
  auto p = policy("round_robin", 4);
  std::vector<std::size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(choose(*p, f));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 2, 3, 0, 2, 3}));
  // The breaker closes again: every candidate takes its turn.
  f.eligible = {true, true, true, true};
  picks.clear();
  for (int i = 0; i < 4; ++i) picks.push_back(choose(*p, f));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST(RoutingRoundRobin, NoneEligibleStillCycles) {
  Fixture f(2);
  f.eligible = {false, false};
  auto p = policy("round_robin", 2);
  EXPECT_EQ(choose(*p, f), 0u);
  EXPECT_EQ(choose(*p, f), 1u);
  EXPECT_EQ(choose(*p, f), 0u);
}

// ---------------------------------------------------------------- weighted random

RoutingConfig weighted(std::vector<double> weights) {
  RoutingConfig c;
  c.policy = "weighted_random";
  c.weights = std::move(weights);
  return c;
}

TEST(RoutingWeightedRandom, FrequenciesMatchTheWeights) {
  Fixture f(4);
  auto p = policy(weighted({1, 2, 3, 4}), 4);
  constexpr std::uint64_t kDraws = 100'000;
  std::vector<std::uint64_t> counts(4, 0);
  for (std::uint64_t i = 0; i < kDraws; ++i) ++counts[choose(*p, f, i)];
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
  EXPECT_LT(chi_square(counts, {0.1, 0.2, 0.3, 0.4}, kDraws), 16.27)
      << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3];
}

TEST(RoutingWeightedRandom, NeverPicksAnIneligibleCandidate) {
  Fixture f(4);
  f.eligible = {true, false, true, true};
  auto p = policy(weighted({1, 2, 3, 4}), 4);
  constexpr std::uint64_t kDraws = 100'000;
  std::vector<std::uint64_t> counts(4, 0);
  for (std::uint64_t i = 0; i < kDraws; ++i) ++counts[choose(*p, f, i)];
  EXPECT_EQ(counts[1], 0u);
  // The eligible ones share by their weights: 1/8, 3/8, 4/8 (2 dof: 13.82).
  EXPECT_LT(chi_square({counts[0], counts[2], counts[3]}, {0.125, 0.375, 0.5}, kDraws), 13.82);
}

TEST(RoutingWeightedRandom, ZeroWeightLeftDoesNotReviveAnIneligibleCandidate) {
  // The only candidate with weight is out (open breaker); the one left has
  // weight 0. Ineligible candidates are never chosen while an eligible one
  // exists: that rule wins over the weights.
  Fixture f(2);
  f.eligible = {true, false};
  auto p = policy(weighted({0, 1}), 2);
  for (std::uint64_t i = 0; i < 1'000; ++i) {
    ASSERT_EQ(choose(*p, f, i), 0u) << "draw " << i;
  }
}

TEST(RoutingWeightedRandom, WeightlessEligibleCandidatesShareEvenly) {
  Fixture f(3);
  f.eligible = {true, true, false};
  auto p = policy(weighted({0, 0, 1}), 3);
  constexpr std::uint64_t kDraws = 20'000;
  std::vector<std::uint64_t> counts(3, 0);
  for (std::uint64_t i = 0; i < kDraws; ++i) ++counts[choose(*p, f, i)];
  EXPECT_EQ(counts[2], 0u);
  EXPECT_LT(chi_square({counts[0], counts[1]}, {0.5, 0.5}, kDraws), 10.83);  // 1 dof, p = 0.001
}

TEST(RoutingWeightedRandom, ZeroWeightIsNeverPickedAmongEligible) {
  Fixture f(3);
  auto p = policy(weighted({1, 0, 1}), 3);
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    ASSERT_NE(choose(*p, f, i), 1u) << "draw " << i;
  }
}

TEST(RoutingWeightedRandom, NoneEligibleDrawsOverAllByWeight) {
  Fixture f(2);
  f.eligible = {false, false};
  auto p = policy(weighted({1, 3}), 2);
  constexpr std::uint64_t kDraws = 20'000;
  std::vector<std::uint64_t> counts(2, 0);
  for (std::uint64_t i = 0; i < kDraws; ++i) ++counts[choose(*p, f, i)];
  EXPECT_LT(chi_square(counts, {0.25, 0.75}, kDraws), 10.83);  // 1 dof, p = 0.001
}

TEST(RoutingWeightedRandom, DeterministicForAGivenStream) {
  Fixture f(4);
  auto a = policy(weighted({1, 2, 3, 4}), 4);
  auto b = policy(weighted({1, 2, 3, 4}), 4);
  std::vector<std::size_t> first, second;
  sim::RandomStream sa = stream(42), sb = stream(42);
  for (int i = 0; i < 200; ++i) {
    first.push_back(a->choose(f.input(), sa, nullptr, nullptr));
    second.push_back(b->choose(f.input(), sb, nullptr, nullptr));
  }
  EXPECT_EQ(first, second);
  // And a different stream gives a different sequence.
  std::vector<std::size_t> other;
  sim::RandomStream sc = stream(43);
  for (int i = 0; i < 200; ++i) other.push_back(a->choose(f.input(), sc, nullptr, nullptr));
  EXPECT_NE(first, other);
}

// ---------------------------------------------------------------- least loaded

TEST(RoutingLeastLoaded, FewestCallsPerServerTiesToTheFirst) {
  Fixture f(3);
  f.fakes[0].set(2, 2, 4);  // 1.0
  f.fakes[1].set(1, 0, 2);  // 0.5
  f.fakes[2].set(0, 1, 2);  // 0.5
  auto p = policy("least_loaded", 3);
  EXPECT_EQ(choose(*p, f), 1u);
  f.fakes[2].set(0, 0, 2);  // 0
  EXPECT_EQ(choose(*p, f), 2u);
  // Servers divide: 3 calls on 8 servers beat 1 call on 1 server.
  f.fakes[0].set(2, 1, 8);  // 0.375
  f.fakes[1].set(1, 0, 1);  // 1
  f.fakes[2].set(1, 0, 2);  // 0.5
  EXPECT_EQ(choose(*p, f), 0u);
}

TEST(RoutingLeastLoaded, ReadsLoadByAgentNotByPosition) {
  Fixture f(3);
  f.candidates = {2, 0, 1};
  f.fakes[0].set(0, 0, 1);  // idle: at position 1
  f.fakes[1].set(3, 0, 1);
  f.fakes[2].set(1, 0, 1);
  auto p = policy("least_loaded", 3);
  EXPECT_EQ(choose(*p, f), 1u);
}

TEST(RoutingLeastLoaded, SkipsIneligible) {
  Fixture f(3);
  f.fakes[0].set(5, 5, 1);
  f.fakes[1].set(0, 0, 1);
  f.fakes[2].set(1, 0, 1);
  f.eligible = {true, false, true};
  auto p = policy("least_loaded", 3);
  EXPECT_EQ(choose(*p, f), 2u);
}

// ---------------------------------------------------------------- latency EWMA

TEST(RoutingLatencyEwma, UntriedFirstThenLowestLatency) {
  Fixture f(3);
  auto p = policy("latency_ewma", 3);
  EXPECT_EQ(choose(*p, f), 0u);  // all untried: the first
  f.tried(0, 100);
  f.tried(1, 50);
  EXPECT_EQ(choose(*p, f), 2u);  // the untried one
  f.tried(2, 80);
  EXPECT_EQ(choose(*p, f), 1u);
  f.eligible = {true, false, true};
  EXPECT_EQ(choose(*p, f), 2u);
  f.eligible = {true, true, true};
  f.tried(2, 50);  // tie with 1: the earlier
  EXPECT_EQ(choose(*p, f), 1u);
}

TEST(RoutingLatencyEwma, ReadsSignalsByAgentNotByPosition) {
  Fixture f(3);
  f.candidates = {2, 1};
  f.eligible = {true, true};
  f.tried(0, 1);  // not a candidate
  f.tried(1, 30);
  f.tried(2, 60);
  auto p = policy("latency_ewma", 2);
  EXPECT_EQ(choose(*p, f), 1u);
}

// ---------------------------------------------------------------- p2c

TEST(RoutingP2c, WithTwoCandidatesAlwaysPicksTheBetter) {
  Fixture f(2);
  f.tried(0, 100);
  f.tried(1, 60);
  auto p = policy("p2c", 2);
  for (std::uint64_t i = 0; i < 2'000; ++i) ASSERT_EQ(choose(*p, f, i), 1u);
  // Load multiplies: 60 x (1 + 2) = 180 > 100 x (1 + 0).
  f.fakes[1].set(1, 1, 1);
  for (std::uint64_t i = 0; i < 2'000; ++i) ASSERT_EQ(choose(*p, f, i), 0u);
}

TEST(RoutingP2c, NeverPicksTheStrictlyWorstAndTheBestTwiceAsOftenAsTheMiddle) {
  // Of three, the best is picked whenever it is sampled (2/3), the middle
  // when it is sampled with the worst (1/3), the worst never.
  Fixture f(3);
  f.tried(0, 50);
  f.tried(1, 200);  // the worst
  f.tried(2, 100);
  auto p = policy("p2c", 3);
  constexpr std::uint64_t kDraws = 30'000;
  std::vector<std::uint64_t> counts(3, 0);
  for (std::uint64_t i = 0; i < kDraws; ++i) ++counts[choose(*p, f, i)];
  EXPECT_EQ(counts[1], 0u);
  EXPECT_LT(chi_square({counts[0], counts[2]}, {2.0 / 3.0, 1.0 / 3.0}, kDraws), 10.83);
}

TEST(RoutingP2c, NeverPicksTheWorstOfMany) {
  // The worst of n >= 2 loses against whichever other candidate it is drawn with.
  for (std::size_t n = 2; n <= 6; ++n) {
    SCOPED_TRACE(n);
    for (std::size_t worst = 0; worst < n; ++worst) {
      Fixture f(n);
      for (std::size_t i = 0; i < n; ++i) f.tried(i, 10.0 * static_cast<double>(i + 1));
      f.tried(worst, 1'000);
      auto p = policy("p2c", n);
      for (std::uint64_t d = 0; d < 500; ++d) ASSERT_NE(choose(*p, f, d), worst);
    }
  }
}

TEST(RoutingP2c, SamplesOnlyEligibleCandidates) {
  Fixture f(4);
  f.tried(0, 10);  // the best, but out
  f.tried(1, 40);
  f.tried(2, 30);
  f.tried(3, 20);
  f.eligible = {false, true, true, true};
  auto p = policy("p2c", 4);
  std::vector<std::uint64_t> counts(4, 0);
  for (std::uint64_t i = 0; i < 3'000; ++i) ++counts[choose(*p, f, i)];
  EXPECT_EQ(counts[0], 0u);
  EXPECT_EQ(counts[1], 0u);  // the worst eligible
  EXPECT_GT(counts[2], 0u);
  EXPECT_GT(counts[3], counts[2]);
  // Only one eligible: that one.
  f.eligible = {false, false, true, false};
  for (std::uint64_t i = 0; i < 100; ++i) ASSERT_EQ(choose(*p, f, i), 2u);
}

TEST(RoutingP2c, TwoDistinctCandidatesAreCompared) {
  // All equal but one: if the two samples could coincide, the best would be
  // picked less than 2/5 of the time with 5 candidates. Distinct samples
  // make it exactly 2/5 in expectation.
  Fixture f(5);
  for (std::size_t i = 0; i < 5; ++i) f.tried(i, 100);
  f.tried(3, 10);
  auto p = policy("p2c", 5);
  constexpr std::uint64_t kDraws = 50'000;
  std::uint64_t best = 0;
  for (std::uint64_t i = 0; i < kDraws; ++i) best += choose(*p, f, i) == 3 ? 1 : 0;
  EXPECT_LT(chi_square({best, kDraws - best}, {0.4, 0.6}, kDraws), 10.83) << best;
}

TEST(RoutingP2c, DeterministicPerStream) {
  Fixture f(5);
  for (std::size_t i = 0; i < 5; ++i) f.tried(i, 10.0 * static_cast<double>(5 - i));
  auto a = policy("p2c", 5);
  auto b = policy("p2c", 5);
  std::vector<std::size_t> first, second, other;
  for (std::uint64_t i = 0; i < 300; ++i) {
    first.push_back(choose(*a, f, i));
    second.push_back(choose(*b, f, i));
    other.push_back(choose(*a, f, i + 1'000));
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
}

// ---------------------------------------------------------------- cost aware

RoutingConfig cost_aware(double min_confidence) {
  RoutingConfig c;
  c.policy = "cost_aware";
  c.min_confidence = min_confidence;
  return c;
}

void set_quality(Fixture& f, std::size_t agent, double confidence, double cost) {
  f.signals[agent].ewma_confidence = confidence;
  f.signals[agent].ewma_cost_usd = cost;
  f.signals[agent].samples = 10;
}

TEST(RoutingCostAware, CheapestAmongTheConfidentEnough) {
  Fixture f(3);
  set_quality(f, 0, 0.9, 0.02);
  set_quality(f, 1, 0.85, 0.01);
  set_quality(f, 2, 0.5, 0.001);  // cheapest, not confident enough
  auto p = policy(cost_aware(0.8), 3);
  EXPECT_EQ(choose(*p, f), 1u);
  f.eligible = {true, false, true};
  EXPECT_EQ(choose(*p, f), 0u);
  // Exactly at the threshold qualifies.
  f.eligible = {true, true, true};
  set_quality(f, 2, 0.8, 0.001);
  EXPECT_EQ(choose(*p, f), 2u);
  // Cost ties: the first.
  set_quality(f, 0, 0.9, 0.001);
  EXPECT_EQ(choose(*p, f), 0u);
}

TEST(RoutingCostAware, NoneConfidentEnoughTakesTheMostConfident) {
  Fixture f(3);
  set_quality(f, 0, 0.6, 0.001);
  set_quality(f, 1, 0.9, 0.05);
  set_quality(f, 2, 0.7, 0.002);
  auto p = policy(cost_aware(0.95), 3);
  EXPECT_EQ(choose(*p, f), 1u);
  f.eligible = {true, false, true};
  EXPECT_EQ(choose(*p, f), 2u);
  // A confident but ineligible candidate does not count as "some qualify".
  auto q = policy(cost_aware(0.85), 3);
  EXPECT_EQ(choose(*q, f), 2u);
}

TEST(RoutingCostAware, UntriedAgentsAreOptimistic) {
  // Untried: confidence 1, cost 0 (the defaults): explored first.
  Fixture f(2);
  set_quality(f, 0, 0.9, 0.01);
  auto p = policy(cost_aware(0.8), 2);
  EXPECT_EQ(choose(*p, f), 1u);
}

// ---------------------------------------------------------------- LinUCB

TEST(RoutingLinUcb, TiesGoToTheLowestIndexAtStart) {
  Fixture f(3);
  auto p = policy("linucb", 3, 2);
  sim::RandomStream s = stream();
  EXPECT_EQ(p->choose(f.input(0, 2), s, nullptr, nullptr), 0u);
  EXPECT_EQ(p->choose(f.input(1, 2), s, nullptr, nullptr), 0u);
}

TEST(RoutingLinUcb, LearnsTheBestArmPerClass) {
  // Arm 1 is better for class 0, arm 0 for class 1.
  Fixture f(2);
  auto p = policy("linucb", 2, 2);
  const auto reward = [](std::uint32_t cls, std::size_t arm) {
    return (cls == 0) == (arm == 1) ? 0.9 : 0.2;
  };
  sim::RandomStream s = stream();
  std::array<std::array<int, 2>, 2> late{};  // [class][arm] picks over the last 100 rounds
  for (int t = 0; t < 400; ++t) {
    const auto cls = static_cast<std::uint32_t>(t % 2);
    const RouteInput in = f.input(cls, 2);
    const std::size_t arm = p->choose(in, s, nullptr, nullptr);
    ASSERT_LT(arm, 2u);
    p->learn(in, arm, reward(cls, arm));
    if (t >= 300) ++late[cls][arm];
  }
  sim::RandomStream s2 = stream();
  EXPECT_EQ(p->choose(f.input(0, 2), s2, nullptr, nullptr), 1u);
  EXPECT_EQ(p->choose(f.input(1, 2), s2, nullptr, nullptr), 0u);
  EXPECT_GE(late[0][1], 45) << "class 0 should mostly go to arm 1";
  EXPECT_GE(late[1][0], 45) << "class 1 should mostly go to arm 0";
}

TEST(RoutingLinUcb, SkipsIneligibleEvenWhenBest) {
  Fixture f(2);
  auto p = policy("linucb", 2, 1);
  for (int t = 0; t < 50; ++t) {
    p->learn(f.input(), 0, 1.0);
    p->learn(f.input(), 1, 0.0);
  }
  EXPECT_EQ(choose(*p, f), 0u);
  f.eligible = {false, true};
  EXPECT_EQ(choose(*p, f), 1u);
}

// ---------------------------------------------------------------- the shared contract

RoutingConfig config_for(const std::string& name, std::size_t n) {
  RoutingConfig c;
  c.policy = name;
  if (name == "weighted_random") c.weights.assign(n, 1.0);
  if (name == "cost_aware") c.min_confidence = 0.5;
  return c;
}

const std::vector<std::string>& all_policies() {
  static const std::vector<std::string> names = {"static",       "round_robin",  "weighted_random",
                                                 "least_loaded", "latency_ewma", "p2c",
                                                 "cost_aware",   "linucb"};
  return names;
}

TEST(RoutingContract, NameMatchesAndUnknownPoliciesThrow) {
  for (const std::string& name : all_policies()) {
    EXPECT_EQ(make_routing_policy(config_for(name, 3), 3, 1)->name(), name);
  }
  // A cascade's tiers are walked by the orchestrator; its router is static.
  EXPECT_EQ(policy("cascade", 3)->name(), "static");
  EXPECT_THROW(policy("fastest", 3), std::invalid_argument);
}

TEST(RoutingContract, ScoresAndReasonOnlyWhenAsked) {
  for (const std::string& name : all_policies()) {
    SCOPED_TRACE(name);
    Fixture f(3);
    f.candidates = {2, 0, 1};
    f.eligible = {true, false, true};
    f.tried(0, 20);
    f.tried(1, 30);
    f.tried(2, 40);
    f.fakes[1].set(1, 0, 2);
    auto p = make_routing_policy(config_for(name, 3), 3, 1);
    // Without pointers: just a choice.
    sim::RandomStream s = stream(7);
    const std::size_t quiet = p->choose(f.input(), s, nullptr, nullptr);
    EXPECT_NE(quiet, 1u);

    auto q = make_routing_policy(config_for(name, 3), 3, 1);
    sim::RandomStream s2 = stream(7);
    std::vector<RoutingCandidate> scores;
    std::string reason;
    const std::size_t loud = q->choose(f.input(), s2, &scores, &reason);
    EXPECT_EQ(loud, quiet) << "explaining must not change the choice";
    EXPECT_FALSE(reason.empty());
    ASSERT_EQ(scores.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(scores[i].agent, f.candidates[i]);
      EXPECT_EQ(scores[i].eligible, f.eligible[i]);
    }
  }
}

TEST(RoutingContract, OnlyRandomPoliciesDrawFromTheStream) {
  for (const std::string& name : all_policies()) {
    SCOPED_TRACE(name);
    Fixture f(4);
    for (std::size_t i = 0; i < 4; ++i) f.tried(i, 10.0 * static_cast<double>(i + 1));
    auto p = make_routing_policy(config_for(name, 4), 4, 1);
    const bool random = name == "weighted_random" || name == "p2c";
    EXPECT_EQ(p->uses_randomness(), random);
    for (int round = 0; round < 5; ++round) {
      sim::RandomStream s = stream(9);
      sim::RandomStream before = s;
      std::vector<RoutingCandidate> scores;
      std::string reason;
      p->choose(f.input(), s, round % 2 ? &scores : nullptr, round % 2 ? &reason : nullptr);
      if (random) {
        EXPECT_NE(before.next_u64(), s.next_u64()) << "round " << round;
      } else {
        EXPECT_EQ(before.next_u64(), s.next_u64()) << "round " << round;
        EXPECT_EQ(before.next_u64(), s.next_u64()) << "round " << round;
      }
    }
  }
}

}  // namespace
}  // namespace orchsim::orchestration
