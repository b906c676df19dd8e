// The ziggurat samplers (RandomStream::standard_normal/standard_exponential)
// and stream families: table geometry, the tail code, pinned values, and that
// a family addresses streams exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <set>

#include "sim/random.hpp"

namespace orchsim::sim::ziggurat_test {
namespace {

double normal_density(double x) { return std::exp(-0.5 * x * x); }

// Every rectangle of the ziggurat has the same area v, and the base layer
// (rectangle to r plus the tail) has it too. The recurrence runs from r
// down to the top, so the top layer's area checks the whole table and the
// constant r.
TEST(Ziggurat, NormalLayersHaveEqualAreas) {
  const double r = 3.6541528853610088;
  const double v = r * normal_density(r) +
                   std::sqrt(std::numbers::pi / 2.0) * std::erfc(r / std::numbers::sqrt2);
  RandomSource(1).stream("warm").standard_normal();  // tables exist after any draw
  const auto x = [](int i) { return detail::kNormalZiggurat[i].width * 0x1.0p52; };
  EXPECT_DOUBLE_EQ(x(255), r);
  for (int i = 2; i < 256; ++i) {
    EXPECT_NEAR(x(i) * (normal_density(x(i - 1)) - normal_density(x(i))), v, 1e-12 * v) << i;
  }
  EXPECT_NEAR(x(1) * (1.0 - normal_density(x(1))), v, 1e-12 * v);
  // Base layer: width v / f(r); its accepted part is exactly [0, r).
  EXPECT_NEAR(detail::kNormalZiggurat[0].width * 0x1.0p52 * normal_density(r), v, 1e-15);
  EXPECT_EQ(detail::kNormalZiggurat[1].accept, 0u);  // the top layer always tests its wedge
}

TEST(Ziggurat, ExponentialLayersHaveEqualAreas) {
  const double r = 7.69711747013104972;
  const double v = (r + 1.0) * std::exp(-r);
  RandomSource(1).stream("warm").standard_exponential();
  const auto x = [](int i) { return detail::kExponentialZiggurat[i].width * 0x1.0p53; };
  EXPECT_DOUBLE_EQ(x(255), r);
  for (int i = 2; i < 256; ++i) {
    EXPECT_NEAR(x(i) * (std::exp(-x(i - 1)) - std::exp(-x(i))), v, 1e-12 * v) << i;
  }
  EXPECT_NEAR(x(1) * (1.0 - std::exp(-x(1))), v, 1e-12 * v);
}

// The slow paths: the normal tail beyond r (~2.6e-4 of draws) and the
// exponential one (e^-r ~ 4.5e-4) must have their exact mass, and the
// region just inside r (wedges of the outer layers) too.
TEST(Ziggurat, NormalTailAndWedgeMasses) {
  RandomStream s = RandomSource(11).stream("normal tails");
  constexpr int kDraws = 4'000'000;
  int beyond_r = 0, beyond_3 = 0, negative = 0;
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double z = s.standard_normal();
    beyond_r += std::fabs(z) > 3.6541528853610088;
    beyond_3 += std::fabs(z) > 3.0;
    negative += z < 0.0;
    sum += z;
    sum_sq += z * z;
  }
  const auto expect_rate = [](int hits, double p, const char* what) {
    const double sd = std::sqrt(p * (1.0 - p) / kDraws);
    EXPECT_NEAR(static_cast<double>(hits) / kDraws, p, 4.0 * sd) << what;
  };
  expect_rate(beyond_r, std::erfc(3.6541528853610088 / std::numbers::sqrt2), "|z| > r");
  expect_rate(beyond_3, std::erfc(3.0 / std::numbers::sqrt2), "|z| > 3");
  expect_rate(negative, 0.5, "z < 0");
  EXPECT_NEAR(sum / kDraws, 0.0, 4.0 / std::sqrt(kDraws));
  EXPECT_NEAR(sum_sq / kDraws, 1.0, 4.0 * std::sqrt(2.0 / kDraws));
}

TEST(Ziggurat, ExponentialTailMass) {
  RandomStream s = RandomSource(12).stream("exponential tails");
  constexpr int kDraws = 4'000'000;
  int beyond_r = 0, beyond_5 = 0;
  double sum = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = s.standard_exponential();
    ASSERT_GE(x, 0.0);
    beyond_r += x > 7.69711747013104972;
    beyond_5 += x > 5.0;
    sum += x;
  }
  const auto expect_rate = [](int hits, double p) {
    EXPECT_NEAR(static_cast<double>(hits) / kDraws, p, 4.0 * std::sqrt(p / kDraws));
  };
  expect_rate(beyond_r, std::exp(-7.69711747013104972));
  expect_rate(beyond_5, std::exp(-5.0));
  EXPECT_NEAR(sum / kDraws, 1.0, 4.0 / std::sqrt(kDraws));
}

// Pinned output, as for the uniforms in random_test.cpp: every lognormal
// latency and quality noise in every scenario comes from these samplers.
TEST(Ziggurat, FixedSeedGivesPinnedValues) {
  RandomStream s = RandomSource(42).stream("golden", 3);
  EXPECT_EQ(s.standard_normal(), 1.070472559905232);
  EXPECT_EQ(s.standard_normal(), 0.80766248457413103);
  EXPECT_EQ(s.standard_exponential(), 1.3800192442690733);
  EXPECT_EQ(s.standard_exponential(), 4.164064571682859);
}

TEST(StreamFamily, AddressesStreamsExactly) {
  const RandomSource src(5);
  const StreamFamily calls = src.family("call", 7);
  const auto first = [](RandomStream s) { return s.next_u64(); };
  EXPECT_EQ(first(calls.stream(1, 2, 3)), first(src.family("call", 7).stream(1, 2, 3)));
  // Each word, the family's keys and the seed all matter.
  std::set<std::uint64_t> seen;
  for (const RandomStream& s :
       {calls.stream(1, 2, 3), calls.stream(2, 2, 3), calls.stream(1, 3, 3), calls.stream(1, 2, 4),
        calls.stream(3, 2, 1), src.family("call", 8).stream(1, 2, 3),
        src.family("call").stream(1, 2, 3), RandomSource(6).family("call", 7).stream(1, 2, 3),
        src.stream(StreamId{{1, 2, 3}})}) {
    EXPECT_TRUE(seen.insert(first(s)).second);
  }
  EXPECT_NE(src.family("a"), src.family("b"));
  // Pinned: call streams of every agent come from here.
  EXPECT_EQ(first(calls.stream(0, 0, 0)), 12975327499722008771u);
}

}  // namespace
}  // namespace orchsim::sim::ziggurat_test
