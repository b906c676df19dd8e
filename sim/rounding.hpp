// Rounding a double to the nearest integer, halves away from zero: exactly
// std::llround, without its libm call on the per-call paths (~55
// instructions there, ~8 here).
//
//   sim::round_half_away(2.5);   // 3
//   sim::round_half_away(-2.5);  // -3
#pragma once

#include <cmath>
#include <cstdint>

namespace orchsim::sim {

// Below 2^52 the truncation t is exact and so is x - t, so comparing the
// remainder with 0.5 rounds exactly as llround does. Larger, infinite and NaN
// values go to llround itself.
inline std::int64_t round_half_away(double x) {
  if (!(std::fabs(x) < 0x1.0p52)) return std::llround(x);
  const auto t = static_cast<std::int64_t>(x);
  const double frac = x - static_cast<double>(t);
  // Without branches: frac >= 0.5 is a coin flip the predictor always loses.
  return t + static_cast<std::int64_t>(frac >= 0.5) - static_cast<std::int64_t>(frac <= -0.5);
}

// A sampled count (tokens) as an integer in [0, kMaxDrawnCount]: NaN and
// negatives are 0, more is kMaxDrawnCount. A trillion is past any model's
// context by five orders of magnitude, and a run's token totals fit int64
// for 9 million calls even if every draw hits the bound; llround of a value
// beyond int64 would be unspecified (INT64_MIN on x86).
inline constexpr std::int64_t kMaxDrawnCount = 1'000'000'000'000;
inline std::int64_t drawn_count(double x) {
  if (!(x > 0)) return 0;
  if (x >= static_cast<double>(kMaxDrawnCount)) return kMaxDrawnCount;
  return round_half_away(x);
}

}  // namespace orchsim::sim
