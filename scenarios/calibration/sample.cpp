#include "scenarios/calibration/sample.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace orchsim::calibration {

Sample Sample::of(std::vector<double> values) {
  Sample s;
  s.x_ = std::move(values);
  std::sort(s.x_.begin(), s.x_.end());
  s.w_.assign(s.x_.size(), 1.0);
  s.finish();
  return s;
}

Sample Sample::weighted(std::vector<double> values, std::vector<double> weights) {
  if (values.size() != weights.size()) {
    throw std::invalid_argument("Sample::weighted: one weight per value");
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable: equal values keep their input order, so the result is deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [&values](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  Sample s;
  s.weighted_ = true;
  double total = 0.0;
  for (double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w)) throw std::invalid_argument("Sample: weights >= 0");
    total += w;
  }
  if (!(total > 0.0)) throw std::invalid_argument("Sample: weights all zero");
  const double scale = static_cast<double>(values.size()) / total;
  for (std::size_t i : order) {
    s.x_.push_back(values[i]);
    s.w_.push_back(weights[i] * scale);
  }
  s.finish();
  return s;
}

void Sample::finish() {
  const std::size_t n = x_.size();
  c_.resize(n);
  double run = 0.0, squares = 0.0, sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    run += w_[i];
    squares += w_[i] * w_[i];
    sum += w_[i] * x_[i];
    if (x_[i] != std::floor(x_[i])) all_integers_ = false;
    if (i == 0 || x_[i] != x_[i - 1]) ++distinct_;
  }
  double acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += w_[i];
    c_[i] = acc / run;
  }
  if (n > 0) c_[n - 1] = 1.0;
  effective_size_ = n == 0 ? 0.0 : run * run / squares;
  mean_ = n == 0 ? 0.0 : sum / run;
}

double Sample::plotting_position(std::size_t i) const {
  const std::size_t n = x_.size();
  if (n <= 1) return 0.0;
  const double first = c_[0];
  return first >= 1.0 ? 1.0 : (c_[i] - first) / (1.0 - first);
}

double Sample::quantile(double p) const {
  const std::size_t n = x_.size();
  if (n == 0) return std::nan("");
  if (n == 1 || p <= 0.0) return x_.front();
  if (p >= 1.0) return x_.back();
  if (!weighted_) {
    // Exactly NumPy's "linear" method.
    const double r = p * static_cast<double>(n - 1);
    const auto i = static_cast<std::size_t>(std::floor(r));
    const double f = r - static_cast<double>(i);
    if (i + 1 >= n) return x_.back();
    return x_[i] + f * (x_[i + 1] - x_[i]);
  }
  // First position at or above p.
  std::size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (plotting_position(mid) < p) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return x_.front();
  const double f0 = plotting_position(lo - 1), f1 = plotting_position(lo);
  if (!(f1 > f0)) return x_[lo];
  return x_[lo - 1] + (x_[lo] - x_[lo - 1]) * (p - f0) / (f1 - f0);
}

}  // namespace orchsim::calibration
