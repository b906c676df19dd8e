// Statistics across replications: means, sample standard deviations, Student-t
// quantiles and confidence intervals, paired differences, and the steady-state
// helpers MSER-5 (warm-up truncation, White 1997) and batch means.
//
// Contract: pure functions of their inputs, no global state touched except
// std::lgamma's sign flag (glibc writes `signgam`): call from one thread, or
// accept that the sign flag is meaningless (it is never read here). The
// student_t_quantile is accurate to ~1e-9 absolute (bisection on the CDF,
// which is computed with the regularised incomplete beta function by Lentz's
// continued fraction). Cost: quantile ~ 100 CDF evaluations, microseconds.
// The preconditions stated below (a, b, df > 0, p in (0, 1), samples of one
// size) hold for every caller; breaking one is a bug, and throws
// std::invalid_argument (a std::logic_error), never an error of user input.
//
//   std::vector<double> p99 = {...};               // one value per replication
//   ConfidenceInterval ci = confidence_interval(p99);   // 95%: mean ± t·sd/√n
//   ConfidenceInterval d = paired_difference_ci(base, variant);  // of variant − base
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <vector>

namespace orchsim::eval::stats {

// Arithmetic mean; 0 for an empty span.
double mean(std::span<const double> xs);
// Sample standard deviation (divisor n − 1); 0 when n < 2.
double sample_sd(std::span<const double> xs);

// I_x(a, b), the regularised incomplete beta function; a, b > 0, x in [0, 1].
double regularized_incomplete_beta(double a, double b, double x);
// Standard normal CDF and quantile (p in (0, 1)).
double normal_cdf(double z);
double normal_quantile(double p);
// Student-t CDF and quantile with `df` degrees of freedom (df > 0, may be
// fractional, e.g. Welch–Satterthwaite). df = +inf (or > 1e7) is the normal.
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

struct ConfidenceInterval {
  std::size_t n = 0;
  double mean = 0.0;
  double sd = 0.0;
  // t_{(1+level)/2, n−1} · sd / √n; NaN when n < 2 (no interval from one value).
  double half_width = std::numeric_limits<double>::quiet_NaN();
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
  bool has_interval() const { return n >= 2 && half_width == half_width; }
};

// mean ± t·sd/√n at `level` (0.95: a 95% interval).
ConfidenceInterval confidence_interval(std::span<const double> xs, double level = 0.95);
// The interval of the mean of variant[i] − base[i] (common random numbers:
// replication i of both ran on the same seed). Sizes must match.
ConfidenceInterval paired_difference_ci(std::span<const double> base,
                                        std::span<const double> variant, double level = 0.95);
// Welch's unpaired interval for mean(variant) − mean(base), treating the two
// samples as independent; its half-width is what pairing saves against.
ConfidenceInterval welch_difference_ci(std::span<const double> base,
                                       std::span<const double> variant, double level = 0.95);

// MSER-5 (White 1997): groups the series into batches of `batch` (5)
// observations (an incomplete last batch is dropped), and picks the number of
// leading batches d (searched over the first half) that minimises
//   MSER(d) = Σ_{i>d} (Z_i − Z̄_d)² / (k − d)²
// Returns the number of raw observations to drop as warm-up (batch · d).
std::size_t mser_truncation(std::span<const double> series, std::size_t batch = 5);

// Batch means: splits the series into `batches` equal batches (leftover
// observations at the start are dropped, so the warm-up side gives way) and
// returns the batch means and the t interval over them.
struct BatchMeansResult {
  std::vector<double> means;
  std::size_t batch_size = 0;
  ConfidenceInterval ci;
};
BatchMeansResult batch_means(std::span<const double> series, std::size_t batches = 20,
                             double level = 0.95);

}  // namespace orchsim::eval::stats
