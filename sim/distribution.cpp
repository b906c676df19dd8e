// Distribution families, transformations and the special functions they need.
//
// Determinism rules followed throughout: every draw comes from the RandomStream
// passed in, the number of draws per sample is fixed (except gamma's rejection
// loop), and only correctly specified libm functions are used, so a stream gives
// the same values on every build of this toolchain.
#include "sim/distribution.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string_view>

namespace orchsim::sim {

// ---------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------
namespace special {

double normal_cdf(double z) {
  // 0.5 * erfc(-z / sqrt 2): erfc keeps full relative precision in the lower tail.
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

namespace {
// c[0] + c[1] r + ... + c[7] r^7 by Horner's rule, highest coefficient first (as in AS241).
// Unrolled: GCC -O2 kept the loop (6 instructions a term instead of 2, twice
// per quantile); the operations and their order are the same.
inline double polynomial(const std::array<double, 8>& c, double r) {
  double v = c[7];
#pragma GCC unroll 8
  for (std::size_t i = 7; i-- > 0;) v = v * r + c[i];
  return v;
}

// AS241 coefficients, lowest power first: central region |p - 0.5| <= 0.425 ...
constexpr std::array<double, 8> kCentralNumerator = {
    3.387132872796366608,  133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
    45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727};
constexpr std::array<double, 8> kCentralDenominator = {1.0,
                                                       42.313330701600911252,
                                                       687.1870074920579083,
                                                       5394.1960214247511077,
                                                       21213.794301586595867,
                                                       39307.89580009271061,
                                                       28729.085735721942674,
                                                       5226.495278852545925};
// ... tails with r = sqrt(-ln(min(p, 1 - p))) <= 5 ...
constexpr std::array<double, 8> kNearNumerator = {
    1.42343711074968357734,   4.6303378461565452959,   5.7694972214606914055,
    3.64784832476320460504,   1.27045825245236838258,  0.24178072517745061177,
    0.0227238449892691845833, 7.7454501427834140764e-4};
constexpr std::array<double, 8> kNearDenominator = {1.0,
                                                    2.05319162663775882187,
                                                    1.6763848301838038494,
                                                    0.68976733498510000455,
                                                    0.14810397642748007459,
                                                    0.0151986665636164571966,
                                                    5.475938084995344946e-4,
                                                    1.05075007164441684324e-9};
// ... and far tails, r > 5.
constexpr std::array<double, 8> kFarNumerator = {
    6.6579046435011037772,     5.4637849111641143699,    1.7848265399172913358,
    0.29656057182850489123,    0.026532189526576123093,  0.0012426609473880784386,
    2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr std::array<double, 8> kFarDenominator = {1.0,
                                                   0.59983220655588793769,
                                                   0.13692988092273580531,
                                                   0.0148753612908506148525,
                                                   7.868691311456132591e-4,
                                                   1.8463183175100546818e-5,
                                                   1.4215117583164458887e-7,
                                                   2.04426310338993978564e-15};
}  // namespace

double normal_quantile(double p) {
  // Wichura (1988), Algorithm AS241 PPND16: rational approximations, ~1e-16 relative.
  if (std::isnan(p)) return p;
  if (p <= 0.0) return -std::numeric_limits<double>::infinity();
  if (p >= 1.0) return std::numeric_limits<double>::infinity();
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * polynomial(kCentralNumerator, r) / polynomial(kCentralDenominator, r);
  }
  // Tails: work with the smaller of p and 1 - p, which is exact in the lower tail.
  const double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
  const double value =
      r <= 5.0 ? polynomial(kNearNumerator, r - 1.6) / polynomial(kNearDenominator, r - 1.6)
               : polynomial(kFarNumerator, r - 5.0) / polynomial(kFarDenominator, r - 5.0);
  return q < 0.0 ? -value : value;
}

}  // namespace special

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// z_0.99: Phi(kZ99) = 0.99.
constexpr double kZ99 = 2.3263478740408408;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// P(a, x) with log Gamma(a) supplied, so that families can precompute it: std::lgamma writes the
// global `signgam`, which would be a data race between simulations sharing a Distribution.
double gamma_p_impl(double a, double x, double log_gamma_a) {
  if (std::isnan(a) || std::isnan(x) || a <= 0.0 || x < 0.0) return kNaN;
  if (x == 0.0) return 0.0;
  if (x == kInf) return 1.0;
  // Common factor x^a e^-x / Gamma(a), in logs to avoid overflow.
  const double log_prefactor = a * std::log(x) - x - log_gamma_a;
  constexpr int kMaxIterations = 100000;  // the series needs ~sqrt(a) terms for x near a
  if (x < a + 1.0) {
    // Series (Numerical Recipes gser): P = prefactor * sum_n x^n / (a (a+1) ... (a+n)).
    double ap = a;
    double term = 1.0 / a;
    double sum = term;
    for (int n = 0; n < kMaxIterations; ++n) {
      ap += 1.0;
      term *= x / ap;
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * kEps) break;
    }
    return std::min(1.0, sum * std::exp(log_prefactor));
  }
  // Continued fraction for Q (Numerical Recipes gcf, modified Lentz); P = 1 - Q.
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < kMaxIterations; ++i) {
    const double an = -static_cast<double>(i) * (static_cast<double>(i) - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < kEps) break;
  }
  return std::max(0.0, 1.0 - std::exp(log_prefactor) * h);
}

}  // namespace

namespace special {
double gamma_p(double a, double x) {
  // Regularised lower incomplete gamma: series below a + 1, continued fraction above.
  return gamma_p_impl(a, x, std::lgamma(a));
}
}  // namespace special

namespace {

using special::normal_cdf;
using special::normal_quantile;

// --- Parameter validation ------------------------------------------------------

[[noreturn]] void invalid(std::string_view family, std::string_view what) {
  throw std::invalid_argument(fmt::format("{}: {}", family, what));
}

void require_finite(std::string_view family, std::string_view name, double v) {
  if (!std::isfinite(v)) invalid(family, fmt::format("{} ({}) must be finite", name, v));
}

void require_positive(std::string_view family, std::string_view name, double v) {
  if (!(std::isfinite(v) && v > 0.0)) {
    invalid(family, fmt::format("{} ({}) must be positive and finite", name, v));
  }
}

// Cumulative normalised weights. The running sum is formed in the same order as the total, so the
// entry of the last positive weight is exactly 1 and a uniform in [0, 1) always finds a slot.
std::vector<double> cumulative_probabilities(std::string_view family,
                                             const std::vector<double>& weights) {
  if (weights.empty()) invalid(family, "weights must not be empty");
  double total = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    if (!(std::isfinite(w) && w >= 0.0)) {
      invalid(family, fmt::format("weights[{}] ({}) must be finite and non-negative", i, w));
    }
    total += w;
  }
  if (!(total > 0.0 && std::isfinite(total))) {
    invalid(family, fmt::format("weights must have a positive finite sum (sum is {})", total));
  }
  std::vector<double> cumulative(weights.size());
  double running = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    running += weights[i];
    cumulative[i] = running / total;
  }
  return cumulative;
}

// Index chosen by u in [0, 1): the first slot whose cumulative probability exceeds u, which skips
// zero-weight slots.
std::size_t pick_slot(const std::vector<double>& cumulative, double u) {
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

// Smallest slot whose cumulative probability reaches p (the generalised inverse); p <= 0 gives the
// first slot with positive probability.
std::size_t quantile_slot(const std::vector<double>& cumulative, double p) {
  const auto it = p > 0.0 ? std::lower_bound(cumulative.begin(), cumulative.end(), p)
                          : std::upper_bound(cumulative.begin(), cumulative.end(), 0.0);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

// --- Numerical inversion ---------------------------------------------------------

// Doubles in increasing order map to increasing unsigned keys (sign-magnitude to offset binary).
std::uint64_t order_key(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  return (bits & kSign) != 0 ? ~bits : bits | kSign;
}

double from_order_key(std::uint64_t key) {
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  return std::bit_cast<double>((key & kSign) != 0 ? key & ~kSign : ~key);
}

// Generalised inverse of a non-decreasing `cdf` on [lo, hi], given cdf(hi) >= p: the smallest
// double x there with cdf(x) >= p. Bisects the bit patterns rather than the values, so it reaches
// adjacent doubles in at most 64 evaluations whatever the scale of the bracket.
template <class Cdf>
double invert_cdf(const Cdf& cdf, double p, double lo, double hi) {
  if (cdf(lo) >= p) return lo;
  std::uint64_t below = order_key(lo);  // cdf < p
  std::uint64_t above = order_key(hi);  // cdf >= p
  while (above - below > 1) {
    const std::uint64_t mid = below + (above - below) / 2;
    if (cdf(from_order_key(mid)) >= p) {
      above = mid;
    } else {
      below = mid;
    }
  }
  return from_order_key(above);
}

// Closed-form moments can overflow for extreme parameters; that is "infinite", i.e. nullopt.
std::optional<double> finite_or_none(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::string format_weights(const std::vector<double>& cumulative) {
  std::string out;
  double previous = 0.0;
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("{:.6g}", cumulative[i] - previous);
    previous = cumulative[i];
  }
  return out;
}

// --- Families -----------------------------------------------------------------

class ConstantImpl final : public DistributionImpl {
 public:
  explicit ConstantImpl(double value) : value_(value) {}
  // Consumes no draws.
  double sample(RandomStream&) const override { return value_; }
  double cdf(double x) const override { return x < value_ ? 0.0 : 1.0; }
  double quantile(double p) const override { return std::isnan(p) ? p : value_; }
  std::optional<double> mean() const override { return value_; }
  std::optional<double> variance() const override { return 0.0; }
  std::string describe() const override { return fmt::format("constant({:.6g})", value_); }
  bool is_discrete() const override { return true; }

 private:
  double value_;
};

class UniformImpl final : public DistributionImpl {
 public:
  UniformImpl(double lo, double hi) : lo_(lo), hi_(hi) {}
  // lo + (hi - lo) u.
  double sample(RandomStream& s) const override { return quantile(s.uniform01()); }
  double cdf(double x) const override { return std::clamp((x - lo_) / (hi_ - lo_), 0.0, 1.0); }
  double quantile(double p) const override { return lo_ + (hi_ - lo_) * p; }
  std::optional<double> mean() const override { return 0.5 * (lo_ + hi_); }
  std::optional<double> variance() const override { return (hi_ - lo_) * (hi_ - lo_) / 12.0; }
  std::string describe() const override {
    return fmt::format("uniform(lo={:.6g}, hi={:.6g})", lo_, hi_);
  }

 private:
  double lo_;
  double hi_;
};

class ExponentialImpl final : public DistributionImpl {
 public:
  explicit ExponentialImpl(double rate) : rate_(rate) {}
  // Ziggurat Exp(1) / rate (RandomStream::standard_exponential).
  double sample(RandomStream& s) const override { return s.standard_exponential() / rate_; }
  double cdf(double x) const override { return x <= 0.0 ? 0.0 : -std::expm1(-rate_ * x); }
  double quantile(double p) const override { return -std::log1p(-p) / rate_; }
  std::optional<double> mean() const override { return 1.0 / rate_; }
  std::optional<double> variance() const override { return 1.0 / (rate_ * rate_); }
  std::string describe() const override { return fmt::format("exponential(rate={:.6g})", rate_); }

 private:
  double rate_;
};

class NormalImpl final : public DistributionImpl {
 public:
  NormalImpl(double mean, double stddev) : mean_(mean), stddev_(stddev) {}
  // Ziggurat standard normal, scaled (RandomStream::standard_normal).
  double sample(RandomStream& s) const override { return mean_ + stddev_ * s.standard_normal(); }
  double cdf(double x) const override { return normal_cdf((x - mean_) / stddev_); }
  double quantile(double p) const override { return mean_ + stddev_ * normal_quantile(p); }
  std::optional<double> mean() const override { return mean_; }
  std::optional<double> variance() const override { return stddev_ * stddev_; }
  std::string describe() const override {
    return fmt::format("normal(mean={:.6g}, stddev={:.6g})", mean_, stddev_);
  }

 private:
  double mean_;
  double stddev_;
};

class LognormalImpl final : public DistributionImpl {
 public:
  LognormalImpl(double mu, double sigma) : mu_(mu), sigma_(sigma) {}
  // exp(mu + sigma z), z a ziggurat standard normal.
  double sample(RandomStream& s) const override {
    return std::exp(mu_ + sigma_ * s.standard_normal());
  }
  double cdf(double x) const override {
    return x <= 0.0 ? 0.0 : normal_cdf((std::log(x) - mu_) / sigma_);
  }
  double quantile(double p) const override { return std::exp(mu_ + sigma_ * normal_quantile(p)); }
  std::optional<double> mean() const override {
    return finite_or_none(std::exp(mu_ + 0.5 * sigma_ * sigma_));
  }
  std::optional<double> variance() const override {
    const double s2 = sigma_ * sigma_;
    return finite_or_none(std::expm1(s2) * std::exp(2.0 * mu_ + s2));
  }
  std::string describe() const override {
    return fmt::format("lognormal(mu={:.6g}, sigma={:.6g})", mu_, sigma_);
  }

 private:
  double mu_;
  double sigma_;
};

// Marsaglia & Tsang (2000) with ziggurat normals, for shape k with
// d = max(k, k + 1 if k < 1) - 1/3 and c = 1 / sqrt(9 d); for k < 1,
// X_k = X_{k+1} U^{1/k}. A Gamma(k, 1) draw.
double marsaglia_tsang_gamma(RandomStream& s, double shape, double d, double c) {
  double x = 0.0;
  for (;;) {
    double z = 0.0;
    double v = 0.0;
    do {
      z = s.standard_normal();
      v = 1.0 + c * z;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = s.uniform_open01();
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) {
      x = d * v;
      break;
    }
  }
  if (shape < 1.0) x *= std::pow(s.uniform_open01(), 1.0 / shape);
  return x;
}

class GammaImpl final : public DistributionImpl {
 public:
  GammaImpl(double shape, double scale)
      : shape_(shape),
        scale_(scale),
        log_gamma_shape_(std::lgamma(shape)),
        d_((shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0),
        c_(1.0 / std::sqrt(9.0 * d_)) {}

  double sample(RandomStream& s) const override {
    return marsaglia_tsang_gamma(s, shape_, d_, c_) * scale_;
  }
  double cdf(double x) const override {
    return x <= 0.0 ? 0.0 : gamma_p_impl(shape_, x / scale_, log_gamma_shape_);
  }
  double quantile(double p) const override {
    // Numerical inversion: bracket by doubling, then bisection to adjacent doubles.
    if (std::isnan(p)) return p;
    if (p <= 0.0) return 0.0;
    if (p >= 1.0) return kInf;
    const auto standard_cdf = [this](double y) {
      return gamma_p_impl(shape_, y, log_gamma_shape_);
    };
    double hi = std::max(1.0, shape_);
    while (standard_cdf(hi) < p) {
      hi *= 2.0;
      if (!std::isfinite(hi)) return kInf;
    }
    return scale_ * invert_cdf(standard_cdf, p, 0.0, hi);
  }
  std::optional<double> mean() const override { return shape_ * scale_; }
  std::optional<double> variance() const override { return shape_ * scale_ * scale_; }
  std::string describe() const override {
    return fmt::format("gamma(shape={:.6g}, scale={:.6g})", shape_, scale_);
  }

 private:
  double shape_;
  double scale_;
  double log_gamma_shape_;
  double d_;  // Marsaglia-Tsang constants for shape max(k, k + 1)
  double c_;
};

class WeibullImpl final : public DistributionImpl {
 public:
  WeibullImpl(double shape, double scale) : shape_(shape), scale_(scale) {}
  // lambda (-ln u)^(1/k).
  double sample(RandomStream& s) const override {
    return scale_ * std::pow(-std::log(s.uniform_open01()), 1.0 / shape_);
  }
  double cdf(double x) const override {
    return x <= 0.0 ? 0.0 : -std::expm1(-std::pow(x / scale_, shape_));
  }
  double quantile(double p) const override {
    return scale_ * std::pow(-std::log1p(-p), 1.0 / shape_);
  }
  std::optional<double> mean() const override {
    return finite_or_none(scale_ * std::tgamma(1.0 + 1.0 / shape_));
  }
  std::optional<double> variance() const override {
    const double g1 = std::tgamma(1.0 + 1.0 / shape_);
    return finite_or_none(scale_ * scale_ * (std::tgamma(1.0 + 2.0 / shape_) - g1 * g1));
  }
  std::string describe() const override {
    return fmt::format("weibull(shape={:.6g}, scale={:.6g})", shape_, scale_);
  }

 private:
  double shape_;
  double scale_;
};

class ParetoImpl final : public DistributionImpl {
 public:
  ParetoImpl(double scale, double alpha) : scale_(scale), alpha_(alpha) {}
  // x_m u^(-1/alpha), u in (0, 1).
  double sample(RandomStream& s) const override {
    return scale_ * std::pow(s.uniform_open01(), -1.0 / alpha_);
  }
  double cdf(double x) const override {
    return x <= scale_ ? 0.0 : -std::expm1(alpha_ * std::log(scale_ / x));
  }
  double quantile(double p) const override { return scale_ * std::pow(1.0 - p, -1.0 / alpha_); }
  std::optional<double> mean() const override {
    if (alpha_ <= 1.0) return std::nullopt;
    return alpha_ * scale_ / (alpha_ - 1.0);
  }
  std::optional<double> variance() const override {
    if (alpha_ <= 2.0) return std::nullopt;
    const double am1 = alpha_ - 1.0;
    return scale_ * scale_ * alpha_ / (am1 * am1 * (alpha_ - 2.0));
  }
  std::string describe() const override {
    return fmt::format("pareto(scale={:.6g}, alpha={:.6g})", scale_, alpha_);
  }

 private:
  double scale_;
  double alpha_;
};

class BoundedParetoImpl final : public DistributionImpl {
 public:
  BoundedParetoImpl(double lo, double hi, double alpha)
      : lo_(lo),
        hi_(hi),
        alpha_(alpha),
        log_ratio_(std::log(lo / hi)),
        mass_(-std::expm1(alpha * log_ratio_)) {}

  // Inverse CDF of one uniform.
  double sample(RandomStream& s) const override { return quantile(s.uniform01()); }
  double cdf(double x) const override {
    // F(x) = (1 - (L/x)^alpha) / (1 - (L/H)^alpha).
    if (x <= lo_) return 0.0;
    if (x >= hi_) return 1.0;
    return std::min(1.0, -std::expm1(alpha_ * std::log(lo_ / x)) / mass_);
  }
  double quantile(double p) const override {
    if (std::isnan(p)) return p;
    const double x = lo_ * std::pow(1.0 - std::clamp(p, 0.0, 1.0) * mass_, -1.0 / alpha_);
    return std::clamp(x, lo_, hi_);
  }
  std::optional<double> mean() const override { return raw_moment(1.0); }
  std::optional<double> variance() const override {
    const double m = raw_moment(1.0);
    return std::max(0.0, raw_moment(2.0) - m * m);
  }
  std::string describe() const override {
    return fmt::format("bounded_pareto(lo={:.6g}, hi={:.6g}, alpha={:.6g})", lo_, hi_, alpha_);
  }

 private:
  // E[X^m] = alpha L^m (1 - r^(alpha-m)) / ((alpha - m) (1 - r^alpha)), r = L/H. The factor
  // (1 - r^t) / t is formed with expm1 and tends to -ln r as t -> 0, which is the closed form
  // for alpha = m (alpha = 1 for the mean, alpha = 2 for the second moment), so it is used there.
  double raw_moment(double m) const {
    const double t = alpha_ - m;
    const double factor = t == 0.0 ? -log_ratio_ : -std::expm1(t * log_ratio_) / t;
    return alpha_ * std::pow(lo_, m) * factor / mass_;
  }

  double lo_;
  double hi_;
  double alpha_;
  double log_ratio_;  // ln(L/H) < 0
  double mass_;       // 1 - (L/H)^alpha
};

class BernoulliImpl final : public DistributionImpl {
 public:
  explicit BernoulliImpl(double p) : p_(p) {}
  // 1 if u < p.
  double sample(RandomStream& s) const override { return s.uniform01() < p_ ? 1.0 : 0.0; }
  double cdf(double x) const override {
    if (x < 0.0) return 0.0;
    return x < 1.0 ? 1.0 - p_ : 1.0;
  }
  double quantile(double q) const override {
    if (std::isnan(q)) return q;
    if (q <= 0.0) return p_ < 1.0 ? 0.0 : 1.0;
    return q <= 1.0 - p_ ? 0.0 : 1.0;
  }
  std::optional<double> mean() const override { return p_; }
  std::optional<double> variance() const override { return p_ * (1.0 - p_); }
  std::string describe() const override { return fmt::format("bernoulli(p={:.6g})", p_); }
  bool is_discrete() const override { return true; }

 private:
  double p_;
};

class CategoricalImpl final : public DistributionImpl {
 public:
  explicit CategoricalImpl(std::vector<double> cumulative) : cumulative_(std::move(cumulative)) {
    double previous = 0.0;
    double mean = 0.0;
    for (std::size_t i = 0; i < cumulative_.size(); ++i) {
      mean += (cumulative_[i] - previous) * static_cast<double>(i);
      previous = cumulative_[i];
    }
    double variance = 0.0;
    previous = 0.0;
    for (std::size_t i = 0; i < cumulative_.size(); ++i) {
      const double d = static_cast<double>(i) - mean;
      variance += (cumulative_[i] - previous) * d * d;
      previous = cumulative_[i];
    }
    mean_ = mean;
    variance_ = variance;
  }
  // Inverse CDF by binary search over the cumulative weights.
  double sample(RandomStream& s) const override {
    return static_cast<double>(pick_slot(cumulative_, s.uniform01()));
  }
  double cdf(double x) const override {
    if (std::isnan(x)) return x;  // the index conversion below needs a number
    if (x < 0.0) return 0.0;
    const double i = std::floor(x);
    if (i >= static_cast<double>(cumulative_.size() - 1)) return 1.0;
    return cumulative_[static_cast<std::size_t>(i)];
  }
  double quantile(double p) const override {
    if (std::isnan(p)) return p;
    return static_cast<double>(quantile_slot(cumulative_, p));
  }
  std::optional<double> mean() const override { return mean_; }
  std::optional<double> variance() const override { return variance_; }
  std::string describe() const override {
    return fmt::format("categorical(p=[{}])", format_weights(cumulative_));
  }
  bool is_discrete() const override { return true; }

 private:
  std::vector<double> cumulative_;
  double mean_ = 0.0;
  double variance_ = 0.0;
};

class EmpiricalSamplesImpl final : public DistributionImpl {
 public:
  explicit EmpiricalSamplesImpl(std::vector<double> samples) : sorted_(std::move(samples)) {
    std::sort(sorted_.begin(), sorted_.end());
    const auto n = static_cast<double>(sorted_.size());
    // Distinct values with cumulative frequencies: cdf and quantile then share one table, which
    // keeps them exact inverses of each other.
    for (std::size_t i = 0; i < sorted_.size(); ++i) {
      if (i + 1 == sorted_.size() || sorted_[i + 1] != sorted_[i]) {
        values_.push_back(sorted_[i]);
        cumulative_.push_back(static_cast<double>(i + 1) / n);
      }
    }
    double sum = 0.0;
    for (double x : sorted_) sum += x;
    mean_ = sum / n;
    double squares = 0.0;
    for (double x : sorted_) squares += (x - mean_) * (x - mean_);
    variance_ = squares / n;  // population variance: this is the distribution of the sample
  }
  // Index floor(u n): exactly one uniform, where below(n) could reject and draw again.
  double sample(RandomStream& s) const override {
    const auto n = sorted_.size();
    const auto i = static_cast<std::size_t>(s.uniform01() * static_cast<double>(n));
    return sorted_[std::min(i, n - 1)];
  }
  double cdf(double x) const override {
    const auto it = std::upper_bound(values_.begin(), values_.end(), x);
    return it == values_.begin() ? 0.0
                                 : cumulative_[static_cast<std::size_t>(it - values_.begin()) - 1];
  }
  double quantile(double p) const override {
    if (std::isnan(p)) return p;
    return values_[quantile_slot(cumulative_, p)];
  }
  std::optional<double> mean() const override { return mean_; }
  std::optional<double> variance() const override { return variance_; }
  std::string describe() const override {
    return fmt::format("empirical_samples(n={}, min={:.6g}, max={:.6g})", sorted_.size(),
                       sorted_.front(), sorted_.back());
  }
  bool is_discrete() const override { return true; }

 private:
  std::vector<double> sorted_;
  std::vector<double> values_;      // distinct, increasing
  std::vector<double> cumulative_;  // fraction of samples <= values_[i]
  double mean_ = 0.0;
  double variance_ = 0.0;
};

class EmpiricalCdfImpl final : public DistributionImpl {
 public:
  explicit EmpiricalCdfImpl(std::vector<std::pair<double, double>> points)
      : points_(std::move(points)) {
    // The density is uniform on each segment: mean and variance are sums over the segments, with
    // the variance as within-segment plus between-segment parts (no cancellation).
    double mean = 0.0;
    for (std::size_t i = 1; i < points_.size(); ++i) {
      const auto [x0, f0] = points_[i - 1];
      const auto [x1, f1] = points_[i];
      mean += (f1 - f0) * 0.5 * (x0 + x1);
    }
    double variance = 0.0;
    for (std::size_t i = 1; i < points_.size(); ++i) {
      const auto [x0, f0] = points_[i - 1];
      const auto [x1, f1] = points_[i];
      const double mid = 0.5 * (x0 + x1) - mean;
      variance += (f1 - f0) * (mid * mid + (x1 - x0) * (x1 - x0) / 12.0);
    }
    mean_ = mean;
    variance_ = variance;
  }
  // Piecewise-linear inverse CDF of one uniform.
  double sample(RandomStream& s) const override { return quantile(s.uniform01()); }
  double cdf(double x) const override {
    if (x <= points_.front().first) return 0.0;
    if (x >= points_.back().first) return 1.0;
    const auto it = std::upper_bound(points_.begin(), points_.end(), x,
                                     [](double v, const auto& pt) { return v < pt.first; });
    const auto [x1, f1] = *it;
    const auto [x0, f0] = *(it - 1);
    return f0 + (f1 - f0) * (x - x0) / (x1 - x0);
  }
  double quantile(double p) const override {
    if (std::isnan(p)) return p;
    p = std::clamp(p, 0.0, 1.0);
    // First point with F >= p; the segment before it has F0 < p <= F1, so F1 > F0 (flat segments
    // carry no probability and are never selected). For p <= 0: the start of the first segment
    // with mass, i.e. the lower end of the support.
    const auto it = p > 0.0
                        ? std::lower_bound(points_.begin(), points_.end(), p,
                                           [](const auto& pt, double v) { return pt.second < v; })
                        : std::upper_bound(points_.begin(), points_.end(), 0.0,
                                           [](double v, const auto& pt) { return v < pt.second; });
    if (it == points_.begin()) return points_.front().first;
    if (it == points_.end()) return points_.back().first;
    const auto [x1, f1] = *it;
    const auto [x0, f0] = *(it - 1);
    return std::min(x1, x0 + (x1 - x0) * (p - f0) / (f1 - f0));
  }
  std::optional<double> mean() const override { return mean_; }
  std::optional<double> variance() const override { return variance_; }
  std::string describe() const override {
    return fmt::format("empirical_cdf(points={}, min={:.6g}, max={:.6g})", points_.size(),
                       points_.front().first, points_.back().first);
  }

 private:
  std::vector<std::pair<double, double>> points_;
  double mean_ = 0.0;
  double variance_ = 0.0;
};

class MixtureImpl final : public DistributionImpl {
 public:
  MixtureImpl(std::vector<double> cumulative, std::vector<Distribution> components)
      : cumulative_(std::move(cumulative)), components_(std::move(components)) {
    double previous = 0.0;
    for (double c : cumulative_) {
      weights_.push_back(c - previous);
      previous = c;
    }
  }
  // One uniform picks the component (cumulative weights), then that component's draws.
  double sample(RandomStream& s) const override {
    return components_[pick_slot(cumulative_, s.uniform01())].sample(s);
  }
  double cdf(double x) const override {
    double sum = 0.0;
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (weights_[i] > 0.0) sum += weights_[i] * components_[i].cdf(x);
    }
    return std::min(sum, 1.0);
  }
  double quantile(double p) const override {
    // Bisection on the cdf. The mixture quantile lies between the smallest and the largest
    // component quantile: below the smallest every component cdf is < p, at the largest >= p.
    if (std::isnan(p)) return p;
    p = std::clamp(p, 0.0, 1.0);
    double lo = kInf;
    double hi = -kInf;
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (weights_[i] <= 0.0) continue;
      const double q = components_[i].quantile(p);
      lo = std::min(lo, q);
      hi = std::max(hi, q);
    }
    if (p <= 0.0 || !(lo < hi)) return lo;
    if (p >= 1.0) return hi;
    return invert_cdf([this](double x) { return cdf(x); }, p, lo, hi);
  }
  std::optional<double> mean() const override {
    double sum = 0.0;
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (weights_[i] <= 0.0) continue;
      const auto m = components_[i].mean();
      if (!m) return std::nullopt;
      sum += weights_[i] * *m;
    }
    return sum;
  }
  std::optional<double> variance() const override {
    // Law of total variance: sum w (sigma_i^2 + (mu_i - mu)^2), equal to sum w (sigma^2 + mu^2)
    // - mu^2 but without its cancellation.
    const auto mu = mean();
    if (!mu) return std::nullopt;
    double sum = 0.0;
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (weights_[i] <= 0.0) continue;
      const auto v = components_[i].variance();
      if (!v) return std::nullopt;
      const double d = *components_[i].mean() - *mu;
      sum += weights_[i] * (*v + d * d);
    }
    return sum;
  }
  std::string describe() const override {
    std::string out = "mixture(";
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (i > 0) out += ", ";
      out += fmt::format("{:.6g}*{}", weights_[i], components_[i].describe());
    }
    return out + ")";
  }
  bool is_discrete() const override {
    return std::all_of(components_.begin(), components_.end(),
                       [](const Distribution& d) { return d.is_discrete(); });
  }

 private:
  std::vector<double> cumulative_;
  std::vector<double> weights_;  // normalised
  std::vector<Distribution> components_;
};

// --- Transformations -------------------------------------------------------------

class ShiftedImpl final : public DistributionImpl {
 public:
  ShiftedImpl(Distribution base, double offset) : base_(std::move(base)), offset_(offset) {}
  // base + c.
  double sample(RandomStream& s) const override { return base_.sample(s) + offset_; }
  double cdf(double x) const override { return base_.cdf(x - offset_); }
  double quantile(double p) const override { return base_.quantile(p) + offset_; }
  std::optional<double> mean() const override {
    const auto m = base_.mean();
    if (!m) return std::nullopt;
    return *m + offset_;
  }
  std::optional<double> variance() const override { return base_.variance(); }
  std::string describe() const override {
    return fmt::format("shifted({}, offset={:.6g})", base_.describe(), offset_);
  }
  bool is_discrete() const override { return base_.is_discrete(); }

 private:
  Distribution base_;
  double offset_;
};

class TruncatedImpl final : public DistributionImpl {
 public:
  TruncatedImpl(Distribution base, double lo, double hi)
      : base_(std::move(base)),
        lo_(lo),
        hi_(hi),
        // P(X < lo) rather than P(X <= lo), so that an atom at lo is kept.
        p_lo_(base_.cdf(std::nextafter(lo, -kInf))),
        p_hi_(base_.cdf(hi)) {
    if (!(p_hi_ - p_lo_ > 0.0)) {
      invalid("truncated",
              fmt::format("[{}, {}] has zero probability under {}", lo, hi, base_.describe()));
    }
    if (base_.is_discrete()) {
      compute_discrete_moments();
    } else {
      compute_continuous_moments();
    }
    // An infinite tail that is kept keeps an infinite moment.
    if (!std::isfinite(lo_) || !std::isfinite(hi_)) {
      if (!base_.mean()) mean_.reset();
      if (!base_.mean() || !base_.variance()) variance_.reset();
    }
  }

  // Inverse CDF Q(F(lo) + u (F(hi) - F(lo))) of one uniform.
  double sample(RandomStream& s) const override { return quantile(s.uniform01()); }
  double cdf(double x) const override {
    if (x < lo_) return 0.0;
    if (x >= hi_) return 1.0;
    return std::clamp((base_.cdf(x) - p_lo_) / (p_hi_ - p_lo_), 0.0, 1.0);
  }
  double quantile(double p) const override {
    if (std::isnan(p)) return p;
    double q = p_lo_ + std::clamp(p, 0.0, 1.0) * (p_hi_ - p_lo_);
    // At exactly F(lo-) a discrete base would answer with its last value below lo.
    if (q <= p_lo_) q = std::nextafter(p_lo_, 1.0);
    q = std::min(q, p_hi_);
    // Clamp: the base's inversion may be off by rounding at the ends of the interval.
    return std::clamp(base_.quantile(q), lo_, hi_);
  }
  std::optional<double> mean() const override { return mean_; }
  std::optional<double> variance() const override { return variance_; }
  std::string describe() const override {
    return fmt::format("truncated({}, lo={:.6g}, hi={:.6g})", base_.describe(), lo_, hi_);
  }
  bool is_discrete() const override { return base_.is_discrete(); }

 private:
  // Moments as weighted sums over values of the conditional distribution.
  void set_moments(const std::vector<double>& values, const std::vector<double>& weights) {
    double total = 0.0;
    double sum = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      total += weights[i];
      sum += weights[i] * values[i];
    }
    if (!(total > 0.0)) return;
    const double mean = sum / total;
    double squares = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      squares += weights[i] * (values[i] - mean) * (values[i] - mean);
    }
    mean_ = mean;
    variance_ = squares / total;
  }

  // A discrete base: walk its atoms in [lo, hi] through quantile and cdf, exactly.
  void compute_discrete_moments() {
    constexpr int kMaxAtoms = 1000000;
    std::vector<double> values;
    std::vector<double> masses;
    double p = p_lo_;
    for (int i = 0; p < p_hi_; ++i) {
      if (i == kMaxAtoms) return;  // too many atoms to sum: moments unknown
      const double x = std::clamp(base_.quantile(std::nextafter(p, 1.0)), lo_, hi_);
      const double f = std::min(base_.cdf(x), p_hi_);
      if (!(f > p)) break;  // no progress (rounding in the base): stop rather than loop
      values.push_back(x);
      masses.push_back(f - p);
      p = f;
    }
    set_moments(values, masses);
  }

  // A continuous base: E[g(X) | lo <= X <= hi] = (1 / (b - a)) * integral_a^b g(Q(p)) dp, by
  // adaptive tanh-sinh quadrature. Tanh-sinh copes with the endpoint singularities Q has when
  // the interval reaches into an unbounded tail; bisecting pieces whose estimates at steps h and
  // h/2 disagree copes with jumps of Q inside (a, b), which a gap in the base's support (e.g. a
  // mixture of disjoint components) produces. The integrands are shifted by the conditional
  // median so that the variance does not come from a difference of large second moments.
  void compute_continuous_moments() {
    const double width = p_hi_ - p_lo_;
    const double center = std::clamp(base_.quantile(p_lo_ + 0.5 * width), lo_, hi_);
    if (!std::isfinite(center)) return;
    const auto [fine, coarse] = integrate_piece(p_lo_, p_hi_, center);
    if (!(fine.s0 > 0.0) || !std::isfinite(fine.s2)) return;
    // Absolute tolerances per piece, from the spread about the center (not per unit width: the
    // error of a piece containing a jump shrinks only in proportion to its width).
    constexpr double kRelativeTolerance = 1e-11;
    const double spread = std::sqrt(fine.s2 / fine.s0);
    const Tolerances tolerances{kRelativeTolerance * spread * width,
                                kRelativeTolerance * spread * spread * width};
    QuadratureSums total;
    refine(p_lo_, p_hi_, center, fine, coarse, tolerances, 0, total);
    const double mean_offset = total.s1 / total.s0;
    mean_ = center + mean_offset;
    variance_ = std::max(0.0, total.s2 / total.s0 - mean_offset * mean_offset);
  }

  // Quadrature sums of 1, (Q - c) and (Q - c)^2 over a piece of (a, b).
  struct QuadratureSums {
    double s0 = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
  };
  struct Tolerances {
    double s1;
    double s2;
  };

  // Tanh-sinh on [p0, p1] at steps h (fine) and 2h (coarse, a subset of the same nodes). Nodes
  // are placed by their distance from the nearer end so they stay distinct from it; a node that
  // still rounds onto an infinite quantile is dropped (its weight is below 1e-36).
  std::pair<QuadratureSums, QuadratureSums> integrate_piece(double p0, double p1,
                                                            double center) const {
    QuadratureSums fine;
    QuadratureSums coarse;
    const double half_width = 0.5 * (p1 - p0);
    const auto& nodes = tanh_sinh_nodes();
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      const double distance = (p1 - p0) * nodes[k].end_fraction;
      const double weight = nodes[k].weight * half_width;
      for (int side = 0; side < (k == 0 ? 1 : 2); ++side) {
        const double v =
            std::clamp(base_.quantile(side == 0 ? p0 + distance : p1 - distance), lo_, hi_);
        if (!std::isfinite(v)) continue;
        const double d = v - center;
        fine.s0 += weight;
        fine.s1 += weight * d;
        fine.s2 += weight * d * d;
        if (k % 2 == 0) {
          coarse.s0 += 2.0 * weight;
          coarse.s1 += 2.0 * weight * d;
          coarse.s2 += 2.0 * weight * d * d;
        }
      }
    }
    return {fine, coarse};
  }

  void refine(double p0, double p1, double center, const QuadratureSums& fine,
              const QuadratureSums& coarse, const Tolerances& tolerances, int depth,
              QuadratureSums& total) const {
    constexpr int kMaxDepth = 40;
    const double mid = p0 + 0.5 * (p1 - p0);
    const bool converged = std::fabs(fine.s1 - coarse.s1) <= tolerances.s1 &&
                           std::fabs(fine.s2 - coarse.s2) <= tolerances.s2;
    if (converged || depth == kMaxDepth || !(p0 < mid && mid < p1)) {
      total.s0 += fine.s0;
      total.s1 += fine.s1;
      total.s2 += fine.s2;
      return;
    }
    const auto [left_fine, left_coarse] = integrate_piece(p0, mid, center);
    refine(p0, mid, center, left_fine, left_coarse, tolerances, depth + 1, total);
    const auto [right_fine, right_coarse] = integrate_piece(mid, p1, center);
    refine(mid, p1, center, right_fine, right_coarse, tolerances, depth + 1, total);
  }

  struct TanhSinhNode {
    double end_fraction;  // distance of the node from the nearer end, as a fraction of the width
    double weight;        // for integrating over [0, 1], step included
  };
  // Nodes t = k h, h = 1/16, k = 0..64 (|t| <= 4: end distances down to ~5e-38).
  static const std::array<TanhSinhNode, 65>& tanh_sinh_nodes() {
    static const std::array<TanhSinhNode, 65> nodes = [] {
      constexpr double kStep = 1.0 / 16.0;
      constexpr double kHalfPi = std::numbers::pi / 2.0;
      std::array<TanhSinhNode, 65> table{};
      for (std::size_t k = 0; k < table.size(); ++k) {
        const double t = static_cast<double>(k) * kStep;
        const double u = kHalfPi * std::sinh(t);
        const double cosh_u = std::cosh(u);
        // x = tanh(u) on [-1, 1]; 1 - x = 2 / (1 + e^{2u}); dx/dt = (pi/2) cosh t / cosh^2 u.
        table[k] = {1.0 / (1.0 + std::exp(2.0 * u)),
                    kStep * kHalfPi * std::cosh(t) / (cosh_u * cosh_u)};
      }
      return table;
    }();
    return nodes;
  }

  Distribution base_;
  double lo_;
  double hi_;
  double p_lo_;  // P(X < lo)
  double p_hi_;  // P(X <= hi)
  std::optional<double> mean_;
  std::optional<double> variance_;
};

template <class Impl, class... Args>
Distribution make(Args&&... args) {
  return Distribution(std::make_shared<const Impl>(std::forward<Args>(args)...));
}

}  // namespace

// ---------------------------------------------------------------------------
// Factories
// ---------------------------------------------------------------------------

Distribution Distribution::constant(double value) {
  require_finite("constant", "value", value);
  return make<ConstantImpl>(value).with_fast_path(FastPath::kConstant, value, 0.0);
}

Distribution Distribution::uniform(double lo, double hi) {
  require_finite("uniform", "lo", lo);
  require_finite("uniform", "hi", hi);
  if (!(hi > lo)) invalid("uniform", fmt::format("hi ({}) must be greater than lo ({})", hi, lo));
  if (!std::isfinite(hi - lo)) invalid("uniform", "hi - lo overflows");
  return make<UniformImpl>(lo, hi);
}

Distribution Distribution::exponential(double rate) {
  require_positive("exponential", "rate", rate);
  return make<ExponentialImpl>(rate);
}

Distribution Distribution::normal(double mean, double stddev) {
  require_finite("normal", "mean", mean);
  require_positive("normal", "stddev", stddev);
  return make<NormalImpl>(mean, stddev).with_fast_path(FastPath::kNormal, mean, stddev);
}

Distribution Distribution::lognormal(double mu, double sigma) {
  require_finite("lognormal", "mu", mu);
  require_positive("lognormal", "sigma", sigma);
  return make<LognormalImpl>(mu, sigma).with_fast_path(FastPath::kLognormal, mu, sigma);
}

Distribution Distribution::lognormal_from_median_p99(double median, double p99) {
  // mu = ln(median), sigma = ln(p99 / median) / z_0.99.
  constexpr std::string_view kFamily = "lognormal_from_median_p99";
  require_positive(kFamily, "median", median);
  require_positive(kFamily, "p99", p99);
  if (!(p99 > median)) {
    invalid(kFamily, fmt::format("p99 ({}) must be greater than median ({})", p99, median));
  }
  const double mu = std::log(median);
  const double sigma = std::log(p99 / median) / kZ99;
  return make<LognormalImpl>(mu, sigma).with_fast_path(FastPath::kLognormal, mu, sigma);
}

Distribution Distribution::lognormal_from_mean_stddev(double mean, double stddev) {
  // sigma^2 = ln(1 + s^2/m^2), mu = ln m - sigma^2 / 2.
  constexpr std::string_view kFamily = "lognormal_from_mean_stddev";
  require_positive(kFamily, "mean", mean);
  require_positive(kFamily, "stddev", stddev);
  const double cv = stddev / mean;
  const double sigma2 = std::log1p(cv * cv);
  if (!(sigma2 > 0.0 && std::isfinite(sigma2))) {
    invalid(kFamily, fmt::format("stddev / mean ({}) is out of range", cv));
  }
  const double mu = std::log(mean) - 0.5 * sigma2;
  const double sigma = std::sqrt(sigma2);
  return make<LognormalImpl>(mu, sigma).with_fast_path(FastPath::kLognormal, mu, sigma);
}

double sample_standard_gamma(RandomStream& s, double shape) {
  const double d = (shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0;
  return marsaglia_tsang_gamma(s, shape, d, 1.0 / std::sqrt(9.0 * d));
}

Distribution Distribution::gamma(double shape, double scale) {
  require_positive("gamma", "shape", shape);
  require_positive("gamma", "scale", scale);
  return make<GammaImpl>(shape, scale);
}

Distribution Distribution::weibull(double shape, double scale) {
  require_positive("weibull", "shape", shape);
  require_positive("weibull", "scale", scale);
  return make<WeibullImpl>(shape, scale);
}

Distribution Distribution::pareto(double scale, double alpha) {
  require_positive("pareto", "scale", scale);
  require_positive("pareto", "alpha", alpha);
  return make<ParetoImpl>(scale, alpha);
}

Distribution Distribution::bounded_pareto(double lo, double hi, double alpha) {
  require_positive("bounded_pareto", "lo", lo);
  require_positive("bounded_pareto", "hi", hi);
  require_positive("bounded_pareto", "alpha", alpha);
  if (!(hi > lo)) {
    invalid("bounded_pareto", fmt::format("hi ({}) must be greater than lo ({})", hi, lo));
  }
  return make<BoundedParetoImpl>(lo, hi, alpha);
}

Distribution Distribution::bernoulli(double p) {
  if (!(p >= 0.0 && p <= 1.0)) invalid("bernoulli", fmt::format("p ({}) must be in [0, 1]", p));
  return make<BernoulliImpl>(p);
}

Distribution Distribution::categorical(std::vector<double> weights) {
  return make<CategoricalImpl>(cumulative_probabilities("categorical", weights));
}

Distribution Distribution::empirical_samples(std::vector<double> samples) {
  if (samples.empty()) invalid("empirical_samples", "samples must not be empty");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    require_finite("empirical_samples", fmt::format("samples[{}]", i), samples[i]);
  }
  return make<EmpiricalSamplesImpl>(std::move(samples));
}

Distribution Distribution::empirical_cdf(std::vector<std::pair<double, double>> points) {
  constexpr std::string_view kFamily = "empirical_cdf";
  if (points.size() < 2) {
    invalid(kFamily, fmt::format("needs at least 2 points (got {})", points.size()));
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto [x, f] = points[i];
    require_finite(kFamily, fmt::format("points[{}].x", i), x);
    if (!(f >= 0.0 && f <= 1.0)) {
      invalid(kFamily, fmt::format("points[{}].F ({}) must be in [0, 1]", i, f));
    }
    if (i > 0 && !(x > points[i - 1].first)) {
      invalid(kFamily, fmt::format("points[{}].x ({}) must be greater than points[{}].x ({})", i, x,
                                   i - 1, points[i - 1].first));
    }
    if (i > 0 && f < points[i - 1].second) {
      invalid(kFamily, fmt::format("points[{}].F ({}) must not be less than points[{}].F ({})", i,
                                   f, i - 1, points[i - 1].second));
    }
  }
  if (points.front().second != 0.0) {
    invalid(kFamily, fmt::format("the first F ({}) must be 0", points.front().second));
  }
  if (points.back().second != 1.0) {
    invalid(kFamily, fmt::format("the last F ({}) must be 1", points.back().second));
  }
  return make<EmpiricalCdfImpl>(std::move(points));
}

Distribution Distribution::mixture(std::vector<double> weights,
                                   std::vector<Distribution> components) {
  if (weights.size() != components.size()) {
    invalid("mixture",
            fmt::format("{} weights for {} components", weights.size(), components.size()));
  }
  return make<MixtureImpl>(cumulative_probabilities("mixture", weights), std::move(components));
}

Distribution Distribution::shifted(double offset) const {
  require_finite("shifted", "offset", offset);
  return make<ShiftedImpl>(*this, offset);
}

Distribution Distribution::truncated(double lo, double hi) const {
  if (std::isnan(lo)) invalid("truncated", "lo (nan) must be a number");
  if (std::isnan(hi)) invalid("truncated", "hi (nan) must be a number");
  if (lo > hi) invalid("truncated", fmt::format("lo ({}) must not exceed hi ({})", lo, hi));
  return make<TruncatedImpl>(*this, lo, hi);
}

// ---------------------------------------------------------------------------
// Value type: forwards to the family
// ---------------------------------------------------------------------------

Distribution::Distribution() : Distribution(constant(0.0)) {}

Distribution::Distribution(std::shared_ptr<const DistributionImpl> impl) : impl_(std::move(impl)) {
  if (!impl_) throw std::invalid_argument("Distribution: impl must not be null");
}

Distribution Distribution::with_fast_path(FastPath path, double a, double b) && {
  fast_ = path;
  a_ = a;
  b_ = b;
  return std::move(*this);
}
double Distribution::sample_drawn(RandomStream& s) const {
  // Must compute exactly what the family's DistributionImpl::sample does.
  switch (fast_) {
    case FastPath::kNormal:
      return a_ + b_ * s.standard_normal();
    case FastPath::kLognormal:
      return std::exp(a_ + b_ * s.standard_normal());
    case FastPath::kConstant:
    case FastPath::kNone:
      break;
  }
  return impl_->sample(s);
}
double Distribution::cdf(double x) const { return impl_->cdf(x); }
double Distribution::quantile(double p) const { return impl_->quantile(p); }
std::optional<double> Distribution::mean() const { return impl_->mean(); }
std::optional<double> Distribution::variance() const { return impl_->variance(); }
std::string Distribution::describe() const { return impl_->describe(); }
bool Distribution::is_discrete() const { return impl_->is_discrete(); }

}  // namespace orchsim::sim
