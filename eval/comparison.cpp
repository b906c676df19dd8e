#include "eval/comparison.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "eval/replications.hpp"

namespace orchsim::eval {

std::vector<MetricComparison> compare(const std::vector<RunMetrics>& base,
                                      const std::vector<RunMetrics>& variant, double level) {
  if (base.size() != variant.size()) {
    throw std::invalid_argument("compare: base and variant have different numbers of replications");
  }
  const std::vector<MetricSummary> b = summarize(base, level);
  const std::vector<MetricSummary> v = summarize(variant, level);
  std::vector<MetricComparison> out;
  for (const MetricSummary& bm : b) {
    const MetricSummary* vm = find_metric(v, bm.name);
    if (vm == nullptr) continue;
    std::vector<double> x, y;
    for (std::size_t i = 0; i < bm.values.size(); ++i) {
      if (std::isnan(bm.values[i]) || std::isnan(vm->values[i])) continue;
      x.push_back(bm.values[i]);
      y.push_back(vm->values[i]);
    }
    if (x.empty()) continue;
    MetricComparison c;
    c.name = bm.name;
    c.pairs = x.size();
    c.base_mean = stats::mean(x);
    c.variant_mean = stats::mean(y);
    c.paired = stats::paired_difference_ci(x, y, level);
    c.unpaired = stats::welch_difference_ci(x, y, level);
    if (is_quantile_metric(c.name)) {
      // Each side may be off by its histogram's resolution, in either direction.
      const double bound = quantization_bound(c.base_mean) + quantization_bound(c.variant_mean);
      if (c.paired.has_interval()) c.paired.half_width += bound;
      if (c.unpaired.has_interval()) c.unpaired.half_width += bound;
    }
    c.width_ratio = std::numeric_limits<double>::quiet_NaN();
    if (c.paired.has_interval() && c.unpaired.has_interval() && c.paired.half_width > 0.0) {
      c.width_ratio = c.unpaired.half_width / c.paired.half_width;
    }
    out.push_back(std::move(c));
  }
  return out;
}

nlohmann::ordered_json to_json(const MetricComparison& c) {
  using J = nlohmann::ordered_json;
  auto num = [](double x) { return std::isfinite(x) ? J(x) : J(); };
  J j;
  j["pairs"] = c.pairs;
  j["base_mean"] = c.base_mean;
  j["variant_mean"] = c.variant_mean;
  j["diff_mean"] = c.paired.mean;
  j["diff_ci_low"] = c.paired.has_interval() ? J(c.paired.low()) : J();
  j["diff_ci_high"] = c.paired.has_interval() ? J(c.paired.high()) : J();
  j["paired_half_width"] = num(c.paired.half_width);
  j["unpaired_half_width"] = num(c.unpaired.half_width);
  j["width_ratio"] = num(c.width_ratio);
  j["significant"] = c.significant();
  return j;
}

}  // namespace orchsim::eval
