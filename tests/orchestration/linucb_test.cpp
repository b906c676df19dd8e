// LinUCB (disjoint arms): learning on a stationary linear problem, the
// deterministic tie-break, and the Sherman-Morrison inverse against Eigen.
#include "orchestration/linucb.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace orchsim::orchestration::linucb_test {
namespace {

// Features x = (1, u1, u2) with u ~ U(0, 1); expected rewards linear in x.
// Arm 0 is best for small u1, arm 2 for large u1, arm 1 when u2 is large.
const std::vector<Eigen::Vector3d>& true_theta() {
  static const std::vector<Eigen::Vector3d> theta = {Eigen::Vector3d(0.8, -0.6, 0.0),
                                                     Eigen::Vector3d(0.1, 0.0, 0.7),
                                                     Eigen::Vector3d(0.0, 0.9, 0.0)};
  return theta;
}

Eigen::VectorXd features(sim::RandomStream& s) {
  Eigen::VectorXd x(3);
  x << 1.0, s.uniform01(), s.uniform01();
  return x;
}

struct BanditRun {
  double regret_first_half = 0, regret_second_half = 0;
  int late_rounds = 0, late_best = 0;
  std::vector<std::size_t> choices;
};

BanditRun run(std::uint64_t seed, int rounds, double alpha) {
  const sim::RandomSource rng(seed);
  sim::RandomStream context = rng.stream("linucb-test", "context");
  sim::RandomStream noise_stream = rng.stream("linucb-test", "noise");
  const sim::Distribution noise = sim::Distribution::normal(0.0, 0.1);
  LinUcb bandit(3, 3, alpha);
  BanditRun r;
  for (int t = 0; t < rounds; ++t) {
    const Eigen::VectorXd x = features(context);
    std::size_t best = 0;
    double best_mean = -1e9;
    for (std::size_t a = 0; a < 3; ++a) {
      const double m = true_theta()[a].dot(x);
      if (m > best_mean) {
        best_mean = m;
        best = a;
      }
    }
    const std::size_t arm = bandit.choose(x);
    r.choices.push_back(arm);
    const double mean = true_theta()[arm].dot(x);
    (t < rounds / 2 ? r.regret_first_half : r.regret_second_half) += best_mean - mean;
    if (t >= rounds * 3 / 4) {
      ++r.late_rounds;
      r.late_best += arm == best;
    }
    bandit.update(arm, x, mean + noise.sample(noise_stream));
  }
  return r;
}

TEST(LinUcb, RegretFallsOverTimeOnAStationaryProblem) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const BanditRun r = run(seed, 4'000, 0.5);
    EXPECT_GT(r.regret_first_half, 0.0) << "seed " << seed;
    // Measured: the second half has about 5% of the first half's regret.
    EXPECT_LT(r.regret_second_half, 0.2 * r.regret_first_half) << "seed " << seed;
  }
}

TEST(LinUcb, ChoosesTheBestArmInMoreThanNinetyPercentOfLateRounds) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const BanditRun r = run(seed, 4'000, 0.5);
    ASSERT_EQ(r.late_rounds, 1'000);
    EXPECT_GT(r.late_best, 900) << "seed " << seed;
  }
}

TEST(LinUcb, SameInputsGiveSameChoices) {
  EXPECT_EQ(run(9, 500, 1.0).choices, run(9, 500, 1.0).choices);
}

TEST(LinUcb, TiesGoToTheLowestIndex) {
  LinUcb bandit(4, 2, 1.0);
  Eigen::VectorXd x(2);
  x << 1.0, 0.5;
  EXPECT_EQ(bandit.choose(x), 0u);  // untrained: all bounds equal
  // Make arm 0 worse; arms 1..3 stay tied.
  bandit.update(0, x, -5.0);
  EXPECT_EQ(bandit.choose(x), 1u);
  // Arms 2 and 3 learn the same (better) thing: the tie between them goes to 2.
  bandit.update(2, x, 3.0);
  bandit.update(3, x, 3.0);
  EXPECT_EQ(bandit.ucb(2, x), bandit.ucb(3, x));
  EXPECT_EQ(bandit.choose(x), 2u);
}

TEST(LinUcb, UntrainedBoundIsAlphaTimesTheRidgeWidth) {
  LinUcb bandit(2, 3, 2.0, /*ridge=*/4.0);
  Eigen::VectorXd x(3);
  x << 1.0, 2.0, 2.0;  // |x| = 3; A^-1 = I/4: width = 3/2
  EXPECT_DOUBLE_EQ(bandit.estimate(0, x), 0.0);
  EXPECT_DOUBLE_EQ(bandit.ucb(0, x), 2.0 * 1.5);
  EXPECT_EQ(bandit.arms(), 2u);
  EXPECT_EQ(bandit.features(), 3u);
}

TEST(LinUcb, OneUpdateGivesTheRidgeRegressionSolution) {
  // A = I + x x', b = r x: theta = r x / (1 + |x|^2) by Sherman-Morrison.
  LinUcb bandit(1, 2, 1.0);
  Eigen::VectorXd x(2);
  x << 1.0, 2.0;
  bandit.update(0, x, 3.0);
  EXPECT_NEAR(bandit.estimate(0, x), 3.0 * 5.0 / 6.0, 1e-12);
  // Width: x' (I - x x' / 6) x = 5 - 25/6 = 5/6.
  EXPECT_NEAR(bandit.ucb(0, x) - bandit.estimate(0, x), std::sqrt(5.0 / 6.0), 1e-12);
  EXPECT_EQ(bandit.pulls(0), 1u);
}

// The class keeps A^-1 by Sherman-Morrison; check it against Eigen's inverse of
// A = ridge I + sum x x' after many updates. A^-1 is read back through the
// bound's width: w(e_i)^2 = M_ii, w(e_i + e_j)^2 = M_ii + M_jj + 2 M_ij.
TEST(LinUcb, ShermanMorrisonInverseMatchesADirectInverseAfterManyUpdates) {
  constexpr int kD = 5;
  const double ridge = 0.5;
  LinUcb bandit(2, kD, /*alpha=*/1.0, ridge);
  Eigen::MatrixXd a = ridge * Eigen::MatrixXd::Identity(kD, kD);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(kD);
  sim::RandomStream s = sim::RandomSource(5).stream("sherman-morrison");
  for (int t = 0; t < 2'000; ++t) {
    Eigen::VectorXd x(kD);
    for (int i = 0; i < kD; ++i) x(i) = s.uniform(-1.0, 1.0);
    const double reward = s.uniform(-2.0, 2.0);
    bandit.update(0, x, reward);
    a += x * x.transpose();
    b += reward * x;
  }
  const Eigen::MatrixXd direct = a.inverse();
  const Eigen::VectorXd theta = a.ldlt().solve(b);
  const auto width2 = [&](const Eigen::VectorXd& v) {
    const double w = bandit.ucb(0, v) - bandit.estimate(0, v);
    return w * w;
  };
  Eigen::MatrixXd m(kD, kD);
  for (int i = 0; i < kD; ++i) m(i, i) = width2(Eigen::VectorXd::Unit(kD, i));
  for (int i = 0; i < kD; ++i) {
    for (int j = 0; j < kD; ++j) {
      if (i != j) {
        const Eigen::VectorXd v = Eigen::VectorXd::Unit(kD, i) + Eigen::VectorXd::Unit(kD, j);
        m(i, j) = (width2(v) - m(i, i) - m(j, j)) / 2;
      }
    }
  }
  EXPECT_LT((m - direct).cwiseAbs().maxCoeff(), 1e-9 * direct.cwiseAbs().maxCoeff() + 1e-12);
  for (int i = 0; i < kD; ++i) {
    EXPECT_NEAR(bandit.estimate(0, Eigen::VectorXd::Unit(kD, i)), theta(i), 1e-9);
  }
  // The other arm was never updated.
  EXPECT_EQ(bandit.pulls(0), 2'000u);
  EXPECT_EQ(bandit.pulls(1), 0u);
  EXPECT_DOUBLE_EQ(bandit.ucb(1, Eigen::VectorXd::Unit(kD, 0)), std::sqrt(1.0 / ridge));
}

TEST(LinUcb, InvalidConfigurationsThrow) {
  EXPECT_THROW(LinUcb(0, 3, 1.0), std::invalid_argument);
  EXPECT_THROW(LinUcb(3, 0, 1.0), std::invalid_argument);
  EXPECT_THROW(LinUcb(3, 3, 1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(LinUcb(3, 3, 1.0, -1.0), std::invalid_argument);
}

}  // namespace
}  // namespace orchsim::orchestration::linucb_test
