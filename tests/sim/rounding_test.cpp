#include "sim/rounding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/random.hpp"

namespace {

using orchsim::sim::drawn_count;
using orchsim::sim::kMaxDrawnCount;
using orchsim::sim::round_half_away;

TEST(RoundHalfAway, MatchesLlroundOnHalvesAndNeighbours) {
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      0.5,
                                      -0.5,
                                      1.5,
                                      -1.5,
                                      2.5,
                                      -2.5,
                                      0.49999999999999994,
                                      -0.49999999999999994,
                                      std::nextafter(0.5, 1.0),
                                      std::nextafter(-0.5, -1.0),
                                      1e-300,
                                      -1e-300,
                                      0x1.0p52 - 0.5,
                                      -(0x1.0p52 - 0.5),
                                      0x1.0p52 - 1.5,
                                      0x1.0p52,
                                      -0x1.0p52,
                                      0x1.0p52 + 1.0,
                                      0x1.0p53 + 2.0,
                                      9.2e18,
                                      -9.2e18,
                                      123456789.5,
                                      -123456789.5};
  for (const double x : values) EXPECT_EQ(round_half_away(x), std::llround(x)) << x;
}

TEST(RoundHalfAway, MatchesLlroundOnRandomValuesOfEveryMagnitude) {
  auto rng = orchsim::sim::RandomSource(3).stream("rounding");
  for (int i = 0; i < 200'000; ++i) {
    const double magnitude = std::ldexp(1.0, static_cast<int>(rng.below(62)) - 4);
    const double x = (rng.uniform01() - 0.5) * 2.0 * magnitude;
    ASSERT_EQ(round_half_away(x), std::llround(x)) << x;
    // Exact halves at this magnitude, where the rounding rule decides.
    const double half = std::floor(x) + 0.5;
    if (std::fabs(half) < 0x1.0p62) {
      ASSERT_EQ(round_half_away(half), std::llround(half)) << half;
    }
  }
}

// A drawn count is a whole number in [0, a trillion], rounded like llround.
TEST(DrawnCount, RoundsAndHoldsWithinZeroAndATrillion) {
  EXPECT_EQ(drawn_count(2.5), 3);
  EXPECT_EQ(drawn_count(0.49), 0);
  EXPECT_EQ(drawn_count(-7.0), 0);
  EXPECT_EQ(drawn_count(std::nan("")), 0);
  EXPECT_EQ(drawn_count(999'999'999'999.4), 999'999'999'999);
  EXPECT_EQ(drawn_count(1e12), kMaxDrawnCount);
  EXPECT_EQ(drawn_count(1e30), kMaxDrawnCount);
  EXPECT_EQ(drawn_count(std::numeric_limits<double>::infinity()), kMaxDrawnCount);
}

}  // namespace
