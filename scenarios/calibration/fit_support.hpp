// Internal helpers shared by the family fitters (not part of the public
// surface): failure results, AIC, the weighted sums of log values, rounding
// through decimal text.
#pragma once

#include <array>
#include <functional>
#include <string>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/sample.hpp"

namespace orchsim::calibration {

// "%.<digits>g" of x, parsed back exactly (std::from_chars: locale-free).
std::string format_shortest(double x, int digits);

FamilyFit failed_fit(Family family, std::string why);
// Sets log_likelihood, free_parameters, aic and ok.
void finish_fit(FamilyFit& fit, double log_likelihood, int free_parameters);

// Weighted moments of ln x (all x > 0 is the caller's check).
struct LogMoments {
  double weight = 0.0;    // sum of weights
  double mean = 0.0;      // weighted mean of ln x
  double variance = 0.0;  // weighted (population) variance of ln x
  double sum_log = 0.0;   // sum w ln x
};
LogMoments log_moments(const Sample& s);

// True if every value is > 0.
bool all_positive(const Sample& s);

// Rounds down to `digits` significant digits (a location that must stay at
// or below the smallest value).
double round_down_significant(double x, int digits = 6);

// Minimises f over R^2 by Nelder-Mead from `start` with initial steps `step`
// (deterministic: fixed coefficients, fixed iteration cap).
std::array<double, 2> nelder_mead_2d(const std::function<double(const std::array<double, 2>&)>& f,
                                     std::array<double, 2> start, std::array<double, 2> step);

}  // namespace orchsim::calibration
