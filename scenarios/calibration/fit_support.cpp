#include "scenarios/calibration/fit_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace orchsim::calibration {

std::string format_shortest(double x, int digits) { return fmt::format("{:.{}g}", x, digits); }

FamilyFit failed_fit(Family family, std::string why) {
  FamilyFit f;
  f.family = family;
  f.ok = false;
  f.failure = std::move(why);
  f.aic = std::numeric_limits<double>::quiet_NaN();
  f.log_likelihood = std::numeric_limits<double>::quiet_NaN();
  return f;
}

void finish_fit(FamilyFit& fit, double log_likelihood, int free_parameters) {
  fit.ok = std::isfinite(log_likelihood);
  if (!fit.ok) fit.failure = "the likelihood is not finite at the estimate";
  fit.log_likelihood = log_likelihood;
  fit.free_parameters = free_parameters;
  fit.aic = 2.0 * free_parameters - 2.0 * log_likelihood;
}

LogMoments log_moments(const Sample& s) {
  LogMoments m;
  const auto& x = s.values();
  const auto& w = s.weights();
  for (std::size_t i = 0; i < x.size(); ++i) {
    m.weight += w[i];
    m.sum_log += w[i] * std::log(x[i]);
  }
  m.mean = m.sum_log / m.weight;
  double squares = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = std::log(x[i]) - m.mean;
    squares += w[i] * d * d;
  }
  m.variance = squares / m.weight;
  return m;
}

bool all_positive(const Sample& s) { return !s.empty() && s.min() > 0.0; }

double round_down_significant(double x, int digits) {
  const double r = round_significant(x, digits);
  if (r <= x) return r;
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  const double step = std::pow(10.0, exponent - digits + 1);
  return round_significant(r - step, digits);
}

std::array<double, 2> nelder_mead_2d(const std::function<double(const std::array<double, 2>&)>& f,
                                     std::array<double, 2> start, std::array<double, 2> step) {
  using P = std::array<double, 2>;
  P v[3] = {start, {start[0] + step[0], start[1]}, {start[0], start[1] + step[1]}};
  double fv[3] = {f(v[0]), f(v[1]), f(v[2])};
  const auto order = [&] {
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2 - i; ++j) {
        if (fv[j + 1] < fv[j]) {
          std::swap(fv[j], fv[j + 1]);
          std::swap(v[j], v[j + 1]);
        }
      }
    }
  };
  const auto along = [](const P& a, const P& b, double t) {
    return P{a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])};
  };
  for (int iteration = 0; iteration < 500; ++iteration) {
    order();
    if (std::fabs(fv[2] - fv[0]) <= 1e-12 * (1.0 + std::fabs(fv[0])) &&
        std::fabs(v[2][0] - v[0][0]) + std::fabs(v[2][1] - v[0][1]) < 1e-10) {
      break;
    }
    const P centre{(v[0][0] + v[1][0]) / 2.0, (v[0][1] + v[1][1]) / 2.0};
    const P reflected = along(centre, v[2], -1.0);
    const double fr = f(reflected);
    if (fr < fv[0]) {
      const P expanded = along(centre, v[2], -2.0);
      const double fe = f(expanded);
      if (fe < fr) {
        v[2] = expanded;
        fv[2] = fe;
      } else {
        v[2] = reflected;
        fv[2] = fr;
      }
    } else if (fr < fv[1]) {
      v[2] = reflected;
      fv[2] = fr;
    } else {
      const P contracted = along(centre, v[2], fr < fv[2] ? -0.5 : 0.5);
      const double fc = f(contracted);
      if (fc < std::min(fr, fv[2])) {
        v[2] = contracted;
        fv[2] = fc;
      } else {
        for (int i = 1; i < 3; ++i) {
          v[i] = along(v[0], v[i], 0.5);
          fv[i] = f(v[i]);
        }
      }
    }
  }
  order();
  return v[0];
}

}  // namespace orchsim::calibration
