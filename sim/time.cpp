#include "sim/time.hpp"

#include <cmath>
#include <cstdlib>

#include "sim/rounding.hpp"

namespace orchsim::sim {

namespace {
Duration saturating_from_ns(double ns) {
  if (std::isnan(ns)) return Duration::zero();
  constexpr double kMax = 9.2e18;  // just under INT64_MAX, exactly representable
  if (ns >= kMax) return Duration::max();
  if (ns <= -kMax) return -Duration::max();
  return Duration::nanoseconds(round_half_away(ns));
}
}  // namespace

Duration Duration::from_seconds(double s) { return saturating_from_ns(s * 1e9); }

Duration scale(Duration d, double factor) {
  return saturating_from_ns(static_cast<double>(d.count_ns()) * factor);
}

std::string to_string(Duration d) {
  const std::int64_t ns = d.count_ns();
  if (ns == 0) return "0s";
  // Magnitude in unsigned arithmetic so INT64_MIN does not overflow.
  const bool negative = ns < 0;
  const std::uint64_t mag =
      negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  struct Unit {
    std::uint64_t ns;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
  for (const Unit& u : kUnits) {
    if (mag < u.ns) continue;
    std::string out = negative ? "-" : "";
    out += std::to_string(mag / u.ns);
    std::uint64_t frac = mag % u.ns;
    if (frac != 0) {
      std::string digits = std::to_string(frac);
      std::string padded(std::to_string(u.ns).size() - 1 - digits.size(), '0');
      padded += digits;
      while (!padded.empty() && padded.back() == '0') padded.pop_back();
      out += '.';
      out += padded;
    }
    out += u.suffix;
    return out;
  }
  return "0s";  // unreachable: mag >= 1 matches the ns unit
}

}  // namespace orchsim::sim
