#include "scenarios/calibration/family_fit.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

std::string_view to_string(Family family) {
  switch (family) {
    case Family::kLognormal:
      return "lognormal";
    case Family::kGamma:
      return "gamma";
    case Family::kWeibull:
      return "weibull";
    case Family::kShiftedExponential:
      return "shifted_exponential";
    case Family::kBodyParetoTail:
      return "body_pareto_tail";
    case Family::kEmpirical:
      return "empirical";
  }
  return "unknown";
}

bool parse_family(std::string_view text, Family& out) {
  for (Family f : kAllFamilies) {
    if (text == to_string(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

const Parameter* FamilyFit::parameter(std::string_view name) const {
  for (const Parameter& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

double round_significant(double x, int digits) {
  if (x == 0.0 || !std::isfinite(x)) return x;
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  const double scale = std::pow(10.0, digits - 1 - exponent);
  const double r = std::round(x * scale) / scale;
  // Through the decimal text: the JSON then shows 0.123457, not 0.12345700000000001.
  const std::string text = format_shortest(r, digits);
  double back = r;
  std::from_chars(text.data(), text.data() + text.size(), back);
  return back;
}

FamilyFit fit_family(Family family, const Sample& s) {
  switch (family) {
    case Family::kLognormal:
      return fit_lognormal(s);
    case Family::kGamma:
      return fit_gamma(s);
    case Family::kWeibull:
      return fit_weibull(s);
    case Family::kShiftedExponential:
      return fit_shifted_exponential(s);
    case Family::kBodyParetoTail:
      return fit_body_pareto_tail(s);
    case Family::kEmpirical:
      return fit_empirical(s);
  }
  return fit_empirical(s);
}

}  // namespace orchsim::calibration
