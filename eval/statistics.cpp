#include "eval/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orchsim::eval::stats {

double mean(std::span<const double> xs) {
  if (xs.empty()) return 0.0;
  double sum = 0.0;
  for (const double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

double sample_sd(std::span<const double> xs) {
  if (xs.size() < 2) return 0.0;
  const double m = mean(xs);
  double ss = 0.0;
  for (const double x : xs) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(xs.size() - 1));
}

namespace {

// Continued fraction for I_x(a, b) (modified Lentz; Numerical Recipes betacf).
double beta_continued_fraction(double a, double b, double x) {
  constexpr int kMaxIterations = 1000;
  constexpr double kEpsilon = 1e-15;
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double dm = static_cast<double>(m);
    const double m2 = 2.0 * dm;
    double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEpsilon) break;
  }
  return h;
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
  if (!(a > 0.0) || !(b > 0.0)) throw std::invalid_argument("incomplete beta: a and b must be > 0");
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2).
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
  return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

namespace {

// Bisection of an increasing CDF for the p-quantile, on [lo, hi] grown until it brackets p.
template <typename Cdf>
double invert_symmetric(double p, Cdf cdf) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("quantile: p must be in (0, 1)");
  if (p == 0.5) return 0.0;
  const bool upper = p > 0.5;
  const double target = upper ? p : 1.0 - p;  // find the upper quantile, then mirror
  double lo = 0.0, hi = 1.0;
  while (cdf(hi) < target) {
    lo = hi;
    hi *= 2.0;
    if (hi > 1e300) return upper ? hi : -hi;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    if (cdf(mid) < target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const double q = 0.5 * (lo + hi);
  return upper ? q : -q;
}

constexpr double kNormalDf = 1e7;

}  // namespace

double normal_quantile(double p) { return invert_symmetric(p, normal_cdf); }

double student_t_cdf(double t, double df) {
  if (!(df > 0.0)) throw std::invalid_argument("student t: df must be > 0");
  if (df > kNormalDf) return normal_cdf(t);
  const double x = df / (df + t * t);
  const double tail = 0.5 * regularized_incomplete_beta(0.5 * df, 0.5, x);  // P(T > |t|)
  return t >= 0.0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(df > 0.0)) throw std::invalid_argument("student t: df must be > 0");
  if (df > kNormalDf) return normal_quantile(p);
  return invert_symmetric(p, [df](double t) { return student_t_cdf(t, df); });
}

ConfidenceInterval confidence_interval(std::span<const double> xs, double level) {
  ConfidenceInterval ci;
  ci.n = xs.size();
  ci.mean = mean(xs);
  ci.sd = sample_sd(xs);
  if (ci.n >= 2) {
    const double t = student_t_quantile(0.5 + 0.5 * level, static_cast<double>(ci.n - 1));
    ci.half_width = t * ci.sd / std::sqrt(static_cast<double>(ci.n));
  }
  return ci;
}

ConfidenceInterval paired_difference_ci(std::span<const double> base,
                                        std::span<const double> variant, double level) {
  if (base.size() != variant.size()) {
    throw std::invalid_argument("paired difference: the samples differ in size");
  }
  std::vector<double> diff(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) diff[i] = variant[i] - base[i];
  return confidence_interval(diff, level);
}

ConfidenceInterval welch_difference_ci(std::span<const double> base,
                                       std::span<const double> variant, double level) {
  ConfidenceInterval ci;
  ci.n = std::min(base.size(), variant.size());
  ci.mean = mean(variant) - mean(base);
  if (base.size() < 2 || variant.size() < 2) return ci;
  const double n1 = static_cast<double>(base.size()), n2 = static_cast<double>(variant.size());
  const double v1 = sample_sd(base) * sample_sd(base) / n1;
  const double v2 = sample_sd(variant) * sample_sd(variant) / n2;
  const double se2 = v1 + v2;
  ci.sd = std::sqrt(se2);  // the standard error of the difference
  if (se2 == 0.0) {
    ci.half_width = 0.0;
    return ci;
  }
  const double df = se2 * se2 / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
  ci.half_width = student_t_quantile(0.5 + 0.5 * level, df) * std::sqrt(se2);
  return ci;
}

std::size_t mser_truncation(std::span<const double> series, std::size_t batch) {
  if (batch == 0) throw std::invalid_argument("MSER: batch size must be > 0");
  const std::size_t k = series.size() / batch;
  if (k < 2) return 0;
  std::vector<double> z(k);
  for (std::size_t j = 0; j < k; ++j) {
    double s = 0.0;
    for (std::size_t i = 0; i < batch; ++i) s += series[j * batch + i];
    z[j] = s / static_cast<double>(batch);
  }
  // Suffix sums give each candidate's mean and sum of squares in O(1).
  std::vector<double> suffix_sum(k + 1, 0.0), suffix_sq(k + 1, 0.0);
  for (std::size_t j = k; j-- > 0;) {
    suffix_sum[j] = suffix_sum[j + 1] + z[j];
    suffix_sq[j] = suffix_sq[j + 1] + z[j] * z[j];
  }
  std::size_t best_d = 0;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t d = 0; d <= k / 2; ++d) {
    const double m = static_cast<double>(k - d);
    // One pass (O(k) overall); clamp the small negative rounding of a flat tail.
    const double mean_d = suffix_sum[d] / m;
    const double ss = std::max(0.0, suffix_sq[d] - m * mean_d * mean_d);
    const double value = ss / (m * m);
    if (value < best) {
      best = value;
      best_d = d;
    }
  }
  return best_d * batch;
}

BatchMeansResult batch_means(std::span<const double> series, std::size_t batches, double level) {
  BatchMeansResult r;
  if (batches == 0 || series.size() < batches) return r;
  r.batch_size = series.size() / batches;
  const std::size_t skip = series.size() - r.batch_size * batches;
  r.means.resize(batches);
  for (std::size_t b = 0; b < batches; ++b) {
    r.means[b] = mean(series.subspan(skip + b * r.batch_size, r.batch_size));
  }
  r.ci = confidence_interval(r.means, level);
  return r;
}

}  // namespace orchsim::eval::stats
