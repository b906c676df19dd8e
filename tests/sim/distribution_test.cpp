// Tests for sim/distribution: goodness of fit of every family against its own cdf and moments,
// pinned analytic values, quantile/cdf round trips, golden samples (so a toolchain change cannot
// silently alter results), draw counts and parameter validation.
//
// The statistical tests use a fixed seed, so they are deterministic; their thresholds are set at
// p ~ 0.001 so that a wrong cdf, quantile, sampler or moment fails them.
#include "sim/distribution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace orchsim::sim::distribution_test {
namespace {

using special::gamma_p;
using special::normal_cdf;
using special::normal_quantile;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t kSeed = 20240611;
constexpr int kSamples = 200000;
// sqrt(n) D_n exceeds 1.95 with probability ~0.001 under the null (Kolmogorov distribution).
constexpr double kKsCritical = 1.95;
// Sample means within this many standard errors of the analytic mean.
constexpr double kStandardErrors = 5.0;

std::vector<double> draw(const Distribution& d, std::uint64_t stream_index, int n = kSamples) {
  RandomStream s = RandomSource(kSeed).stream("dist-test", stream_index);
  std::vector<double> xs(static_cast<std::size_t>(n));
  for (double& x : xs) x = d.sample(s);
  return xs;
}

// How many 64-bit draws `used` has consumed: the position in a fresh copy of the same stream
// whose next draw matches used's next draw (-1 if none within 10000).
int draws_consumed(RandomStream used, RandomStream fresh) {
  const std::uint64_t next = used.next_u64();
  for (int i = 0; i < 10000; ++i) {
    if (fresh.next_u64() == next) return i;
  }
  return -1;
}

struct SampleMoments {
  double mean = 0.0;
  double variance = 0.0;  // unbiased (n - 1)
  double fourth_central = 0.0;
};

SampleMoments moments_of(const std::vector<double>& xs) {
  const auto n = static_cast<double>(xs.size());
  double sum = 0.0;
  for (double x : xs) sum += x;
  SampleMoments m;
  m.mean = sum / n;
  double s2 = 0.0;
  double s4 = 0.0;
  for (double x : xs) {
    const double d2 = (x - m.mean) * (x - m.mean);
    s2 += d2;
    s4 += d2 * d2;
  }
  m.variance = s2 / (n - 1.0);
  m.fourth_central = s4 / n;
  return m;
}

// sqrt(n) * sup |F_n - F| for a continuous F.
double ks_statistic(std::vector<double> xs, const Distribution& d) {
  std::sort(xs.begin(), xs.end());
  const auto n = static_cast<double>(xs.size());
  double sup = 0.0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = d.cdf(xs[i]);
    sup = std::max({sup, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return std::sqrt(n) * sup;
}

enum class Tail {
  kLight,  // finite fourth moment: variance tolerance from its standard error
  kHeavy,  // fourth moment infinite, or its estimate unreliable: 5% relative
};

// Mean within 5 standard errors; variance within 5 standard errors of the sample variance, whose
// variance is (mu_4 - sigma^4) / n, or within 5% for heavy tails. Skips moments that are nullopt.
void expect_moments(const Distribution& d, const std::vector<double>& xs, Tail tail) {
  const SampleMoments m = moments_of(xs);
  const auto n = static_cast<double>(xs.size());
  if (const auto mean = d.mean()) {
    const double sigma2 = d.variance().value_or(m.variance);
    EXPECT_NEAR(m.mean, *mean, kStandardErrors * std::sqrt(sigma2 / n)) << d.describe();
  }
  if (const auto variance = d.variance()) {
    const double tolerance =
        tail == Tail::kLight
            ? kStandardErrors * std::sqrt((m.fourth_central - m.variance * m.variance) / n)
            : 0.05 * *variance;
    EXPECT_NEAR(m.variance, *variance, tolerance) << d.describe();
  }
}

void expect_continuous_fit(const Distribution& d, std::uint64_t stream_index,
                           Tail tail = Tail::kLight) {
  ASSERT_FALSE(d.is_discrete()) << d.describe();
  const std::vector<double> xs = draw(d, stream_index);
  expect_moments(d, xs, tail);
  EXPECT_LT(ks_statistic(xs, d), kKsCritical) << d.describe();
}

// Chi-square critical values at p = 0.001 by degrees of freedom.
double chi_square_critical(std::size_t df) {
  constexpr std::array<double, 8> kCritical = {0.0,    10.828, 13.816, 16.266,
                                               18.467, 20.515, 22.458, 24.322};
  return kCritical.at(df);
}

// Frequencies over the support (increasing) against cdf differences, plus moments.
void expect_discrete_fit(const Distribution& d, std::uint64_t stream_index,
                         const std::vector<double>& support) {
  ASSERT_TRUE(d.is_discrete()) << d.describe();
  const std::vector<double> xs = draw(d, stream_index);
  std::map<double, int> counts;
  for (double x : xs) ++counts[x];
  int counted = 0;
  double chi2 = 0.0;
  double previous_f = 0.0;
  for (double v : support) {
    const double f = d.cdf(v);
    const double expected = static_cast<double>(xs.size()) * (f - previous_f);
    previous_f = f;
    ASSERT_GT(expected, 5.0) << "support value " << v << " of " << d.describe();
    const auto it = counts.find(v);
    const double observed = it == counts.end() ? 0.0 : static_cast<double>(it->second);
    counted += it == counts.end() ? 0 : it->second;
    chi2 += (observed - expected) * (observed - expected) / expected;
  }
  EXPECT_NEAR(previous_f, 1.0, 1e-12) << "support misses mass of " << d.describe();
  EXPECT_EQ(counted, kSamples) << "samples outside the support of " << d.describe();
  EXPECT_LT(chi2, chi_square_critical(support.size() - 1)) << d.describe();
  expect_moments(d, xs, Tail::kLight);
}

// --- Goodness of fit: continuous families ------------------------------------------

// Distribution::sample has inline fast paths for some families; they must
// give exactly what the family's own sample() gives, draw for draw.
TEST(Distribution, FastPathSamplesMatchTheFamilyImplementation) {
  const Distribution families[] = {
      Distribution::constant(3.5),
      Distribution::normal(-1.0, 2.5),
      Distribution::lognormal(0.3, 0.9),
      Distribution::lognormal_from_median_p99(200.0, 900.0),
      Distribution::lognormal_from_mean_stddev(50.0, 40.0),
      Distribution(),
  };
  const RandomSource rng(11);
  for (const Distribution& d : families) {
    RandomStream fast = rng.stream("fast", d.describe());
    RandomStream slow = rng.stream("fast", d.describe());
    for (int i = 0; i < 2000; ++i) {
      const double a = d.sample(fast);
      const double b = d.impl().sample(slow);
      ASSERT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b))
          << d.describe() << " draw " << i;
    }
    EXPECT_EQ(fast.next_u64(), slow.next_u64()) << d.describe();
  }
}

TEST(DistributionFit, Uniform) { expect_continuous_fit(Distribution::uniform(2.0, 5.0), 1); }

TEST(DistributionFit, Exponential) { expect_continuous_fit(Distribution::exponential(2.0), 2); }

TEST(DistributionFit, Normal) { expect_continuous_fit(Distribution::normal(10.0, 3.0), 3); }

TEST(DistributionFit, Lognormal) { expect_continuous_fit(Distribution::lognormal(1.0, 0.5), 4); }

TEST(DistributionFit, LognormalFromMedianP99) {
  expect_continuous_fit(Distribution::lognormal_from_median_p99(120.0, 900.0), 5);
}

TEST(DistributionFit, LognormalFromMeanStddev) {
  expect_continuous_fit(Distribution::lognormal_from_mean_stddev(50.0, 20.0), 6);
}

TEST(DistributionFit, GammaShapeBelowOne) {
  expect_continuous_fit(Distribution::gamma(0.5, 2.0), 7);
}

TEST(DistributionFit, GammaShapeAboveOne) {
  expect_continuous_fit(Distribution::gamma(3.5, 1.5), 8);
}

TEST(DistributionFit, Weibull) { expect_continuous_fit(Distribution::weibull(1.5, 2.0), 9); }

TEST(DistributionFit, ParetoWithFiniteVariance) {
  // alpha = 5: the fourth moment is finite but its sample estimate is not reliable (the eighth
  // is infinite), so the variance gets a relative tolerance.
  expect_continuous_fit(Distribution::pareto(1.0, 5.0), 10, Tail::kHeavy);
}

TEST(DistributionFit, ParetoWithInfiniteVariance) {
  const Distribution d = Distribution::pareto(2.0, 1.5);
  EXPECT_FALSE(d.variance().has_value());
  const std::vector<double> xs = draw(d, 11);
  // No standard error exists for the mean; KS still applies.
  EXPECT_LT(ks_statistic(xs, d), kKsCritical);
}

TEST(DistributionFit, BoundedPareto) {
  expect_continuous_fit(Distribution::bounded_pareto(1.0, 1000.0, 1.2), 12);
}

TEST(DistributionFit, EmpiricalCdf) {
  // Includes a flat segment (3 to 3.5), which must receive no samples.
  const Distribution d =
      Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 0.2}, {3.0, 0.9}, {3.5, 0.9}, {10.0, 1.0}});
  expect_continuous_fit(d, 13);
  const std::vector<double> xs = draw(d, 13, 10000);
  EXPECT_TRUE(std::none_of(xs.begin(), xs.end(), [](double x) { return x > 3.0 && x < 3.5; }));
}

TEST(DistributionFit, Mixture) {
  const Distribution d = Distribution::mixture(
      {3.0, 7.0}, {Distribution::normal(0.0, 1.0), Distribution::lognormal(2.0, 0.3)});
  expect_continuous_fit(d, 14);
}

TEST(DistributionFit, Shifted) {
  expect_continuous_fit(Distribution::exponential(1.0).shifted(5.0), 15);
}

TEST(DistributionFit, TruncatedNormal) {
  expect_continuous_fit(Distribution::normal(0.0, 1.0).truncated(-1.0, 2.0), 16);
}

TEST(DistributionFit, TruncatedLognormalUpperTail) {
  expect_continuous_fit(Distribution::lognormal_from_median_p99(120.0, 900.0).truncated(0.0, 500.0),
                        17);
}

TEST(DistributionFit, TruncatedMixtureWithGap) {
  // The quantile function jumps across the gap (1, 2) in the support.
  const Distribution d = Distribution::mixture({1.0, 1.0}, {Distribution::uniform(0.0, 1.0),
                                                            Distribution::uniform(2.0, 3.0)})
                             .truncated(0.5, 2.5);
  expect_continuous_fit(d, 18);
  // Halves uniform on [0.5, 1] and [2, 2.5]: mean 1.5, variance 0.75^2 + 0.5^2 / 12.
  EXPECT_NEAR(*d.mean(), 1.5, 1e-9);
  EXPECT_NEAR(*d.variance(), 0.5625 + 0.25 / 12.0, 1e-9);
}

// --- Goodness of fit: discrete families ------------------------------------------

TEST(DistributionFit, Bernoulli) {
  expect_discrete_fit(Distribution::bernoulli(0.3), 20, {0.0, 1.0});
}

TEST(DistributionFit, CategoricalSkipsZeroWeights) {
  // Category 1 has weight 0: it gets no samples (the fit checks every sample is in the support).
  expect_discrete_fit(Distribution::categorical({1.0, 0.0, 2.0, 3.0, 4.0}), 21,
                      {0.0, 2.0, 3.0, 4.0});
}

TEST(DistributionFit, EmpiricalSamples) {
  expect_discrete_fit(Distribution::empirical_samples({8.0, 2.0, 1.0, 3.0, 2.0, 5.0, 8.0, 8.0}), 22,
                      {1.0, 2.0, 3.0, 5.0, 8.0});
}

TEST(DistributionFit, TruncatedCategorical) {
  // Keeps the atoms at both ends: P(1) : P(2) = 2 : 3.
  const Distribution d = Distribution::categorical({1.0, 2.0, 3.0, 4.0}).truncated(1.0, 2.0);
  expect_discrete_fit(d, 23, {1.0, 2.0});
  EXPECT_NEAR(*d.mean(), 1.6, 1e-12);
  EXPECT_NEAR(*d.variance(), 0.24, 1e-12);
  // The ends of the quantile function are the smallest and largest kept atoms.
  EXPECT_EQ(d.quantile(0.0), 1.0);
  EXPECT_EQ(d.quantile(0.39), 1.0);
  EXPECT_EQ(d.quantile(0.41), 2.0);
  EXPECT_EQ(d.quantile(1.0), 2.0);
}

// --- Analytic values ---------------------------------------------------------------

TEST(SpecialFunctions, NormalQuantileAndCdf) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(normal_quantile(0.01), -2.3263478740408408, 1e-12);
  // Far tail (the r > 5 branch of AS241).
  EXPECT_NEAR(normal_quantile(1e-20), -9.262340089798408, 1e-11);
  EXPECT_NEAR(normal_cdf(1.0), 0.8413447460685429, 1e-12);
  EXPECT_NEAR(normal_cdf(-1.0), 0.15865525393145707, 1e-12);
  EXPECT_NEAR(normal_cdf(0.0), 0.5, 1e-15);
  EXPECT_EQ(normal_quantile(0.0), -kInf);
  EXPECT_EQ(normal_quantile(1.0), kInf);
  for (double p : {1e-300, 1e-10, 0.001, 0.02, 0.3, 0.5, 0.7, 0.98, 0.999}) {
    EXPECT_NEAR(normal_cdf(normal_quantile(p)) / p, 1.0, 1e-13) << p;
  }
}

TEST(SpecialFunctions, RegularisedLowerIncompleteGamma) {
  EXPECT_NEAR(gamma_p(2.0, 1.0), 1.0 - 2.0 / std::numbers::e, 1e-12);
  EXPECT_NEAR(gamma_p(2.0, 1.0), 0.2642411176571153, 1e-12);
  // P(1, x) = 1 - e^-x on both sides of the series / continued fraction switch (x = a + 1).
  for (double x : {0.1, 1.5, 2.5, 10.0}) EXPECT_NEAR(gamma_p(1.0, x), -std::expm1(-x), 1e-14);
  // P(1/2, x) = erf(sqrt x).
  for (double x : {0.01, 1.0, 4.0}) EXPECT_NEAR(gamma_p(0.5, x), std::erf(std::sqrt(x)), 1e-14);
  EXPECT_EQ(gamma_p(3.0, 0.0), 0.0);
  EXPECT_EQ(gamma_p(3.0, kInf), 1.0);
}

TEST(DistributionAnalytic, LognormalFromMedianP99HitsItsQuantiles) {
  const Distribution d = Distribution::lognormal_from_median_p99(100.0, 1000.0);
  EXPECT_NEAR(d.quantile(0.5), 100.0, 1e-12);
  EXPECT_NEAR(d.quantile(0.99), 1000.0, 1e-12);
  EXPECT_NEAR(d.cdf(100.0), 0.5, 1e-12);
  EXPECT_NEAR(d.cdf(1000.0), 0.99, 1e-12);
}

TEST(DistributionAnalytic, LognormalFromMeanStddevHasThoseMoments) {
  const Distribution d = Distribution::lognormal_from_mean_stddev(50.0, 20.0);
  EXPECT_NEAR(*d.mean(), 50.0, 1e-12);
  EXPECT_NEAR(std::sqrt(*d.variance()), 20.0, 1e-12);
}

TEST(DistributionAnalytic, ExponentialMoments) {
  const Distribution d = Distribution::exponential(2.0);
  EXPECT_NEAR(*d.mean(), 0.5, 1e-12);
  EXPECT_NEAR(*d.variance(), 0.25, 1e-12);
  EXPECT_NEAR(*Distribution::exponential_mean(4.0).mean(), 4.0, 1e-12);
}

TEST(DistributionAnalytic, WeibullMoments) {
  const Distribution d = Distribution::weibull(2.0, 1.0);
  EXPECT_NEAR(*d.mean(), std::sqrt(std::numbers::pi) / 2.0, 1e-12);
  EXPECT_NEAR(*d.variance(), 1.0 - std::numbers::pi / 4.0, 1e-12);
}

TEST(DistributionAnalytic, ParetoMomentsExistOnlyForLargeEnoughAlpha) {
  const Distribution d = Distribution::pareto(1.0, 1.5);
  EXPECT_NEAR(*d.mean(), 3.0, 1e-12);
  EXPECT_FALSE(d.variance().has_value());
  EXPECT_FALSE(Distribution::pareto(1.0, 1.0).mean().has_value());
  EXPECT_NEAR(*Distribution::pareto(2.0, 3.0).variance(), 4.0 * 3.0 / (4.0 * 1.0), 1e-12);
}

TEST(DistributionAnalytic, GammaMomentsAndExponentialSpecialCase) {
  const Distribution d = Distribution::gamma(3.5, 1.5);
  EXPECT_NEAR(*d.mean(), 5.25, 1e-12);
  EXPECT_NEAR(*d.variance(), 3.5 * 2.25, 1e-12);
  const Distribution g1 = Distribution::gamma(1.0, 2.0);
  for (double x : {0.1, 1.0, 5.0, 20.0}) EXPECT_NEAR(g1.cdf(x), -std::expm1(-x / 2.0), 1e-14);
}

TEST(DistributionAnalytic, BoundedParetoMomentsIncludingSpecialAlphas) {
  const double lo = 1.0;
  const double hi = 100.0;
  // alpha = 1: E[X] = L ln(H/L) / (1 - L/H), E[X^2] = L H.
  const Distribution a1 = Distribution::bounded_pareto(lo, hi, 1.0);
  const double mean1 = lo * std::log(hi / lo) / (1.0 - lo / hi);
  EXPECT_NEAR(*a1.mean(), mean1, 1e-12);
  EXPECT_NEAR(*a1.variance(), lo * hi - mean1 * mean1, 1e-10);
  // alpha = 2: E[X] = 2 L H / (L + H), E[X^2] = 2 L^2 H^2 ln(H/L) / (H^2 - L^2).
  const Distribution a2 = Distribution::bounded_pareto(lo, hi, 2.0);
  const double mean2 = 2.0 * lo * hi / (lo + hi);
  EXPECT_NEAR(*a2.mean(), mean2, 1e-12);
  EXPECT_NEAR(*a2.variance(),
              2.0 * lo * lo * hi * hi * std::log(hi / lo) / (hi * hi - lo * lo) - mean2 * mean2,
              1e-10);
  // The general formula is continuous through the special cases.
  EXPECT_NEAR(*Distribution::bounded_pareto(lo, hi, 1.0 + 1e-9).mean(), mean1, 1e-7);
  EXPECT_NEAR(*Distribution::bounded_pareto(lo, hi, 2.0 - 1e-9).mean(), mean2, 1e-7);
  // General alpha against the textbook form alpha L^a (H^(1-a) - L^(1-a)) / ((1-a)(1-(L/H)^a)).
  const double a = 1.2;
  const double mean_general = a * std::pow(lo, a) * (std::pow(hi, 1 - a) - std::pow(lo, 1 - a)) /
                              ((1 - a) * (1 - std::pow(lo / hi, a)));
  EXPECT_NEAR(*Distribution::bounded_pareto(lo, hi, a).mean(), mean_general, 1e-12);
}

TEST(DistributionAnalytic, EmpiricalMoments) {
  const Distribution cdf =
      Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 0.2}, {3.0, 0.9}, {3.5, 0.9}, {10.0, 1.0}});
  // Segment masses 0.2, 0.7, 0, 0.1 with midpoints 0.5, 2, 3.25, 6.75.
  EXPECT_NEAR(*cdf.mean(), 0.2 * 0.5 + 0.7 * 2.0 + 0.1 * 6.75, 1e-12);
  const double second = 0.2 * (1.0 / 3.0) + 0.7 * (1.0 + 3.0 + 9.0) / 3.0 +
                        0.1 * (3.5 * 3.5 + 3.5 * 10.0 + 100.0) / 3.0;
  EXPECT_NEAR(*cdf.variance(), second - *cdf.mean() * *cdf.mean(), 1e-12);
  EXPECT_NEAR(cdf.quantile(0.55), 2.0, 1e-12);
  // The ends of the support, also when it starts with a flat segment.
  EXPECT_EQ(cdf.quantile(0.0), 0.0);
  EXPECT_EQ(cdf.quantile(1.0), 10.0);
  EXPECT_EQ(Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 0.0}, {2.0, 1.0}}).quantile(0.0), 1.0);
  EXPECT_NEAR(cdf.cdf(2.0), 0.55, 1e-12);

  const Distribution samples =
      Distribution::empirical_samples({8.0, 2.0, 1.0, 3.0, 2.0, 5.0, 8.0, 8.0});
  EXPECT_NEAR(*samples.mean(), 37.0 / 8.0, 1e-12);
  // Population variance: mean of squares minus squared mean.
  EXPECT_NEAR(*samples.variance(), 235.0 / 8.0 - (37.0 / 8.0) * (37.0 / 8.0), 1e-12);
  EXPECT_EQ(samples.quantile(0.5), 3.0);  // F(2) = 3/8, F(3) = 4/8
  EXPECT_NEAR(samples.cdf(7.9), 5.0 / 8.0, 1e-15);
}

TEST(DistributionAnalytic, MixtureMoments) {
  const Distribution d = Distribution::mixture(
      {1.0, 3.0}, {Distribution::normal(0.0, 1.0), Distribution::normal(4.0, 2.0)});
  EXPECT_NEAR(*d.mean(), 3.0, 1e-12);
  // sum w (sigma^2 + mu^2) - mu^2 = 0.25 * 1 + 0.75 * (4 + 16) - 9.
  EXPECT_NEAR(*d.variance(), 0.25 + 15.0 - 9.0, 1e-12);
  EXPECT_NEAR(d.cdf(1.0), 0.25 * normal_cdf(1.0) + 0.75 * normal_cdf(-1.5), 1e-15);
  EXPECT_FALSE(Distribution::mixture(
                   {1.0, 1.0}, {Distribution::normal(0.0, 1.0), Distribution::pareto(1.0, 0.5)})
                   .mean()
                   .has_value());
  EXPECT_TRUE(
      Distribution::mixture({1.0, 1.0}, {Distribution::constant(1.0), Distribution::bernoulli(0.5)})
          .is_discrete());
}

TEST(DistributionAnalytic, ShiftedMoments) {
  const Distribution d = Distribution::gamma(2.0, 3.0).shifted(-1.5);
  EXPECT_NEAR(*d.mean(), 4.5, 1e-12);
  EXPECT_NEAR(*d.variance(), 18.0, 1e-12);
  EXPECT_NEAR(d.cdf(0.5), gamma_p(2.0, 2.0 / 3.0), 1e-15);
}

TEST(DistributionAnalytic, TruncatedMomentsMatchClosedForms) {
  const auto phi = [](double z) {
    return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
  };
  // Normal on [a, b]: mean (phi(a) - phi(b)) / Z, variance 1 + (a phi(a) - b phi(b)) / Z - mean^2.
  const double a = -1.0;
  const double b = 2.0;
  const double z = normal_cdf(b) - normal_cdf(a);
  const double mean = (phi(a) - phi(b)) / z;
  const Distribution tn = Distribution::normal(0.0, 1.0).truncated(a, b);
  EXPECT_NEAR(*tn.mean(), mean, 1e-10);
  EXPECT_NEAR(*tn.variance(), 1.0 + (a * phi(a) - b * phi(b)) / z - mean * mean, 1e-10);

  // Half-normal: the integration has to cope with the unbounded upper tail.
  const Distribution half = Distribution::normal(0.0, 1.0).truncated(0.0, kInf);
  EXPECT_NEAR(*half.mean(), std::sqrt(2.0 / std::numbers::pi), 1e-9);
  EXPECT_NEAR(*half.variance(), 1.0 - 2.0 / std::numbers::pi, 1e-9);

  // Exponential(1) on [1, 3]: integrals of x e^-x and x^2 e^-x.
  const Distribution te = Distribution::exponential(1.0).truncated(1.0, 3.0);
  const double mass = std::exp(-1.0) - std::exp(-3.0);
  const double m1 = (2.0 * std::exp(-1.0) - 4.0 * std::exp(-3.0)) / mass;
  const double m2 = (5.0 * std::exp(-1.0) - 17.0 * std::exp(-3.0)) / mass;
  EXPECT_NEAR(*te.mean(), m1, 1e-10);
  EXPECT_NEAR(*te.variance(), m2 - m1 * m1, 1e-10);

  // A Pareto truncated to a finite interval is a bounded Pareto (closed form there).
  const Distribution tp = Distribution::pareto(1.0, 0.5).truncated(2.0, 10.0);
  const Distribution bp = Distribution::bounded_pareto(2.0, 10.0, 0.5);
  EXPECT_NEAR(*tp.mean(), *bp.mean(), 1e-9 * *bp.mean());
  EXPECT_NEAR(*tp.variance(), *bp.variance(), 1e-9 * *bp.variance());
  EXPECT_NEAR(tp.cdf(5.0), bp.cdf(5.0), 1e-14);

  // Keeping an infinite tail keeps an infinite moment.
  EXPECT_FALSE(Distribution::pareto(1.0, 0.5).truncated(2.0, kInf).mean().has_value());
  EXPECT_FALSE(Distribution::pareto(1.0, 1.5).truncated(2.0, kInf).variance().has_value());
  EXPECT_TRUE(Distribution::pareto(1.0, 1.5).truncated(2.0, kInf).mean().has_value());

  // A Bernoulli conditioned on [0.5, 2] is always 1.
  const Distribution tb = Distribution::bernoulli(0.3).truncated(0.5, 2.0);
  RandomStream s = RandomSource(kSeed).stream("dist-test", 30);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(tb.sample(s), 1.0);
  EXPECT_NEAR(*tb.mean(), 1.0, 1e-12);
  EXPECT_NEAR(*tb.variance(), 0.0, 1e-12);
}

TEST(DistributionAnalytic, ConstantAndDefault) {
  const Distribution d;
  RandomStream s = RandomSource(kSeed).stream("dist-test", 31);
  EXPECT_EQ(d.sample(s), 0.0);
  EXPECT_EQ(draws_consumed(s, RandomSource(kSeed).stream("dist-test", 31)), 0);
  EXPECT_EQ(*d.mean(), 0.0);
  EXPECT_EQ(*d.variance(), 0.0);
  EXPECT_TRUE(d.is_discrete());
  const Distribution c = Distribution::constant(7.5);
  EXPECT_EQ(c.sample(s), 7.5);
  EXPECT_EQ(c.cdf(7.4), 0.0);
  EXPECT_EQ(c.cdf(7.5), 1.0);
  EXPECT_EQ(c.quantile(0.3), 7.5);
}

TEST(DistributionAnalytic, Describe) {
  EXPECT_EQ(Distribution::lognormal(4.787, 0.8636).describe(), "lognormal(mu=4.787, sigma=0.8636)");
  EXPECT_EQ(Distribution::exponential(2.0).shifted(1.0).describe(),
            "shifted(exponential(rate=2), offset=1)");
  EXPECT_EQ(Distribution::mixture({1.0, 3.0},
                                  {Distribution::constant(1.0), Distribution::uniform(0.0, 1.0)})
                .describe(),
            "mixture(0.25*constant(1), 0.75*uniform(lo=0, hi=1))");
}

// --- Quantile / cdf round trips ----------------------------------------------------

TEST(DistributionQuantile, RoundTripsThroughCdf) {
  const std::vector<Distribution> families = {
      Distribution::uniform(2.0, 5.0),
      Distribution::exponential(2.0),
      Distribution::normal(10.0, 3.0),
      Distribution::lognormal_from_median_p99(120.0, 900.0),
      Distribution::gamma(0.5, 2.0),
      Distribution::gamma(3.5, 1.5),
      Distribution::weibull(1.5, 2.0),
      Distribution::pareto(1.0, 1.5),
      Distribution::bounded_pareto(1.0, 1000.0, 1.2),
      Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 0.2}, {3.0, 0.9}, {10.0, 1.0}}),
      Distribution::mixture({3.0, 7.0},
                            {Distribution::normal(0.0, 1.0), Distribution::gamma(2.0, 1.0)}),
      Distribution::exponential(1.0).shifted(5.0),
      Distribution::normal(0.0, 1.0).truncated(-1.0, 2.0),
      Distribution::gamma(2.0, 1.0).truncated(1.0, 4.0),
  };
  for (const Distribution& d : families) {
    for (double p : {0.001, 0.1, 0.5, 0.9, 0.999}) {
      const double x = d.quantile(p);
      EXPECT_NEAR(d.cdf(x), p, 1e-12) << d.describe() << " p=" << p;
      EXPECT_NEAR(d.quantile(d.cdf(x)), x, 1e-9 * std::max(1.0, std::fabs(x)))
          << d.describe() << " p=" << p;
    }
  }
}

// --- Golden samples ------------------------------------------------------------------

// The first five samples from RandomSource(42).stream("golden", 1), pinned so that a change of
// compiler, libm or algorithm cannot alter simulation results silently.
std::vector<double> golden(const Distribution& d) {
  RandomStream s = RandomSource(42).stream("golden", 1);
  std::vector<double> xs(5);
  for (double& x : xs) x = d.sample(s);
  return xs;
}

void expect_golden(const Distribution& d, const std::vector<double>& expected) {
  const std::vector<double> xs = golden(d);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    // Exact: 17 significant digits round-trip, and a golden value allows no ULPs of drift.
    EXPECT_EQ(xs[i], expected[i]) << d.describe() << " sample " << i;
  }
}

TEST(DistributionGolden, Exponential) {
  expect_golden(Distribution::exponential(2.0),
                {1.5670472543560179, 0.089343791915390283, 0.052647503093251433, 0.8515444032436158,
                 0.23553969614317447});
}

TEST(DistributionGolden, LognormalFromMedianP99) {
  expect_golden(Distribution::lognormal_from_median_p99(120.0, 900.0),
                {668.70937622485985, 137.35607340435249, 132.7365312159676, 39.497789889669136,
                 83.955384226536978});
}

TEST(DistributionGolden, GammaShapeBelowOne) {
  expect_golden(Distribution::gamma(0.5, 2.0),
                {0.097052283139621637, 0.13745053682512934, 0.54136708933361521,
                 0.14678676737144561, 0.0094300782420388592});
}

TEST(DistributionGolden, BoundedPareto) {
  expect_golden(Distribution::bounded_pareto(1.0, 1000.0, 1.2),
                {3.5030581421492966, 1.0860889330677588, 1.0913807030756322, 2.3066402543378368,
                 1.2716928039380957});
}

// --- Draw counts -----------------------------------------------------------------------

TEST(DistributionDraws, InverseCdfFamiliesUseOneDrawPerSample) {
  const std::vector<Distribution> families = {
      Distribution::uniform(0.0, 1.0),
      Distribution::weibull(2.0, 1.0),
      Distribution::pareto(1.0, 2.0),
      Distribution::bounded_pareto(1.0, 10.0, 1.0),
      Distribution::bernoulli(0.5),
      Distribution::categorical({1.0, 2.0}),
      Distribution::empirical_samples({1.0, 2.0, 3.0}),
      Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 1.0}}),
      Distribution::normal(0.0, 1.0).truncated(0.0, 1.0),
  };
  for (const Distribution& d : families) {
    RandomStream s = RandomSource(kSeed).stream("dist-test", 40);
    for (int i = 0; i < 100; ++i) d.sample(s);
    EXPECT_EQ(draws_consumed(s, RandomSource(kSeed).stream("dist-test", 40)), 100) << d.describe();
  }
  // A mixture spends one draw on the choice of component.
  const Distribution m = Distribution::mixture(
      {1.0, 1.0}, {Distribution::uniform(0.0, 1.0), Distribution::weibull(1.0, 1.0)});
  RandomStream s = RandomSource(kSeed).stream("dist-test", 41);
  for (int i = 0; i < 100; ++i) m.sample(s);
  EXPECT_EQ(draws_consumed(s, RandomSource(kSeed).stream("dist-test", 41)), 200);
}

// Ziggurat families take one draw for ~98% of samples and a few more for the
// rest (a wedge or tail test): ~1.02 draws per normal, ~1.034 per exponential.
TEST(DistributionDraws, ZigguratFamiliesUseOneDrawForMostSamples) {
  const std::vector<Distribution> families = {
      Distribution::exponential(1.0),
      Distribution::normal(0.0, 1.0),
      Distribution::lognormal(0.0, 1.0),
  };
  for (const Distribution& d : families) {
    RandomStream s = RandomSource(kSeed).stream("dist-test", 42);
    constexpr int kZigguratSamples = 5000;  // draws_consumed looks 10000 draws ahead
    for (int i = 0; i < kZigguratSamples; ++i) d.sample(s);
    const auto draws = draws_consumed(s, RandomSource(kSeed).stream("dist-test", 42));
    EXPECT_GT(draws, kZigguratSamples) << d.describe();  // some samples do take more
    EXPECT_LT(draws, kZigguratSamples + kZigguratSamples / 20) << d.describe();
  }
}

// --- Validation ------------------------------------------------------------------------

TEST(DistributionValidation, RejectsBadParameters) {
  EXPECT_THROW(Distribution::uniform(1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::exponential(0.0), std::invalid_argument);
  EXPECT_THROW(Distribution::exponential(kNaN), std::invalid_argument);
  EXPECT_THROW(Distribution::normal(0.0, -1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::normal(kInf, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal_from_mean_stddev(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::gamma(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::weibull(1.0, kInf), std::invalid_argument);
  EXPECT_THROW(Distribution::pareto(1.0, -2.0), std::invalid_argument);
  EXPECT_THROW(Distribution::bounded_pareto(5.0, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::bernoulli(1.5), std::invalid_argument);
  EXPECT_THROW(Distribution::categorical({}), std::invalid_argument);
  EXPECT_THROW(Distribution::categorical({1.0, -1.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::categorical({0.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical_samples({}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical_samples({1.0, kNaN}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical_cdf({{0.0, 0.0}, {0.0, 1.0}}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 0.5}}), std::invalid_argument);
  EXPECT_THROW(Distribution::empirical_cdf({{0.0, 0.0}, {1.0, 0.6}, {2.0, 0.5}, {3.0, 1.0}}),
               std::invalid_argument);
  EXPECT_THROW(Distribution::mixture({1.0}, {}), std::invalid_argument);
  EXPECT_THROW(Distribution::normal(0.0, 1.0).shifted(kNaN), std::invalid_argument);
}

TEST(DistributionValidation, RejectsEmptyTruncation) {
  EXPECT_THROW(Distribution::uniform(0.0, 1.0).truncated(2.0, 3.0), std::invalid_argument);
  EXPECT_THROW(Distribution::normal(0.0, 1.0).truncated(1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(Distribution::categorical({1.0, 1.0}).truncated(0.2, 0.8), std::invalid_argument);
  EXPECT_THROW(Distribution::normal(0.0, 1.0).truncated(kNaN, 1.0), std::invalid_argument);
}

TEST(DistributionValidation, MessageNamesFamilyParameterAndValue) {
  try {
    Distribution::lognormal_from_median_p99(120.0, 50.0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "lognormal_from_median_p99: p99 (50) must be greater than median (120)");
  }
  try {
    Distribution::gamma(-0.5, 1.0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "gamma: shape (-0.5) must be positive and finite");
  }
}

}  // namespace
}  // namespace orchsim::sim::distribution_test
