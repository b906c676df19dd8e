// Theil-Sen slope: the median of the slopes between pairs of points. Robust
// to the outliers real latencies have (one 100 s call moves a least-squares
// line a lot, the median of slopes hardly). Above `max_points` points, an
// evenly spaced, deterministic subset is used (O(max_points^2) pairs).
//
//   double ms_per_token = theil_sen_slope(output_tokens, latency_ms);
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace orchsim::calibration {

// nullopt when no pair has distinct x.
std::optional<double> theil_sen_slope(const std::vector<double>& x, const std::vector<double>& y,
                                      std::size_t max_points = 1500);

}  // namespace orchsim::calibration
