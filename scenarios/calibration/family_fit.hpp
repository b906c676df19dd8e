// Maximum-likelihood fits of one distribution family to a Sample, each
// giving the parameters with standard errors, the log likelihood, and the
// fitted distribution twice: as the scenario format's JSON (what a fitted
// agent says) and as the sim::Distribution that JSON loads as (what the
// simulator samples). Parameters are rounded to 6 significant digits before
// the distribution is built, so every statistic describes exactly the text
// that is written.
//
//   Sample s = Sample::of(ttft_ms);
//   FamilyFit f = fit_family(Family::kGamma, s);
//   if (f.ok) { f.aic; f.parameters[0].value; f.json.dump(); f.distribution.cdf(200); }
//
// Families (docs/calibration.md has the estimators):
//   lognormal            closed form on log values
//   gamma                Newton on ln k - digamma(k) = ln mean - mean ln x (Boost.Math)
//   weibull              Newton on the shape's score equation, scale in closed form
//   shifted_exponential  location = min, mean = mean - min
//   body_pareto_tail     a lognormal truncated at a threshold u (the body) and a Pareto
//                        tail above u (Hill's estimator), u chosen among the 80th-95th
//                        percentiles by likelihood
//   empirical            the sample itself (no likelihood; the fallback)
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/calibration/sample.hpp"
#include "sim/distribution.hpp"

namespace orchsim::calibration {

enum class Family : std::uint8_t {
  kLognormal,
  kGamma,
  kWeibull,
  kShiftedExponential,
  kBodyParetoTail,
  kEmpirical,
};
inline constexpr Family kAllFamilies[] = {Family::kLognormal,      Family::kGamma,
                                          Family::kWeibull,        Family::kShiftedExponential,
                                          Family::kBodyParetoTail, Family::kEmpirical};
std::string_view to_string(Family family);
bool parse_family(std::string_view text, Family& out);

struct Parameter {
  std::string name{};
  double value = 0.0;
  double std_error = 0.0;  // asymptotic (inverse Fisher information); NaN if not available
};

struct FamilyFit {
  Family family = Family::kEmpirical;
  bool ok = false;
  std::string failure{};  // why not ok ("values <= 0", "no spread", ...)
  std::vector<Parameter> parameters{};
  double log_likelihood = 0.0;  // weighted, weights summing to the sample size
  int free_parameters = 0;      // 0 for empirical
  double aic = 0.0;             // 2k - 2 ln L; NaN for empirical
  sim::Distribution distribution{};
  nlohmann::ordered_json json{};  // a scenario-format distribution

  const Parameter* parameter(std::string_view name) const;
};

FamilyFit fit_lognormal(const Sample& s);
FamilyFit fit_gamma(const Sample& s);
FamilyFit fit_weibull(const Sample& s);
FamilyFit fit_shifted_exponential(const Sample& s);
FamilyFit fit_body_pareto_tail(const Sample& s);
FamilyFit fit_empirical(const Sample& s);
FamilyFit fit_family(Family family, const Sample& s);

// Rounds to 6 significant digits (what the fitted JSON carries).
double round_significant(double x, int digits = 6);

}  // namespace orchsim::calibration
