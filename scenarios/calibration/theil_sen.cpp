#include "scenarios/calibration/theil_sen.hpp"

#include <algorithm>

namespace orchsim::calibration {

std::optional<double> theil_sen_slope(const std::vector<double>& x, const std::vector<double>& y,
                                      std::size_t max_points) {
  std::vector<std::size_t> pick;
  const std::size_t n = std::min(x.size(), y.size());
  if (n <= max_points) {
    for (std::size_t i = 0; i < n; ++i) pick.push_back(i);
  } else {
    for (std::size_t k = 0; k < max_points; ++k) pick.push_back(k * n / max_points);
  }
  std::vector<double> slopes;
  slopes.reserve(pick.size() * (pick.size() - 1) / 2);
  for (std::size_t a = 0; a < pick.size(); ++a) {
    for (std::size_t b = a + 1; b < pick.size(); ++b) {
      const double dx = x[pick[b]] - x[pick[a]];
      if (dx != 0.0) slopes.push_back((y[pick[b]] - y[pick[a]]) / dx);
    }
  }
  if (slopes.empty()) return std::nullopt;
  const auto mid = slopes.begin() + static_cast<std::ptrdiff_t>(slopes.size() / 2);
  std::nth_element(slopes.begin(), mid, slopes.end());
  if (slopes.size() % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(slopes.begin(), mid);
  return 0.5 * (lower + upper);
}

}  // namespace orchsim::calibration
