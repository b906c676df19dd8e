// Weibull by maximum likelihood. With y = ln x - c (c = the largest ln x,
// so that exp(k y) never overflows), the shape's score equation is
//   g(k) = sum w e^{ky} y / sum w e^{ky} - mean(y) - 1/k = 0,
// increasing in k, solved by Newton steps kept inside a shrinking bracket
// (bisection when a step leaves it). Scale = e^c (sum w e^{ky} / W)^{1/k}.
// Standard errors from the inverse Fisher information (with z = (x/l)^k ~ Exp(1)):
//   I_kk = ((1 - gamma)^2 + pi^2/6) / k^2, I_kl = -(1 - gamma) / l, I_ll = k^2 / l^2.
#include <cmath>
#include <numbers>
#include <vector>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

namespace {

struct Sums {
  double a = 0.0, b = 0.0, c = 0.0;  // sum w e^{ky}, sum w e^{ky} y, sum w e^{ky} y^2
};

Sums sums(const std::vector<double>& y, const std::vector<double>& w, double k) {
  Sums s;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double e = w[i] * std::exp(k * y[i]);
    s.a += e;
    s.b += e * y[i];
    s.c += e * y[i] * y[i];
  }
  return s;
}

}  // namespace

FamilyFit fit_weibull(const Sample& s) {
  if (s.size() < 2) return failed_fit(Family::kWeibull, "fewer than 2 values");
  if (s.distinct() < 2) return failed_fit(Family::kWeibull, "no spread (one distinct value)");
  if (!all_positive(s)) return failed_fit(Family::kWeibull, "values <= 0");
  const LogMoments m = log_moments(s);
  if (!(m.variance > 0.0)) return failed_fit(Family::kWeibull, "no spread");
  const double top = std::log(s.max());
  std::vector<double> y(s.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::log(s.values()[i]) - top;
  const auto& w = s.weights();
  const double mean_y = m.mean - top;
  const auto score = [&](double k, double* slope) {
    const Sums t = sums(y, w, k);
    const double r = t.b / t.a;
    if (slope) *slope = t.c / t.a - r * r + 1.0 / (k * k);
    return r - mean_y - 1.0 / k;
  };
  double lo = 1e-3, hi = 1e3;
  double k = std::clamp(std::numbers::pi / std::sqrt(6.0 * m.variance), 2e-3, 5e2);
  for (int i = 0; i < 200; ++i) {
    double slope = 0.0;
    const double g = score(k, &slope);
    if (g > 0) {
      hi = k;
    } else {
      lo = k;
    }
    double next = k - g / slope;
    if (!(next > lo && next < hi) || !std::isfinite(next)) next = 0.5 * (lo + hi);
    const bool done = std::fabs(next - k) <= 1e-12 * k || hi - lo <= 1e-12 * k;
    k = next;
    if (done) break;
  }
  if (k <= 1.001e-3 || k >= 0.999e3) return failed_fit(Family::kWeibull, "shape did not converge");
  const Sums t = sums(y, w, k);
  const double shape = round_significant(k);
  const double scale = round_significant(std::exp(top) * std::pow(t.a / m.weight, 1.0 / k));
  FamilyFit f;
  f.family = Family::kWeibull;
  // Inverse of the 2x2 information, divided by n.
  const double n = s.effective_size();
  constexpr double kGamma = std::numbers::egamma;
  const double ikk = ((1.0 - kGamma) * (1.0 - kGamma) + std::numbers::pi * std::numbers::pi / 6.0) /
                     (shape * shape);
  const double ikl = -(1.0 - kGamma) / scale;
  const double ill = shape * shape / (scale * scale);
  const double det = ikk * ill - ikl * ikl;
  f.parameters = {{"shape", shape, std::sqrt(ill / det / n)},
                  {"scale", scale, std::sqrt(ikk / det / n)}};
  f.distribution = sim::Distribution::weibull(shape, scale);
  f.json = {{"weibull", {{"shape", shape}, {"scale", scale}}}};
  // sum w [ln k - k ln l + (k - 1) ln x - (x / l)^k] at the rounded parameters.
  double sum_pow = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    sum_pow += w[i] * std::pow(s.values()[i] / scale, shape);
  }
  const double ll =
      m.weight * (std::log(shape) - shape * std::log(scale)) + (shape - 1.0) * m.sum_log - sum_pow;
  finish_fit(f, ll, 2);
  return f;
}

}  // namespace orchsim::calibration
