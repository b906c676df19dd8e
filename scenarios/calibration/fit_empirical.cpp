// The sample itself as a distribution, in the most faithful form the
// scenario format has:
//   - one distinct value: a constant;
//   - whole numbers with at most 64 distinct values (token counts): a mixture
//     of constants weighted by their counts (exactly the sample's frequencies);
//   - at most 2000 values: an empirical_cdf through every order statistic at
//     its plotting position (Sample::quantile), so that its quantiles are the
//     sample's, interpolated the same way;
//   - more: an empirical_cdf through 1,011 quantiles (every 0.1%, then every
//     0.05% above the 99th percentile, and the 99.99th), a bounded size for
//     any sample.
// Ties in a CDF become one point at their highest position; the CDF's first
// point must have probability 0, so a tied minimum gets a point just below it.
#include <cmath>
#include <map>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

FamilyFit fit_empirical(const Sample& s) {
  if (s.empty()) return failed_fit(Family::kEmpirical, "no values");
  FamilyFit f;
  f.family = Family::kEmpirical;
  f.aic = std::nan("");
  f.ok = true;
  f.parameters = {{"values", static_cast<double>(s.size()), std::nan("")}};
  if (s.distinct() == 1) {
    const double v = round_significant(s.min());
    f.distribution = sim::Distribution::constant(v);
    f.json = {{"constant", v}};
    return f;
  }
  if (s.all_integers() && s.distinct() <= 64) {
    std::map<double, double> counts;  // ordered: the JSON lists values ascending
    for (std::size_t i = 0; i < s.size(); ++i) counts[s.values()[i]] += s.weights()[i];
    std::vector<double> weights;
    std::vector<sim::Distribution> parts;
    nlohmann::ordered_json components = nlohmann::ordered_json::array();
    for (const auto& [value, weight] : counts) {
      const double w = round_significant(weight);
      weights.push_back(w);
      parts.push_back(sim::Distribution::constant(value));
      components.push_back({{"weight", w}, {"of", value}});
    }
    f.distribution = sim::Distribution::mixture(weights, parts);
    f.json = {{"mixture", components}};
    return f;
  }
  std::vector<std::pair<double, double>> points;  // (x, F)
  const auto add = [&points](double x, double p) {
    x = round_significant(x, 8);
    p = std::clamp(round_significant(p, 8), 0.0, 1.0);
    if (!points.empty() && x <= points.back().first) {
      points.back().second = std::max(points.back().second, p);  // a tie: keep the top
    } else {
      points.emplace_back(x, p);
    }
  };
  if (s.size() <= 2000) {
    for (std::size_t i = 0; i < s.size(); ++i) add(s.values()[i], s.plotting_position(i));
  } else {
    for (int k = 0; k <= 990; ++k) add(s.quantile(k / 1000.0), k / 1000.0);
    for (int k = 1; k <= 19; ++k) add(s.quantile(0.99 + k * 0.0005), 0.99 + k * 0.0005);
    add(s.quantile(0.9999), 0.9999);
    add(s.max(), 1.0);
  }
  if (points.front().second > 0.0) {
    const double x0 = points.front().first;
    const double below = x0 - std::max(std::fabs(x0) * 1e-6, 1e-9);
    points.insert(points.begin(), {below, 0.0});
  }
  points.back().second = 1.0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& [x, p] : points) list.push_back({x, p});
  f.distribution = sim::Distribution::empirical_cdf(points);
  f.json = {{"empirical_cdf", {{"points", list}}}};
  return f;
}

}  // namespace orchsim::calibration
