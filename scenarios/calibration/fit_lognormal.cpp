// Lognormal by maximum likelihood: mu and sigma are the (weighted) mean and
// standard deviation of ln x. Standard errors sigma/sqrt(n) and
// sigma/sqrt(2n), n the effective sample size.
#include <cmath>
#include <numbers>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

FamilyFit fit_lognormal(const Sample& s) {
  if (s.size() < 2) return failed_fit(Family::kLognormal, "fewer than 2 values");
  if (s.distinct() < 2) return failed_fit(Family::kLognormal, "no spread (one distinct value)");
  if (!all_positive(s)) return failed_fit(Family::kLognormal, "values <= 0");
  const LogMoments m = log_moments(s);
  if (!(m.variance > 0.0)) return failed_fit(Family::kLognormal, "no spread");
  const double mu = round_significant(m.mean);
  const double sigma = round_significant(std::sqrt(m.variance));
  FamilyFit f;
  f.family = Family::kLognormal;
  const double n = s.effective_size();
  f.parameters = {{"mu", mu, sigma / std::sqrt(n)}, {"sigma", sigma, sigma / std::sqrt(2.0 * n)}};
  f.distribution = sim::Distribution::lognormal(mu, sigma);
  f.json = {{"lognormal", {{"mu", mu}, {"sigma", sigma}}}};
  // sum w [-ln x - ln sigma - ln(2 pi)/2 - (ln x - mu)^2 / (2 sigma^2)]
  const double squares = m.weight * (m.variance + (m.mean - mu) * (m.mean - mu));
  const double ll = -m.sum_log -
                    m.weight * (std::log(sigma) + 0.5 * std::log(2.0 * std::numbers::pi)) -
                    squares / (2.0 * sigma * sigma);
  finish_fit(f, ll, 2);
  return f;
}

}  // namespace orchsim::calibration
