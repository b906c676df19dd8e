// Shifted exponential by maximum likelihood: the location is the smallest
// value, the mean of the excess is mean - min. The location's estimator is
// biased up by 1/(n rate) (the minimum of n exponentials), which is its
// standard error here; the rate's is rate / sqrt(n).
#include <cmath>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

FamilyFit fit_shifted_exponential(const Sample& s) {
  if (s.size() < 2) return failed_fit(Family::kShiftedExponential, "fewer than 2 values");
  if (s.distinct() < 2)
    return failed_fit(Family::kShiftedExponential, "no spread (one distinct value)");
  const double location = round_down_significant(s.min());
  const double excess = s.mean() - location;
  if (!(excess > 0.0)) return failed_fit(Family::kShiftedExponential, "no spread");
  const double mean = round_significant(excess);
  FamilyFit f;
  f.family = Family::kShiftedExponential;
  const double n = s.effective_size();
  const double rate = 1.0 / mean;
  f.parameters = {{"location", location, 1.0 / (n * rate)}, {"mean", mean, mean / std::sqrt(n)}};
  f.distribution = sim::Distribution::exponential(rate).shifted(location);
  f.json = {{"exponential", {{"mean", mean}}}, {"shift", location}};
  // sum w [ln rate - rate (x - location)]; every x >= location.
  const double total = static_cast<double>(s.size());
  const double ll = total * std::log(rate) - rate * total * (s.mean() - location);
  finish_fit(f, ll, 2);
  return f;
}

}  // namespace orchsim::calibration
