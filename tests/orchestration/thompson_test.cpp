// thompson: its posteriors concentrate on the arm that pays off, per class
// when asked; its propensity is estimated (in (0, 1]) only when explaining,
// from a side stream, and is NaN otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "tests/orchestration/decision_fixture.hpp"

namespace orchsim::orchestration::thompson_test {
namespace {

using testing::chi_square;
using testing::choice_counts;
using testing::DecisionFixture;
using testing::outcome;

// `n` successes (with `confidence`) on `good` and `n` errors on `bad`.
void teach(RoutingPolicy& p, std::size_t good, std::size_t bad, int n, double confidence = 0.9,
           std::uint32_t cls = 0) {
  for (int i = 0; i < n; ++i) {
    p.observe(outcome(good, CallEnd::kSuccess, confidence, cls));
    p.observe(outcome(bad, CallEnd::kError, 0.0, cls));
  }
}

TEST(Thompson, UntrainedArmsAreDrawnEvenly) {
  DecisionFixture f(3);
  auto p = f.make("thompson");
  constexpr std::uint64_t kDraws = 30'000;
  const auto counts = choice_counts(f, *p, kDraws);
  EXPECT_LT(chi_square(counts, {1.0 / 3, 1.0 / 3, 1.0 / 3}, kDraws), 13.82);  // 2 dof
}

TEST(Thompson, TheBetaPosteriorConcentratesOnTheArmThatSucceeds) {
  DecisionFixture f(2);
  auto p = f.make("thompson");
  teach(*p, /*good=*/1, /*bad=*/0, 200);
  // Beta(201, 1) against Beta(1, 201): arm 0 wins a draw with probability ~1e-120.
  const auto counts = choice_counts(f, *p, 2'000);
  EXPECT_EQ(counts[1], 2'000u);
  // And the other way round.
  auto q = f.make("thompson");
  teach(*q, 0, 1, 200);
  EXPECT_EQ(choice_counts(f, *q, 2'000)[0], 2'000u);
}

TEST(Thompson, LearnsOnlineToAvoidAFailingArm) {
  // Arm 0 answers 20% of the time, arm 1 80%.
  DecisionFixture f(2);
  auto p = f.make("thompson");
  int late_good = 0;
  for (RequestId r = 0; r < 600; ++r) {
    const std::size_t arm = f.choose(*p, r).candidate;
    const bool answered = (r % 5 == 0) == (arm == 0);  // arm 0: 1 in 5; arm 1: 4 in 5
    p->observe(outcome(arm, answered ? CallEnd::kSuccess : CallEnd::kError, 0.9));
    if (r >= 500) late_good += arm == 1 ? 1 : 0;
  }
  EXPECT_GE(late_good, 85);
}

TEST(Thompson, AnswersBelowMinConfidenceAreFailures) {
  // Arm 0 always answers, unsure (0.3); arm 1 answers sure (0.9) half the time.
  DecisionFixture f(2);
  const auto train = [&](RoutingPolicy& p) {
    for (int i = 0; i < 100; ++i) {
      p.observe(outcome(0, CallEnd::kSuccess, 0.3));
      p.observe(outcome(0, CallEnd::kSuccess, 0.3));
      p.observe(outcome(1, CallEnd::kSuccess, 0.9));
      p.observe(outcome(1, CallEnd::kError));
    }
  };
  auto any_answer = f.make("thompson");
  train(*any_answer);
  EXPECT_EQ(choice_counts(f, *any_answer, 500)[0], 500u);
  auto sure_answer = f.make("thompson", R"({"min_confidence": 0.5})");
  train(*sure_answer);
  EXPECT_EQ(choice_counts(f, *sure_answer, 500)[1], 500u);
}

TEST(Thompson, CancelledAttemptsTeachNothing) {
  DecisionFixture f(2);
  auto fresh = f.make("thompson");
  auto told = f.make("thompson");
  for (int i = 0; i < 100; ++i) told->observe(outcome(0, CallEnd::kCancelled));
  for (RequestId r = 0; r < 50; ++r) {
    const Choice a = f.choose(*fresh, r, true);
    const Choice b = f.choose(*told, r, true);
    EXPECT_EQ(a.candidate, b.candidate);
    EXPECT_EQ(std::vector<double>(a.scores.begin(), a.scores.end()),
              std::vector<double>(b.scores.begin(), b.scores.end()));
  }
}

TEST(Thompson, NeverDrawsAnIneligibleArm) {
  DecisionFixture f(3);
  auto p = f.make("thompson");
  teach(*p, 1, 0, 100);  // the best arm is out
  f.eligible = {true, false, true};
  const auto counts = choice_counts(f, *p, 3'000);
  EXPECT_EQ(counts[1], 0u);
  EXPECT_GT(counts[0], 0u);
  EXPECT_GT(counts[2], counts[0]);  // untried (uniform prior) beats a failing arm
}

TEST(Thompson, ThePropensityIsOnlyEstimatedWhenExplaining) {
  DecisionFixture f(2);
  auto p = f.make("thompson");
  for (RequestId r = 0; r < 50; ++r) EXPECT_TRUE(std::isnan(f.choose(*p, r).probability));
  for (RequestId r = 0; r < 50; ++r) {
    const Choice c = f.choose(*p, r, true);
    EXPECT_GT(c.probability, 0.0);
    EXPECT_LE(c.probability, 1.0);
    // A share of 256 side draws.
    EXPECT_EQ(c.probability * 256, std::floor(c.probability * 256));
  }
}

TEST(Thompson, ThePropensityEstimatesTheShareOfDraws) {
  // Untrained, two arms: each is picked with probability 1/2, so the
  // estimates (256 draws each) average to 1/2.
  DecisionFixture f(2);
  auto p = f.make("thompson");
  double sum = 0;
  constexpr int kDecisions = 400;
  for (RequestId r = 0; r < kDecisions; ++r) {
    const double e = f.choose(*p, r, true).probability;
    EXPECT_GT(e, 0.35);
    EXPECT_LT(e, 0.65);
    sum += e;
  }
  // The mean of 400 x 256 Bernoulli(1/2) draws: sd 0.0016.
  EXPECT_NEAR(sum / kDecisions, 0.5, 0.01);
  // Concentrated: the winner is certain.
  teach(*p, 1, 0, 200);
  for (RequestId r = 0; r < 50; ++r) EXPECT_EQ(f.choose(*p, r, true).probability, 1.0);
  // One eligible arm: certain too.
  auto q = f.make("thompson");
  f.eligible = {false, true};
  EXPECT_EQ(f.choose(*q, 1, true).probability, 1.0);
}

TEST(Thompson, PerClassArmsAreIndependent) {
  // Class 0: arm 0 succeeds; class 1: arm 1 does.
  DecisionFixture f(2);
  auto p = f.make("thompson", R"({"per_class": true})", 2);
  teach(*p, 0, 1, 200, 0.9, /*cls=*/0);
  teach(*p, 1, 0, 200, 0.9, /*cls=*/1);
  for (RequestId r = 0; r < 500; ++r) {
    ASSERT_EQ(f.choose(*p, r, false, 0).candidate, 0u);
    ASSERT_EQ(f.choose(*p, r, false, 1).candidate, 1u);
  }
  // What class 0 taught says nothing about class 1: still the prior there.
  auto q = f.make("thompson", R"({"per_class": true})", 2);
  teach(*q, 0, 1, 200, 0.9, 0);
  std::vector<std::uint64_t> counts(2, 0);
  constexpr std::uint64_t kDraws = 10'000;
  for (RequestId r = 0; r < kDraws; ++r) ++counts[f.choose(*q, r, false, 1).candidate];
  EXPECT_LT(chi_square(counts, {0.5, 0.5}, kDraws), 10.83);
  // Without per_class, the arms are shared by every class.
  auto shared = f.make("thompson", {}, 2);
  teach(*shared, 0, 1, 200, 0.9, 0);
  for (RequestId r = 0; r < 500; ++r) ASSERT_EQ(f.choose(*shared, r, false, 1).candidate, 0u);
}

TEST(Thompson, AClassBeyondTheNodesClassesDrawsFromThePrior) {
  // With per_class arms, a class the node was not made for has none: its
  // decisions draw from the prior, and its outcomes are not learned.
  DecisionFixture f(2);
  auto p = f.make("thompson", R"({"per_class": true})", 1);
  teach(*p, 0, 1, 200, 0.9, /*cls=*/0);
  teach(*p, 0, 1, 200, 0.9, /*cls=*/5);
  std::vector<std::uint64_t> counts(2, 0);
  constexpr std::uint64_t kDraws = 10'000;
  for (RequestId r = 0; r < kDraws; ++r) ++counts[f.choose(*p, r, false, 5).candidate];
  EXPECT_LT(chi_square(counts, {0.5, 0.5}, kDraws), 10.83);
  EXPECT_EQ(f.choose(*p, 1, false, 0).candidate, 0u);
  // The last class index too (where (class + 1) would wrap to 0).
  constexpr std::uint32_t kLast = std::numeric_limits<std::uint32_t>::max();
  teach(*p, 0, 1, 200, 0.9, kLast);
  std::fill(counts.begin(), counts.end(), 0);
  for (RequestId r = 0; r < kDraws; ++r) ++counts[f.choose(*p, r, false, kLast).candidate];
  EXPECT_LT(chi_square(counts, {0.5, 0.5}, kDraws), 10.83);
}

TEST(Thompson, TheGaussianModelFollowsTheMeanReward) {
  // Both arms always answer; arm 1 with the higher confidence (the reward).
  DecisionFixture f(2);
  auto p = f.make("thompson", R"({"model": "gaussian"})");
  for (int i = 0; i < 100; ++i) {
    p->observe(outcome(0, CallEnd::kSuccess, 0.4));
    p->observe(outcome(1, CallEnd::kSuccess, 0.8));
  }
  // Posterior means ~0.4 and ~0.8, sd 0.025: arm 0 never wins.
  EXPECT_EQ(choice_counts(f, *p, 1'000)[1], 1'000u);
  // The Bernoulli model sees two arms that always answer: no preference.
  auto b = f.make("thompson");
  for (int i = 0; i < 100; ++i) {
    b->observe(outcome(0, CallEnd::kSuccess, 0.4));
    b->observe(outcome(1, CallEnd::kSuccess, 0.8));
  }
  const auto counts = choice_counts(f, *b, 10'000);
  EXPECT_LT(chi_square(counts, {0.5, 0.5}, 10'000), 10.83);
}

TEST(Thompson, TheGaussianPosteriorMeanIsExact) {
  // Prior N(0, prior_sd^2), known noise: one arm's only possible value with
  // a vanishing noise is its mean reward. With noise_sd tiny the draw is
  // the posterior mean, sum / n, to within 1e-9.
  DecisionFixture f(1);
  auto p = f.make("thompson", R"({"model": "gaussian", "noise_sd": 1e-9})");
  p->observe(outcome(0, CallEnd::kSuccess, 0.5));
  p->observe(outcome(0, CallEnd::kSuccess, 0.7));
  p->observe(outcome(0, CallEnd::kError));  // the reward's failure: 0
  const Choice c = f.choose(*p, 1, true);
  ASSERT_EQ(c.scores.size(), 1u);
  EXPECT_NEAR(c.scores[0], 0.4, 1e-6);
}

}  // namespace
}  // namespace orchsim::orchestration::thompson_test
