// Probability distributions with portable sampling and known moments.
//
// Every algorithm here is the project's own (the standard library's
// distributions differ between implementations), draws only from a
// RandomStream, and consumes a documented number of draws, so a given stream
// gives the same value on every machine and build.
//
// A `Distribution` is an immutable value: cheap to copy (shared), safe to
// read from many simulations at once. Factories validate their parameters and
// throw std::invalid_argument with a message naming the bad one; the scenario
// loader turns that into a diagnostic.
//
//   auto latency = sim::Distribution::lognormal_from_median_p99(120.0, 900.0);
//   double ms = latency.sample(stream);
//   std::optional<double> m = latency.mean();   // analytic, when it exists
//   double p = latency.cdf(500.0);              // used by goodness-of-fit tests
//
// Draws per sample: normal, lognormal and exponential use the ziggurat
// (sim/ziggurat.cpp): one 64-bit draw for ~98% of samples, more from the same
// stream for the rest (~1.02 draws per normal, ~1.034 per exponential); gamma
// is Marsaglia-Tsang rejection on those normals (a variable number). Every
// other family samples by inverse CDF from one uniform (uniform, Weibull,
// Pareto, bounded Pareto, Bernoulli, categorical, empirical, truncated);
// mixture = 1 + the component's.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/random.hpp"

namespace orchsim::sim {

class DistributionImpl;

// Special functions used by the families (exposed for testing).
namespace special {
// Standard normal CDF and its inverse (Wichura's AS241, ~1e-16 relative).
double normal_cdf(double z);
double normal_quantile(double p);
// Regularised lower incomplete gamma P(a, x).
double gamma_p(double a, double x);
}  // namespace special

// One Gamma(shape, 1) draw (shape > 0), as Distribution::gamma samples it:
// for samplers that change their shape every draw (Thompson sampling's Beta
// posteriors) without building a Distribution each time.
double sample_standard_gamma(RandomStream& s, double shape);

class Distribution {
 public:
  // --- Families ------------------------------------------------------------
  static Distribution constant(double value);
  // Uniform on [lo, hi).
  static Distribution uniform(double lo, double hi);
  // Rate lambda > 0; mean 1/lambda.
  static Distribution exponential(double rate);
  static Distribution exponential_mean(double mean) { return exponential(1.0 / mean); }
  static Distribution normal(double mean, double stddev);
  // exp(N(mu, sigma^2)).
  static Distribution lognormal(double mu, double sigma);
  // Lognormal with the given median and 99th percentile (p99 > median > 0):
  // mu = ln(median), sigma = ln(p99/median) / z_0.99, z_0.99 = 2.3263478740408408.
  static Distribution lognormal_from_median_p99(double median, double p99);
  // Lognormal with the given mean and standard deviation.
  static Distribution lognormal_from_mean_stddev(double mean, double stddev);
  // Shape k > 0, scale theta > 0; mean k*theta, variance k*theta^2.
  static Distribution gamma(double shape, double scale);
  // Shape k > 0, scale lambda > 0: F(x) = 1 - exp(-(x/lambda)^k).
  static Distribution weibull(double shape, double scale);
  // Scale x_m > 0, tail index alpha > 0: F(x) = 1 - (x_m/x)^alpha for x >= x_m.
  static Distribution pareto(double scale, double alpha);
  // Pareto restricted to [lo, hi], 0 < lo < hi, alpha > 0.
  static Distribution bounded_pareto(double lo, double hi, double alpha);
  // 1 with probability p, else 0.
  static Distribution bernoulli(double p);
  // Index i in [0, n) with probability weights[i] / sum(weights).
  static Distribution categorical(std::vector<double> weights);
  // Resamples the given values, each with equal probability (the empirical
  // distribution of the sample; a step CDF).
  static Distribution empirical_samples(std::vector<double> samples);
  // Piecewise-linear CDF through points (x, F(x)), x strictly increasing,
  // F non-decreasing from 0 at the first point to 1 at the last.
  static Distribution empirical_cdf(std::vector<std::pair<double, double>> points);
  // With probability weights[i] / sum(weights), a draw from components[i].
  static Distribution mixture(std::vector<double> weights, std::vector<Distribution> components);

  // --- Transformations -----------------------------------------------------
  // X + offset.
  Distribution shifted(double offset) const;
  // X conditioned on lo <= X <= hi (by inverse CDF: one uniform per draw).
  // Throws if the interval has zero probability.
  Distribution truncated(double lo, double hi) const;

  // --- Use -----------------------------------------------------------------
  // No virtual call for constant, normal and lognormal (the common latency
  // and token families): it runs several times per call. A constant is
  // answered inline (most agents' token times are), the rest in one call.
  double sample(RandomStream& s) const;
  double cdf(double x) const;
  // Inverse CDF for p in [0, 1] (numerical inversion where no closed form).
  double quantile(double p) const;
  // Analytic mean and variance; nullopt where undefined or infinite
  // (e.g. Pareto with alpha <= 1).
  std::optional<double> mean() const;
  std::optional<double> variance() const;
  // Human-readable, e.g. "lognormal(mu=4.787, sigma=0.8636)".
  std::string describe() const;
  // Whether the distribution only takes values in a discrete set (the KS test
  // does not apply as is).
  bool is_discrete() const;
  // Whether sample() takes no draw from its stream (a constant): a caller
  // whose every draw is from such distributions need not open the stream.
  bool draws_nothing() const { return fast_ == FastPath::kConstant; }

  Distribution();  // constant(0)
  explicit Distribution(std::shared_ptr<const DistributionImpl> impl);
  const DistributionImpl& impl() const { return *impl_; }

 private:
  // Families sampled without the virtual call; the factories set it, a
  // Distribution built from an impl directly takes the virtual path.
  enum class FastPath : std::uint8_t { kNone, kConstant, kNormal, kLognormal };
  Distribution with_fast_path(FastPath path, double a, double b) &&;
  double sample_drawn(RandomStream& s) const;  // every family but a constant

  std::shared_ptr<const DistributionImpl> impl_;
  FastPath fast_ = FastPath::kNone;
  double a_ = 0.0;  // constant: the value; normal: mean; lognormal: mu
  double b_ = 0.0;  // normal: stddev; lognormal: sigma
};

// Interface of one family. Implementations live in distribution.cpp; exposed
// so that tests and the scenario loader can add families without editing the
// value type.
class DistributionImpl {
 public:
  virtual ~DistributionImpl() = default;
  virtual double sample(RandomStream& s) const = 0;
  virtual double cdf(double x) const = 0;
  virtual double quantile(double p) const = 0;
  virtual std::optional<double> mean() const = 0;
  virtual std::optional<double> variance() const = 0;
  virtual std::string describe() const = 0;
  virtual bool is_discrete() const { return false; }
};

inline double Distribution::sample(RandomStream& s) const {
  return fast_ == FastPath::kConstant ? a_ : sample_drawn(s);
}

}  // namespace orchsim::sim
