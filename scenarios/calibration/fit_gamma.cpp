// Gamma by maximum likelihood. The shape k solves
//   ln k - digamma(k) = ln(mean x) - mean(ln x)  (= s > 0),
// by Newton's method from Minka's closed-form start
// (3 - s + sqrt((s - 3)^2 + 24 s)) / (12 s); scale = mean / k. Digamma and
// trigamma come from Boost.Math. Standard errors from the inverse Fisher
// information: var k = k / (n (k psi'(k) - 1)), var theta = psi'(k) theta^2 / (n (k psi'(k) - 1)).
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

FamilyFit fit_gamma(const Sample& s) {
  if (s.size() < 2) return failed_fit(Family::kGamma, "fewer than 2 values");
  if (s.distinct() < 2) return failed_fit(Family::kGamma, "no spread (one distinct value)");
  if (!all_positive(s)) return failed_fit(Family::kGamma, "values <= 0");
  const LogMoments m = log_moments(s);
  const double mean = s.mean();
  const double target = std::log(mean) - m.mean;
  if (!(target > 1e-12)) return failed_fit(Family::kGamma, "no spread");
  double k =
      (3.0 - target + std::sqrt((target - 3.0) * (target - 3.0) + 24.0 * target)) / (12.0 * target);
  for (int i = 0; i < 100; ++i) {
    const double g = std::log(k) - boost::math::digamma(k) - target;
    const double dg = 1.0 / k - boost::math::trigamma(k);
    double next = k - g / dg;
    if (!(next > 0.0)) next = k / 2.0;  // stay in the domain
    const bool done = std::fabs(next - k) <= 1e-12 * k;
    k = next;
    if (done) break;
  }
  if (!std::isfinite(k) || !(k > 0.0)) return failed_fit(Family::kGamma, "shape did not converge");
  const double shape = round_significant(k);
  const double scale = round_significant(mean / k);
  FamilyFit f;
  f.family = Family::kGamma;
  const double n = s.effective_size();
  const double tri = boost::math::trigamma(shape);
  const double det = shape * tri - 1.0;
  f.parameters = {{"shape", shape, std::sqrt(shape / (n * det))},
                  {"scale", scale, std::sqrt(tri * scale * scale / (n * det))}};
  f.distribution = sim::Distribution::gamma(shape, scale);
  f.json = {{"gamma", {{"shape", shape}, {"scale", scale}}}};
  // sum w [(k - 1) ln x - x / theta - k ln theta - ln Gamma(k)]
  const double ll = (shape - 1.0) * m.sum_log - m.weight * mean / scale -
                    m.weight * (shape * std::log(scale) + boost::math::lgamma(shape));
  finish_fit(f, ll, 2);
  return f;
}

}  // namespace orchsim::calibration
