#include "scenarios/calibration/model_selection.hpp"

#include <fmt/format.h>

#include <cmath>

namespace orchsim::calibration {

namespace {

bool within_bar(const Goodness& g, const SelectionOptions& o) {
  if (o.min_ks_p_value > 0 && !(g.ks_p_value >= o.min_ks_p_value)) return false;
  const double limits[] = {o.max_error_p50, o.max_error_p90, o.max_error_p99};
  for (std::size_t i = 0; i < g.quantiles.size() && i < 3; ++i) {
    if (!(std::fabs(g.quantiles[i].relative_error) <= limits[i])) return false;
  }
  return true;
}

}  // namespace

QuantityFit fit_quantity(std::string quantity, const Sample& sample,
                         const SelectionOptions& options) {
  QuantityFit q;
  q.quantity = std::move(quantity);
  q.n = sample.size();
  q.effective_n = sample.effective_size();
  q.weighted = sample.is_weighted();
  q.min = sample.min();
  q.max = sample.max();
  q.mean = sample.mean();
  q.p50 = sample.quantile(0.5);
  q.p90 = sample.quantile(0.9);
  q.p99 = sample.quantile(0.99);

  std::optional<std::size_t> empirical;
  for (Family family : options.families) {
    CandidateFit c;
    c.fit = fit_family(family, sample);
    if (c.fit.ok) {
      c.goodness = assess(sample, c.fit.distribution);
      c.adequate = within_bar(c.goodness, options);
    }
    if (family == Family::kEmpirical) empirical = q.candidates.size();
    q.candidates.push_back(std::move(c));
  }

  const auto best_aic = [&q](bool adequate_only) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < q.candidates.size(); ++i) {
      const CandidateFit& c = q.candidates[i];
      if (!c.fit.ok || c.fit.family == Family::kEmpirical) continue;
      if (adequate_only && !c.adequate) continue;
      if (!best || c.fit.aic < q.candidates[*best].fit.aic) best = i;
    }
    return best;
  };

  if (sample.distinct() == 1) {
    q.reason = "every value is the same: a constant";
    if (empirical) {
      q.selected = *empirical;
      return q;
    }
  }
  if (q.effective_n < options.min_samples) {
    q.warnings.push_back(
        fmt::format("only {:.0f} values (fewer than {:.0f}): the empirical "
                    "distribution, not a fitted family",
                    q.effective_n, options.min_samples));
    if (empirical) {
      q.selected = *empirical;
      q.reason = "too few values for a confident fit";
      return q;
    }
  }
  if (const auto best = best_aic(options.quantile_guard)) {
    q.selected = *best;
    q.reason = options.quantile_guard ? "lowest AIC within the bar" : "lowest AIC";
    return q;
  }
  if (empirical) {
    q.selected = *empirical;
    q.reason = "no fitted family within the bar: the empirical distribution";
    return q;
  }
  // The user excluded the fallback: the best fit there is, with a warning.
  if (const auto best = best_aic(false)) {
    q.selected = *best;
    q.reason = "lowest AIC (none within the bar; empirical not allowed)";
    q.warnings.push_back("no family reproduces p50/p90/p99 within the bar");
    return q;
  }
  q.warnings.push_back("no family could be fitted");
  q.selected = 0;
  q.reason = "nothing fitted";
  return q;
}

}  // namespace orchsim::calibration
