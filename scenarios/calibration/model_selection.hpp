// Fits every candidate family to one measured quantity and picks one:
// by AIC among the families whose fitted p50, p90 and p99 stay within the
// quantile bar of the measured ones (the same bar the real-data validity
// test holds the simulator to), falling back to the empirical distribution
// when none does, or when the sample is too small to trust a fit.
//
//   SelectionOptions options;                 // every family, guarded AIC
//   QuantityFit q = fit_quantity("ttft_ms", Sample::of(ttft), options);
//   const CandidateFit& chosen = q.candidates[q.selected];
//   chosen.fit.json;   chosen.goodness.ks_distance;   q.reason;
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/goodness_of_fit.hpp"
#include "scenarios/calibration/sample.hpp"

namespace orchsim::calibration {

struct SelectionOptions {
  // Candidates, in report order. Empirical is the fallback only if listed.
  std::vector<Family> families = {std::begin(kAllFamilies), std::end(kAllFamilies)};
  // false: plain AIC, no quantile bar (`orchsim fit --select aic`).
  bool quantile_guard = true;
  // Largest |relative error| of the fitted p50, p90 and p99 for a family to
  // count as adequate.
  double max_error_p50 = 0.10;
  double max_error_p90 = 0.10;
  double max_error_p99 = 0.20;
  // ... and whose Kolmogorov-Smirnov p-value is at least this (0 = no KS
  // check). The p-value treats the parameters as known, so this is lenient.
  double min_ks_p_value = 0.01;
  // Fewer (effective) values than this: empirical, with a warning.
  double min_samples = 30;
};

struct CandidateFit {
  FamilyFit fit{};
  Goodness goodness{};    // meaningful when fit.ok
  bool adequate = false;  // within the quantile bar
};

struct QuantityFit {
  std::string quantity{};  // "ttft_ms", "inter_token_ms", "output_tokens", ...
  std::size_t n = 0;
  double effective_n = 0.0;
  bool weighted = false;
  // Measured summary.
  double min = 0.0, mean = 0.0, p50 = 0.0, p90 = 0.0, p99 = 0.0, max = 0.0;
  std::vector<CandidateFit> candidates{};  // one per requested family, in that order
  std::size_t selected = 0;                // index into candidates
  std::string reason{};                    // why that one ("lowest AIC among adequate", ...)
  std::vector<std::string> warnings{};

  const CandidateFit& chosen() const { return candidates[selected]; }
};

// The sample must not be empty.
QuantityFit fit_quantity(std::string quantity, const Sample& sample,
                         const SelectionOptions& options);

}  // namespace orchsim::calibration
