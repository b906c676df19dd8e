// Round trips: samples drawn with orchsim's own distributions and known
// parameters fit back to parameters inside their confidence intervals, and
// those intervals cover the truth as often as they claim. Plus closed forms
// of each estimator.
#include "scenarios/calibration/family_fit.hpp"

#include <gtest/gtest.h>

#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "scenarios/calibration/goodness_of_fit.hpp"
#include "sim/random.hpp"

namespace orchsim::calibration::family_fit_test {
namespace {

constexpr double kZ95 = 1.959963984540054;

std::vector<double> draw(const sim::Distribution& d, std::size_t n, std::uint64_t seed) {
  sim::RandomStream s = sim::RandomSource(seed).stream("round_trip");
  std::vector<double> out(n);
  for (double& x : out) x = d.sample(s);
  return out;
}

void expect_covered(const FamilyFit& f, const char* name, double truth) {
  const Parameter* p = f.parameter(name);
  ASSERT_NE(p, nullptr) << name;
  EXPECT_LE(std::fabs(p->value - truth), kZ95 * p->std_error)
      << name << " = " << p->value << " +- " << kZ95 * p->std_error << ", truth " << truth;
}

TEST(RoundTrip, Lognormal) {
  const FamilyFit f =
      fit_lognormal(Sample::of(draw(sim::Distribution::lognormal(5.0, 0.6), 10'000, 1)));
  ASSERT_TRUE(f.ok) << f.failure;
  expect_covered(f, "mu", 5.0);
  expect_covered(f, "sigma", 0.6);
  EXPECT_EQ(f.json.dump(),
            nlohmann::ordered_json(
                {{"lognormal", {{"mu", f.parameters[0].value}, {"sigma", f.parameters[1].value}}}})
                .dump());
}

TEST(RoundTrip, Gamma) {
  const FamilyFit f = fit_gamma(Sample::of(draw(sim::Distribution::gamma(2.5, 40.0), 10'000, 2)));
  ASSERT_TRUE(f.ok) << f.failure;
  expect_covered(f, "shape", 2.5);
  expect_covered(f, "scale", 40.0);
}

TEST(RoundTrip, Weibull) {
  const FamilyFit f =
      fit_weibull(Sample::of(draw(sim::Distribution::weibull(1.7, 300.0), 10'000, 3)));
  ASSERT_TRUE(f.ok) << f.failure;
  expect_covered(f, "shape", 1.7);
  expect_covered(f, "scale", 300.0);
}

TEST(RoundTrip, ShiftedExponential) {
  const auto truth = sim::Distribution::exponential_mean(120.0).shifted(50.0);
  const FamilyFit f = fit_shifted_exponential(Sample::of(draw(truth, 10'000, 4)));
  ASSERT_TRUE(f.ok) << f.failure;
  expect_covered(f, "mean", 120.0);
  // The location estimate (the minimum) is never below the truth, and above
  // it by an Exp(n rate) amount: within 3 / (n rate) with probability 95%.
  const Parameter* loc = f.parameter("location");
  EXPECT_GE(loc->value, 50.0 - 1e-3);
  EXPECT_LE(loc->value - 50.0, 3.0 * loc->std_error);
}

TEST(RoundTrip, BodyAndParetoTail) {
  // 90% a lognormal truncated at its 90th percentile u, 10% a Pareto above u.
  const double mu = 5.0, sigma = 0.4, alpha = 2.5;
  const double u = std::exp(mu + sigma * 1.2815515655446004);
  const auto truth = sim::Distribution::mixture(
      {0.9, 0.1}, {sim::Distribution::lognormal(mu, sigma).truncated(0.0, u),
                   sim::Distribution::pareto(u, alpha)});
  const FamilyFit f = fit_body_pareto_tail(Sample::of(draw(truth, 10'000, 5)));
  ASSERT_TRUE(f.ok) << f.failure;
  expect_covered(f, "alpha", alpha);
  expect_covered(f, "tail_weight", 0.1);
  expect_covered(f, "mu", mu);
  expect_covered(f, "sigma", sigma);
  EXPECT_NEAR(f.parameter("threshold")->value, u, 0.02 * u);
}

TEST(RoundTrip, EmpiricalIsWithinTheDkwBand) {
  // Dvoretzky-Kiefer-Wolfowitz: sup |F_n - F| <= sqrt(ln(2/a) / (2n)) with
  // probability 1 - a (a = 0.001 for a test pinned to one seed); the compressed
  // empirical CDF is within 0.0015 of the sample's.
  const auto truth = sim::Distribution::lognormal(3.0, 1.0);
  const Sample s = Sample::of(draw(truth, 10'000, 6));
  const FamilyFit f = fit_empirical(s);
  ASSERT_TRUE(f.ok);
  const Goodness g = assess(s, truth);
  EXPECT_LT(g.ks_distance, std::sqrt(std::log(2 / 0.001) / (2 * 10'000.0)));
  EXPECT_LT(assess(s, f.distribution).ks_distance, 0.0015);
}

// Coverage: over many replications, each 95% interval should hold the truth
// about 95% of the time. 300 replications: 285 expected, sd 3.8; accept
// 270..297 (4 sd), which a wrong standard error (off by 20%) fails.
template <typename Fit>
void expect_coverage(const sim::Distribution& truth, Fit fit,
                     std::vector<std::pair<const char*, double>> params, std::uint64_t seed) {
  std::vector<int> covered(params.size(), 0);
  constexpr int kReplications = 300;
  for (int r = 0; r < kReplications; ++r) {
    const FamilyFit f = fit(Sample::of(draw(truth, 2000, seed * 1000 + r)));
    ASSERT_TRUE(f.ok);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Parameter* p = f.parameter(params[i].first);
      covered[i] += std::fabs(p->value - params[i].second) <= kZ95 * p->std_error ? 1 : 0;
    }
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_GE(covered[i], 270) << params[i].first;
    EXPECT_LE(covered[i], 297) << params[i].first;
  }
}

TEST(Coverage, LognormalIntervals) {
  expect_coverage(sim::Distribution::lognormal(2.0, 1.1), fit_lognormal,
                  {{"mu", 2.0}, {"sigma", 1.1}}, 11);
}
TEST(Coverage, GammaIntervals) {
  expect_coverage(sim::Distribution::gamma(0.8, 300.0), fit_gamma,
                  {{"shape", 0.8}, {"scale", 300.0}}, 12);
}
TEST(Coverage, WeibullIntervals) {
  expect_coverage(sim::Distribution::weibull(0.7, 50.0), fit_weibull,
                  {{"shape", 0.7}, {"scale", 50.0}}, 13);
}

TEST(Estimators, LognormalIsTheMeanAndSdOfLogs) {
  const FamilyFit f = fit_lognormal(Sample::of({1.0, std::exp(1.0), std::exp(2.0)}));
  ASSERT_TRUE(f.ok);
  EXPECT_DOUBLE_EQ(f.parameter("mu")->value, 1.0);
  EXPECT_NEAR(f.parameter("sigma")->value, std::sqrt(2.0 / 3.0), 1e-6);
}

TEST(Estimators, GammaShapeSolvesItsScoreEquation) {
  const std::vector<double> x = {3, 7, 8, 12, 20, 21, 30, 45};
  const FamilyFit f = fit_gamma(Sample::of(x));
  ASSERT_TRUE(f.ok);
  double mean = 0, mean_log = 0;
  for (double v : x) {
    mean += v / 8;
    mean_log += std::log(v) / 8;
  }
  const double k = f.parameter("shape")->value;
  EXPECT_NEAR(std::log(k) - boost::math::digamma(k), std::log(mean) - mean_log, 1e-5);
  EXPECT_NEAR(f.parameter("scale")->value * k, mean, 1e-4 * mean);
}

TEST(Estimators, WeibullShapeSolvesItsScoreEquation) {
  const std::vector<double> x = {3, 7, 8, 12, 20, 21, 30, 45};
  const FamilyFit f = fit_weibull(Sample::of(x));
  ASSERT_TRUE(f.ok);
  const double k = f.parameter("shape")->value, lambda = f.parameter("scale")->value;
  double a = 0, b = 0, mean_log = 0;
  for (double v : x) {
    a += std::pow(v, k);
    b += std::pow(v, k) * std::log(v);
    mean_log += std::log(v) / 8;
  }
  EXPECT_NEAR(b / a - 1.0 / k - mean_log, 0.0, 1e-5);
  EXPECT_NEAR(std::pow(a / 8, 1.0 / k), lambda, 1e-4 * lambda);
}

TEST(Estimators, ShiftedExponentialIsMinimumAndExcessMean) {
  const FamilyFit f = fit_shifted_exponential(Sample::of({10, 12, 14, 20}));
  ASSERT_TRUE(f.ok);
  EXPECT_DOUBLE_EQ(f.parameter("location")->value, 10.0);
  EXPECT_DOUBLE_EQ(f.parameter("mean")->value, 4.0);
  EXPECT_NEAR(f.log_likelihood, 4 * std::log(0.25) - 0.25 * 16, 1e-12);
  EXPECT_NEAR(f.aic, 4 - 2 * f.log_likelihood, 1e-12);
}

TEST(Estimators, NoSpreadIsReportedNotFitted) {
  const Sample constant = Sample::of({550, 550, 550});
  for (Family family :
       {Family::kLognormal, Family::kGamma, Family::kWeibull, Family::kShiftedExponential}) {
    const FamilyFit f = fit_family(family, constant);
    EXPECT_FALSE(f.ok) << to_string(family);
    EXPECT_NE(f.failure.find("no spread"), std::string::npos) << f.failure;
  }
  const FamilyFit e = fit_empirical(constant);
  EXPECT_EQ(e.json.dump(), R"({"constant":550.0})");
}

TEST(Estimators, NonPositiveValuesAreReported) {
  EXPECT_FALSE(fit_lognormal(Sample::of({0, 1, 2})).ok);
  EXPECT_FALSE(fit_gamma(Sample::of({-1, 1, 2})).ok);
  EXPECT_TRUE(fit_shifted_exponential(Sample::of({-1, 1, 2})).ok);
}

TEST(Empirical, WholeNumbersWithFewValuesAreExactFrequencies) {
  const FamilyFit f = fit_empirical(Sample::of({151, 151, 151, 27, 151}));
  EXPECT_EQ(f.json.dump(), R"({"mixture":[{"weight":1.0,"of":27.0},{"weight":4.0,"of":151.0}]})");
  EXPECT_DOUBLE_EQ(f.distribution.cdf(27), 0.2);
}

TEST(Empirical, SmallSamplesKeepEveryOrderStatistic) {
  // Its quantiles are the sample's, interpolated as NumPy does.
  const Sample s = Sample::of({1.5, 4.25, 2.0, 10.125, 3.0});
  const FamilyFit f = fit_empirical(s);
  for (double p : {0.1, 0.5, 0.9, 0.99}) {
    EXPECT_NEAR(f.distribution.quantile(p), s.quantile(p), 1e-9) << p;
  }
}

TEST(Rounding, SixSignificantDigits) {
  EXPECT_EQ(round_significant(0.123456789), 0.123457);
  EXPECT_EQ(round_significant(123456789.0), 123457000.0);
  EXPECT_EQ(round_significant(-2.5e-7), -2.5e-7);
}

}  // namespace
}  // namespace orchsim::calibration::family_fit_test
