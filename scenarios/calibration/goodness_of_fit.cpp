#include "scenarios/calibration/goodness_of_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace orchsim::calibration {

const std::vector<double>& quantile_grid() {
  static const std::vector<double> k = [] {
    std::vector<double> g = {0.001, 0.005};
    for (int i = 1; i <= 99; ++i) g.push_back(i / 100.0);
    g.push_back(0.995);
    g.push_back(0.999);
    return g;
  }();
  return k;
}

double kolmogorov_survival(double lambda) {
  if (lambda < 0.2) return 1.0;
  double sum = 0.0, sign = 1.0;
  for (int j = 1; j <= 100; ++j) {
    const double term = std::exp(-2.0 * j * j * lambda * lambda);
    sum += sign * term;
    sign = -sign;
    if (term < 1e-16) break;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

Goodness assess(const Sample& sample, const sim::Distribution& fitted) {
  Goodness g;
  const auto& x = sample.values();
  // KS over distinct values: the ECDF jumps at x from `before` to `through`;
  // F(x-) and F(x) bound the fitted CDF's own jump there (discrete fits).
  double d = 0.0, before = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i + 1 < x.size() && x[i + 1] == x[i]) continue;
    const double through = sample.cumulative(i);
    const double f = fitted.cdf(x[i]);
    const double f_left =
        fitted.cdf(std::nextafter(x[i], -std::numeric_limits<double>::infinity()));
    d = std::max({d, std::fabs(through - f), std::fabs(before - f_left)});
    before = through;
  }
  g.ks_distance = d;
  if (fitted.is_discrete()) {
    g.ks_p_value = std::numeric_limits<double>::quiet_NaN();
  } else {
    const double n = sample.effective_size();
    const double root = std::sqrt(n);
    g.ks_p_value = kolmogorov_survival((root + 0.12 + 0.11 / root) * d);
  }
  for (double p : kReportedQuantiles) {
    QuantileError q{.p = p, .measured = sample.quantile(p), .fitted = fitted.quantile(p)};
    q.relative_error = q.measured == 0.0
                           ? (q.fitted == 0.0 ? 0.0 : std::numeric_limits<double>::infinity())
                           : (q.fitted - q.measured) / std::fabs(q.measured);
    g.quantiles.push_back(q);
  }
  for (double p : quantile_grid()) {
    g.pairs.push_back({.p = p, .measured = sample.quantile(p), .fitted = fitted.quantile(p)});
  }
  return g;
}

}  // namespace orchsim::calibration
