// epsilon_greedy: untried candidates first, then the highest mean reward;
// with probability epsilon a uniformly random eligible candidate instead.
// Its propensity is exact: (1 - e) + e/m for the greedy candidate and e/m
// for each other one of the m eligible.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::epsilon_greedy_test {
namespace {

using testing::chi_square;
using testing::choice_counts;
using testing::DecisionFixture;
using testing::outcome;

TEST(EpsilonGreedy, UntriedCandidatesFirstThenTheHighestMean) {
  DecisionFixture f(3);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0})");
  EXPECT_EQ(f.choose(*p).candidate, 0u);
  p->observe(outcome(0, CallEnd::kSuccess, 0.9));
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  p->observe(outcome(1, CallEnd::kSuccess, 0.5));
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  p->observe(outcome(2, CallEnd::kSuccess, 0.95));
  EXPECT_EQ(f.choose(*p).candidate, 2u);
  p->observe(outcome(2, CallEnd::kError));  // mean 0.475
  EXPECT_EQ(f.choose(*p).candidate, 0u);
}

TEST(EpsilonGreedy, ScoresAreTheNegatedMeanRewards) {
  DecisionFixture f(3);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0})");
  p->observe(outcome(0, CallEnd::kSuccess, 0.5));
  p->observe(outcome(0, CallEnd::kSuccess, 0.7));
  p->observe(outcome(0, CallEnd::kCancelled, 0.0));  // no reward: not counted
  p->observe(outcome(1, CallEnd::kSuccess, 0.65));
  const Choice c = f.choose(*p, 1, true);
  ASSERT_EQ(c.scores.size(), 3u);
  EXPECT_DOUBLE_EQ(c.scores[0], -0.6);
  EXPECT_DOUBLE_EQ(c.scores[1], -0.65);
  EXPECT_EQ(c.scores[2], -std::numeric_limits<double>::infinity());  // untried
  EXPECT_EQ(c.candidate, 2u);
  p->observe(outcome(2, CallEnd::kTimeout));  // a failure is worth reward.failure: 0
  EXPECT_EQ(f.choose(*p, 1, true).scores[2], 0.0);
  EXPECT_EQ(f.choose(*p).candidate, 1u);
  EXPECT_EQ(f.choose(*p, 1, true).reason, "exploit: highest mean reward (scores are -mean)");
}

// Arm 1 the greedy one.
void train(RoutingPolicy& p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    p.observe(outcome(i, i == 1 ? CallEnd::kSuccess : CallEnd::kError, 0.9));
  }
}

TEST(EpsilonGreedy, ThePropensityIsExact) {
  for (const double e : {0.0, 0.3, 1.0}) {
    SCOPED_TRACE(e);
    DecisionFixture f(4);
    auto p = f.make("epsilon_greedy", fmt::format(R"({{"epsilon": {}}})", e));
    train(*p, 4);
    for (const std::vector<bool>& eligible :
         {std::vector<bool>{true, true, true, true}, std::vector<bool>{true, true, false, true}}) {
      f.eligible = eligible;
      const double m = eligible[2] ? 4.0 : 3.0;
      for (RequestId r = 0; r < 400; ++r) {
        const Choice c = f.choose(*p, r, r % 2 == 0);
        ASSERT_TRUE(eligible[c.candidate]);
        const double expected = c.candidate == 1 ? (1 - e) + e / m : e / m;
        EXPECT_DOUBLE_EQ(c.probability, expected) << "request " << r << " picked " << c.candidate;
      }
    }
  }
}

TEST(EpsilonGreedy, ExploresUniformlyWithProbabilityEpsilon) {
  DecisionFixture f(3);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0.3})");
  train(*p, 3);
  constexpr std::uint64_t kDraws = 30'000;
  const auto counts = choice_counts(f, *p, kDraws);
  // Greedy 0.7 + 0.1; the others 0.1 each (2 dof: 13.82).
  EXPECT_LT(chi_square(counts, {0.1, 0.8, 0.1}, kDraws), 13.82)
      << counts[0] << " " << counts[1] << " " << counts[2];
  // The reasons say which it was.
  std::uint64_t explored = 0;
  for (RequestId r = 0; r < 2'000; ++r) {
    explored += f.choose(*p, r, true).reason == "explore: uniformly random" ? 1 : 0;
  }
  EXPECT_LT(chi_square({explored, 2'000 - explored}, {0.3, 0.7}, 2'000), 10.83);
}

TEST(EpsilonGreedy, NeverExploresAnIneligibleCandidate) {
  DecisionFixture f(3);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 1})");
  train(*p, 3);
  f.eligible = {true, false, true};  // the greedy one is out too
  constexpr std::uint64_t kDraws = 10'000;
  const auto counts = choice_counts(f, *p, kDraws);
  EXPECT_EQ(counts[1], 0u);
  EXPECT_LT(chi_square({counts[0], counts[2]}, {0.5, 0.5}, kDraws), 10.83);
}

TEST(EpsilonGreedy, ZeroEpsilonIsGreedyWithCertainty) {
  DecisionFixture f(3);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0})");
  train(*p, 3);
  for (RequestId r = 0; r < 1'000; ++r) {
    const Choice c = f.choose(*p, r);
    ASSERT_EQ(c.candidate, 1u);
    ASSERT_EQ(c.probability, 1.0);
  }
}

TEST(EpsilonGreedy, PerClassArmsAreIndependent) {
  DecisionFixture f(2);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0, "per_class": true})", 2);
  p->observe(outcome(0, CallEnd::kSuccess, 0.9, 0));
  p->observe(outcome(1, CallEnd::kSuccess, 0.2, 0));
  p->observe(outcome(0, CallEnd::kSuccess, 0.1, 1));
  EXPECT_EQ(f.choose(*p, 1, false, 0).candidate, 0u);
  EXPECT_EQ(f.choose(*p, 1, false, 1).candidate, 1u);  // untried in class 1
  p->observe(outcome(1, CallEnd::kSuccess, 0.05, 1));
  EXPECT_EQ(f.choose(*p, 1, false, 1).candidate, 0u);
  EXPECT_EQ(f.choose(*p, 1, false, 0).candidate, 0u);
  // Shared arms: class 1 sees what class 0 taught.
  auto q = f.make("epsilon_greedy", R"({"epsilon": 0})", 2);
  q->observe(outcome(0, CallEnd::kSuccess, 0.9, 0));
  q->observe(outcome(1, CallEnd::kSuccess, 0.2, 0));
  EXPECT_EQ(f.choose(*q, 1, false, 1).candidate, 0u);
}

TEST(EpsilonGreedy, AClassBeyondTheNodesClassesHasLearnedNothing) {
  // An orchestrator left at class_count 1 may still see requests of class 3:
  // with per_class arms, that class has no arms of its own. It decides from
  // the prior (every arm untried) and its outcomes are not learned.
  DecisionFixture f(2);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0, "per_class": true})", 2);
  for (std::uint32_t cls = 0; cls < 2; ++cls) {
    p->observe(outcome(0, CallEnd::kError, 0.0, cls));
    p->observe(outcome(1, CallEnd::kSuccess, 0.9, cls));
  }
  constexpr std::uint32_t kLast = std::numeric_limits<std::uint32_t>::max();
  for (const std::uint32_t cls : {2u, 3u, kLast}) {
    SCOPED_TRACE(cls);
    p->observe(outcome(1, CallEnd::kSuccess, 0.9, cls));
    const Choice c = f.choose(*p, 1, true, cls);
    ASSERT_EQ(c.scores.size(), 2u);
    EXPECT_EQ(c.scores[0], -std::numeric_limits<double>::infinity());
    EXPECT_EQ(c.scores[1], -std::numeric_limits<double>::infinity());
    EXPECT_EQ(c.candidate, 0u);
  }
  EXPECT_EQ(f.choose(*p, 1, false, 1).candidate, 1u);  // the known classes are unchanged
}

TEST(EpsilonGreedy, TheRewardIsConfigurable) {
  // Priced per dollar: the expensive confident arm loses.
  DecisionFixture f(2);
  auto p = f.make("epsilon_greedy", R"({"epsilon": 0, "reward": {"cost_per_usd": 10}})");
  AttemptOutcome pricey = outcome(0, CallEnd::kSuccess, 0.9);
  pricey.cost_usd = 0.05;
  p->observe(pricey);
  p->observe(outcome(1, CallEnd::kSuccess, 0.6));
  const Choice c = f.choose(*p, 1, true);
  EXPECT_DOUBLE_EQ(c.scores[0], -0.4);
  EXPECT_EQ(c.candidate, 1u);
}

}  // namespace
}  // namespace orchsim::orchestration::epsilon_greedy_test
