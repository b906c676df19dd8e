// How well a fitted distribution matches the sample it came from: the
// Kolmogorov-Smirnov distance (and its asymptotic p-value), the relative
// errors of the fitted p50, p90 and p99 against the measured ones, and
// measured-vs-fitted quantile pairs for plots (QQ, and both CDFs: the
// measured CDF is (measured_q, p), the fitted one (fitted_q, p)).
//
//   Goodness g = assess(sample, fit.distribution);
//   g.ks_distance;  g.quantiles[2].relative_error;   // p99
//
// The p-value treats the parameters as known; with estimated parameters the
// true one is smaller (Lilliefors), so read it as an upper bound. It uses
// the effective sample size for weighted samples and Stephens' correction
// (sqrt(n) + 0.12 + 0.11 / sqrt(n)) D. For a discrete fitted distribution
// it is not reported (NaN).
#pragma once

#include <vector>

#include "scenarios/calibration/sample.hpp"
#include "sim/distribution.hpp"

namespace orchsim::calibration {

struct QuantileError {
  double p = 0.0;
  double measured = 0.0;
  double fitted = 0.0;
  double relative_error = 0.0;  // (fitted - measured) / measured; 0 when both are 0
};

struct QuantilePair {
  double p = 0.0;
  double measured = 0.0;
  double fitted = 0.0;
};

struct Goodness {
  double ks_distance = 0.0;
  double ks_p_value = 0.0;
  std::vector<QuantileError> quantiles{};  // at kReportedQuantiles
  std::vector<QuantilePair> pairs{};       // at quantile_grid()
};

inline constexpr double kReportedQuantiles[] = {0.5, 0.9, 0.99};

// 0.001, 0.005, 0.01, 0.02, ..., 0.99, 0.995, 0.999: where pairs are taken.
const std::vector<double>& quantile_grid();

Goodness assess(const Sample& sample, const sim::Distribution& fitted);

// Kolmogorov's limiting distribution: P(sqrt(n) D > lambda).
double kolmogorov_survival(double lambda);

}  // namespace orchsim::calibration
