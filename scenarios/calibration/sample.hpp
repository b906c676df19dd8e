// A sample of one measured quantity, ready to fit: values sorted ascending,
// each with a weight (1 unless given), and the sample statistics every
// family fitter and goodness-of-fit check needs.
//
//   Sample s = Sample::of({120, 95, 310, 101});
//   double median = s.quantile(0.5);     // 110.5 (linear interpolation)
//   Sample d = Sample::weighted(per_token_ms, output_tokens);   // token-weighted
//
// Weights are rescaled to sum to the number of values, so that weighted log
// likelihoods and AIC stay on the scale of a count. Quantiles interpolate
// linearly between order statistics as NumPy's default does (and LLMPerf's
// summaries): the value at p sits at cumulative weight (C_i - w_0) / (W - w_0),
// which for equal weights is i / (n - 1).
#pragma once

#include <cstddef>
#include <vector>

namespace orchsim::calibration {

class Sample {
 public:
  static Sample of(std::vector<double> values);
  // weights >= 0, one per value, not all zero.
  static Sample weighted(std::vector<double> values, std::vector<double> weights);

  std::size_t size() const { return x_.size(); }
  bool empty() const { return x_.empty(); }
  bool is_weighted() const { return weighted_; }
  const std::vector<double>& values() const { return x_; }   // ascending
  const std::vector<double>& weights() const { return w_; }  // sum = size()
  // Cumulative weight through value i, divided by the total (ends at 1).
  double cumulative(std::size_t i) const { return c_[i]; }
  // (sum w)^2 / sum w^2: the size an unweighted sample with the same
  // precision would have (what KS p-values and standard errors use).
  double effective_size() const { return effective_size_; }

  double min() const { return x_.front(); }
  double max() const { return x_.back(); }
  double mean() const { return mean_; }
  // Linear-interpolation quantile, p in [0, 1].
  double quantile(double p) const;
  // Position of value i on the interpolation scale (0 for the first, 1 for the last).
  double plotting_position(std::size_t i) const;
  // Number of distinct values.
  std::size_t distinct() const { return distinct_; }
  bool all_integers() const { return all_integers_; }

 private:
  Sample() = default;
  void finish();

  std::vector<double> x_, w_, c_;
  bool weighted_ = false;
  double effective_size_ = 0.0;
  double mean_ = 0.0;
  std::size_t distinct_ = 0;
  bool all_integers_ = true;
};

}  // namespace orchsim::calibration
