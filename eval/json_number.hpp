// Numbers as the exports write them: rounded to a fixed number of decimals
// (so a report does not change in its 17th digit between compilers), no
// "-0.0", and null for a missing or non-finite value.
//
//   j["mean_ms"] = json_number(mean, 4);   // 12.34567 -> 12.3457, nullopt -> null
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>

namespace orchsim::eval {

// `decimals` in [0, 8].
inline double round_to(double x, int decimals) {
  static constexpr std::array<double, 9> kScale = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  const double scale = kScale[static_cast<std::size_t>(decimals)];
  const double r = std::round(x * scale) / scale;
  return r == 0.0 ? 0.0 : r;  // no "-0.0" in the output
}

// A number the results model holds rounded already (eval/run_metrics.hpp,
// eval/run_series.hpp): written as it is, null when missing or not finite.
inline nlohmann::ordered_json json_rounded(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

inline nlohmann::ordered_json json_number(std::optional<double> v, int decimals) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return round_to(*v, decimals);
}

}  // namespace orchsim::eval
