// Tests for scenarios/arrival_process: each open-loop process against its defining law (rate,
// inter-arrival distribution, burstiness, the integral of a time-varying rate), and parameter
// validation.
//
// Fixed seeds make every test deterministic; the statistical thresholds sit at ~4-5 standard
// errors (p ~ 1e-4 or below), so a wrong sampler fails them and a right one does not.
#include "scenarios/arrival_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace orchsim::scenarios::arrival_process_test {
namespace {

using namespace sim::literals;

constexpr std::uint64_t kSeed = 20240612;
// sqrt(n) D_n exceeds 1.95 with probability ~0.001 under the null (Kolmogorov distribution).
constexpr double kKsCritical = 1.95;

sim::RandomStream stream(const char* name) { return sim::RandomSource(kSeed).stream(name); }

// Arrivals strictly before `until` (or the first `max_n`), starting from time zero.
std::vector<sim::Time> collect(ArrivalProcess& p, sim::RandomStream& s, sim::Time until,
                               std::size_t max_n = std::numeric_limits<std::size_t>::max()) {
  std::vector<sim::Time> out;
  sim::Time t = sim::Time::zero();
  while (out.size() < max_n) {
    const auto next = p.next(t, s);
    if (!next || *next >= until) break;
    out.push_back(*next);
    t = *next;
  }
  return out;
}

std::vector<std::int64_t> counts_per_bin(const std::vector<sim::Time>& ts, sim::Duration bin,
                                         std::size_t bins) {
  std::vector<std::int64_t> counts(bins, 0);
  for (sim::Time t : ts) {
    const auto i = static_cast<std::size_t>(t.since_start() / bin);
    if (i < bins) ++counts[i];
  }
  return counts;
}

// Variance-to-mean ratio of counts per window: ~1 for Poisson, > 1 for bursty traffic.
double index_of_dispersion(const std::vector<std::int64_t>& counts) {
  double sum = 0, sum_sq = 0;
  for (auto c : counts) {
    sum += static_cast<double>(c);
    sum_sq += static_cast<double>(c) * static_cast<double>(c);
  }
  const double n = static_cast<double>(counts.size());
  const double mean = sum / n;
  const double var = (sum_sq - n * mean * mean) / (n - 1);
  return var / mean;
}

// Compares observed bin counts against expected means (Poisson counts): every bin within 5 sd,
// and the chi-square statistic below its mean + 5 sd.
void expect_counts_match(const std::vector<std::int64_t>& observed,
                         const std::vector<double>& expected) {
  ASSERT_EQ(observed.size(), expected.size());
  double chi2 = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double o = static_cast<double>(observed[i]), e = expected[i];
    ASSERT_GT(e, 0.0) << "bin " << i;
    EXPECT_LT(std::abs(o - e), 5.0 * std::sqrt(e))
        << "bin " << i << ": observed " << o << ", expected " << e;
    chi2 += (o - e) * (o - e) / e;
  }
  const double k = static_cast<double>(observed.size());
  EXPECT_LT(chi2, k + 5.0 * std::sqrt(2.0 * k)) << "chi-square over " << k << " bins";
}

// --- Poisson ---------------------------------------------------------------

TEST(PoissonArrivals, RateAndExponentialInterArrivals) {
  const double rate = 250.0;
  auto p = make_arrival_process(PoissonArrivals{.rate_per_second = rate});
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), rate);
  auto s = stream("poisson");
  const std::size_t n = 200'000;
  const auto ts = collect(*p, s, sim::Time::max(), n);
  ASSERT_EQ(ts.size(), n);

  // n / t_n estimates the rate with relative standard error 1/sqrt(n).
  const double rate_hat = static_cast<double>(n) / ts.back().seconds_f();
  EXPECT_LT(std::abs(rate_hat / rate - 1.0), 4.0 / std::sqrt(static_cast<double>(n)))
      << "estimated rate " << rate_hat;

  std::vector<double> gaps(n);
  sim::Time prev = sim::Time::zero();
  for (std::size_t i = 0; i < n; ++i) {
    gaps[i] = (ts[i] - prev).seconds_f();
    prev = ts[i];
  }
  std::sort(gaps.begin(), gaps.end());
  double d = 0;
  const double nd = static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double f = 1.0 - std::exp(-rate * gaps[i]);
    d = std::max({d, f - static_cast<double>(i) / nd, static_cast<double>(i + 1) / nd - f});
  }
  EXPECT_LT(std::sqrt(nd) * d, kKsCritical) << "KS distance " << d;
}

TEST(PoissonArrivals, CountsPerWindowAreNotOverdispersed) {
  auto p = make_arrival_process(PoissonArrivals{.rate_per_second = 100});
  auto s = stream("poisson-iod");
  const std::size_t windows = 2000;
  const auto ts = collect(*p, s, sim::Time::zero() + 2000_s);
  const double iod = index_of_dispersion(counts_per_bin(ts, 1_s, windows));
  // Standard error of the ratio is ~sqrt(2 / windows) = 0.032.
  EXPECT_NEAR(iod, 1.0, 0.15);
}

TEST(PoissonArrivals, SameStreamSameInstants) {
  auto a = make_arrival_process(PoissonArrivals{.rate_per_second = 40});
  auto b = make_arrival_process(PoissonArrivals{.rate_per_second = 40});
  auto sa = stream("same");
  auto sb = stream("same");
  EXPECT_EQ(collect(*a, sa, sim::Time::max(), 1000), collect(*b, sb, sim::Time::max(), 1000));
}

// --- Deterministic ---------------------------------------------------------

TEST(DeterministicArrivals, ExactInstantsFirstAtInterval) {
  auto p = make_arrival_process(DeterministicArrivals{.interval = 7_ms});
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), 1.0 / 0.007);
  auto s = stream("det");
  const auto ts = collect(*p, s, sim::Time::max(), 1000);
  ASSERT_EQ(ts.size(), 1000u);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    EXPECT_EQ(ts[i], sim::Time::zero() + 7_ms * static_cast<std::int64_t>(i + 1)) << i;
  }
  // It draws nothing: the stream is untouched.
  EXPECT_EQ(s.blocks_generated(), 0u);
}

// --- On/off (MMPP) ---------------------------------------------------------

TEST(OnOffArrivals, LongRunRateMatchesTimeWeightedMean) {
  const OnOffArrivals spec{
      .on_rate_per_second = 20, .off_rate_per_second = 5, .mean_on = 2_s, .mean_off = 6_s};
  auto p = make_arrival_process(spec);
  const double expected = (2.0 * 20 + 6.0 * 5) / 8.0;
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), expected);
  auto s = stream("onoff-rate");
  const sim::Duration horizon = 80'000_s;  // 10'000 on/off cycles
  const auto ts = collect(*p, s, sim::Time::zero() + horizon);
  const double rate_hat = static_cast<double>(ts.size()) / horizon.seconds_f();
  // The noise is dominated by the random on/off durations: ~0.5% relative here.
  EXPECT_NEAR(rate_hat, expected, 0.025 * expected);
}

TEST(OnOffArrivals, NoArrivalsWhileOffWhenOffRateIsZero) {
  const OnOffArrivals spec{
      .on_rate_per_second = 200, .off_rate_per_second = 0, .mean_on = 1_s, .mean_off = 3_s};
  auto p = make_arrival_process(spec);
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), 50.0);
  auto s = stream("onoff-off");
  const sim::Duration horizon = 4000_s;  // ~1000 cycles
  const auto ts = collect(*p, s, sim::Time::zero() + horizon);

  // Bursty: counts per 1 s window are far more variable than Poisson's (ratio ~1).
  const auto counts = counts_per_bin(ts, 1_s, 4000);
  EXPECT_GT(index_of_dispersion(counts), 10.0);

  // While on, a gap over 100 ms has probability e^-20; so the long gaps are the off periods
  // (plus two short on fragments, and rarely an on period with no arrival). With off_rate 0
  // they are whole exponential off periods with mean 3 s; any arrival while off would split them.
  double long_sum = 0;
  int long_gaps = 0;
  for (std::size_t i = 1; i < ts.size(); ++i) {
    const double gap = (ts[i] - ts[i - 1]).seconds_f();
    if (gap > 0.1) {
      long_sum += gap;
      ++long_gaps;
    }
  }
  ASSERT_GT(long_gaps, 800);
  const double mean_long = long_sum / long_gaps;
  EXPECT_NEAR(mean_long, 3.0, 5.0 * 3.0 / std::sqrt(static_cast<double>(long_gaps)))
      << long_gaps << " long gaps";
  // ~1000 cycles (renewal count sd ~25).
  EXPECT_NEAR(long_gaps, 1000, 150);
  // Off time is 3/4 of the horizon.
  EXPECT_NEAR(long_sum / horizon.seconds_f(), 0.75, 0.05);
}

TEST(OnOffArrivals, OffRateIsUsedWhileOff) {
  // The same process with a small off rate: the off periods now hold arrivals, so the long
  // gaps are much shorter on average than the 3 s off periods.
  const OnOffArrivals spec{
      .on_rate_per_second = 200, .off_rate_per_second = 2, .mean_on = 1_s, .mean_off = 3_s};
  auto p = make_arrival_process(spec);
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), (200.0 + 3 * 2.0) / 4.0);
  auto s = stream("onoff-off");
  const auto ts = collect(*p, s, sim::Time::zero() + 4000_s);
  const double rate_hat = static_cast<double>(ts.size()) / 4000.0;
  EXPECT_NEAR(rate_hat, p->mean_rate_per_second(), 0.1 * p->mean_rate_per_second());
  double long_sum = 0;
  int long_gaps = 0;
  for (std::size_t i = 1; i < ts.size(); ++i) {
    const double gap = (ts[i] - ts[i - 1]).seconds_f();
    if (gap > 0.1) {
      long_sum += gap;
      ++long_gaps;
    }
  }
  ASSERT_GT(long_gaps, 0);
  EXPECT_LT(long_sum / long_gaps, 1.0);
}

TEST(OnOffArrivals, TinyOffRateDoesNotOverflowTheClock) {
  // An "essentially zero" off rate draws gaps of ~1e12 s, beyond the ~292 years Time holds:
  // they must saturate (and be discarded at the switch), not wrap to negative instants.
  const OnOffArrivals spec{
      .on_rate_per_second = 100, .off_rate_per_second = 1e-12, .mean_on = 1_s, .mean_off = 1_s};
  auto p = make_arrival_process(spec);
  auto s = stream("onoff-tiny");
  sim::Time t = sim::Time::zero();
  for (int i = 0; i < 5000; ++i) {
    const auto next = p->next(t, s);
    ASSERT_TRUE(next.has_value()) << i;
    ASSERT_GE(*next, t) << i;
    ASSERT_LT(*next, sim::Time::zero() + 1000_s) << i;
    t = *next;
  }
}

TEST(PoissonArrivals, RateTooSmallForTheClockMeansNoArrival) {
  auto p = make_arrival_process(PoissonArrivals{.rate_per_second = 1e-15});
  auto s = stream("poisson-tiny");
  EXPECT_FALSE(p->next(sim::Time::zero() + 1_s, s).has_value());
}

// --- Piecewise linear (thinning) -------------------------------------------

// Integral of the piecewise-linear rate over [a, b], both on whole seconds, points on whole
// seconds too, so the trapezoid rule over one-second steps is exact.
double piecewise_rate(const std::vector<std::pair<double, double>>& pts, double t) {
  if (t <= pts.front().first) return pts.front().second;
  if (t >= pts.back().first) return pts.back().second;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (t <= pts[i].first) {
      const double f = (t - pts[i - 1].first) / (pts[i].first - pts[i - 1].first);
      return pts[i - 1].second + f * (pts[i].second - pts[i - 1].second);
    }
  }
  return pts.back().second;
}

TEST(PiecewiseLinearArrivals, CountsPerBinMatchIntegralOfRate) {
  // Rate 2000/s before 5 s (constant before the first point), up to 10000 at 15 s, down to 500
  // at 20 s, up to 4000 at 30 s and constant after.
  const std::vector<std::pair<double, double>> pts = {
      {5, 2000}, {15, 10000}, {20, 500}, {30, 4000}};
  PiecewiseLinearArrivals spec;
  for (const auto& [t, r] : pts) {
    spec.points.emplace_back(sim::Duration::seconds(static_cast<std::int64_t>(t)), r);
  }
  auto p = make_arrival_process(spec);
  // Mean over the span of the points: area / 25 s.
  const double area = 0.5 * (2000 + 10000) * 10 + 0.5 * (10000 + 500) * 5 + 0.5 * (500 + 4000) * 10;
  EXPECT_NEAR(p->mean_rate_per_second(), area / 25.0, 1e-9);

  auto s = stream("piecewise");
  const std::size_t bins = 40;  // 1 s each; 5 before the first point, 10 after the last
  const auto ts = collect(*p, s, sim::Time::zero() + 40_s);
  std::vector<double> expected(bins);
  for (std::size_t i = 0; i < bins; ++i) {
    const double a = static_cast<double>(i), b = a + 1;
    expected[i] = 0.5 * (piecewise_rate(pts, a) + piecewise_rate(pts, b));
  }
  expect_counts_match(counts_per_bin(ts, 1_s, bins), expected);
}

TEST(PiecewiseLinearArrivals, RateZeroAfterLastPointEndsTheProcess) {
  // Ramp down to zero at 10 s: the rate stays zero after it, so the process must end (return
  // nullopt) instead of drawing candidates forever.
  PiecewiseLinearArrivals spec{.points = {{0_s, 100.0}, {10_s, 0.0}}};
  auto p = make_arrival_process(spec);
  auto s = stream("ramp-down");
  std::vector<sim::Time> ts;
  sim::Time t = sim::Time::zero();
  while (auto next = p->next(t, s)) {
    ts.push_back(*next);
    t = *next;
    ASSERT_LT(ts.size(), 100'000u);
  }
  ASSERT_FALSE(ts.empty());
  EXPECT_LT(ts.back(), sim::Time::zero() + 10_s);
  // Expected count 500 (area of the triangle).
  EXPECT_NEAR(static_cast<double>(ts.size()), 500.0, 5.0 * std::sqrt(500.0));
  // And asking again still says no more.
  EXPECT_FALSE(p->next(t, s).has_value());
}

TEST(PiecewiseLinearArrivals, ZeroRateBeforeAPositiveOneIsFine) {
  PiecewiseLinearArrivals spec{.points = {{0_s, 0.0}, {10_s, 0.0}, {11_s, 1000.0}}};
  auto p = make_arrival_process(spec);
  auto s = stream("ramp-up");
  const auto ts = collect(*p, s, sim::Time::max(), 100);
  ASSERT_EQ(ts.size(), 100u);
  EXPECT_GT(ts.front(), sim::Time::zero() + 10_s);
}

TEST(PiecewiseLinearArrivals, SinglePointIsAConstantRate) {
  PiecewiseLinearArrivals spec{.points = {{5_s, 300.0}}};
  auto p = make_arrival_process(spec);
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), 300.0);
  auto s = stream("single");
  const auto ts = collect(*p, s, sim::Time::zero() + 20_s);
  expect_counts_match(counts_per_bin(ts, 1_s, 20), std::vector<double>(20, 300.0));
}

// --- Diurnal (thinning) ----------------------------------------------------

TEST(DiurnalArrivals, CountsPerBinMatchIntegralOfRate) {
  const DiurnalArrivals spec{
      .mean_rate_per_second = 2000, .amplitude = 0.8, .period = 10_s, .phase_radians = 0.3};
  auto p = make_arrival_process(spec);
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), 2000.0);
  auto s = stream("diurnal");
  const std::size_t bins = 100;  // 0.5 s each, five periods
  const auto ts = collect(*p, s, sim::Time::zero() + 50_s);
  const double w = 2.0 * std::numbers::pi / 10.0;
  std::vector<double> expected(bins);
  for (std::size_t i = 0; i < bins; ++i) {
    const double a = 0.5 * static_cast<double>(i), b = a + 0.5;
    expected[i] = spec.mean_rate_per_second *
                  ((b - a) - spec.amplitude / w * (std::cos(w * b + 0.3) - std::cos(w * a + 0.3)));
  }
  expect_counts_match(counts_per_bin(ts, 500_ms, bins), expected);
  // Whole periods: the mean rate.
  EXPECT_NEAR(static_cast<double>(ts.size()) / 50.0, 2000.0, 5.0 * std::sqrt(2000.0 * 50) / 50);
}

TEST(DiurnalArrivals, FullAmplitudeHasSilentTroughs) {
  // amplitude 1, phase -pi/2: rate = m (1 - cos(2 pi t / T)), zero at every multiple of T.
  const DiurnalArrivals spec{.mean_rate_per_second = 1000,
                             .amplitude = 1.0,
                             .period = 10_s,
                             .phase_radians = -std::numbers::pi / 2};
  auto p = make_arrival_process(spec);
  auto s = stream("trough");
  const auto ts = collect(*p, s, sim::Time::zero() + 100_s);
  // Integral of the rate over [-h, h] around a trough is m * (2h - T/pi * sin(2 pi h / T)),
  // ~ m * (2 pi^2 / 3) h^3 / T^2 for small h: with h = 0.1 s, ~0.066 per trough.
  int near_trough = 0;
  for (sim::Time t : ts) {
    const auto phase = t.since_start() % 10_s;
    if (phase < 100_ms || phase > 9900_ms) ++near_trough;
  }
  EXPECT_LE(near_trough, 5);
  EXPECT_NEAR(static_cast<double>(ts.size()), 100'000.0, 5.0 * std::sqrt(100'000.0));
}

// --- Replay ----------------------------------------------------------------

TEST(ReplayArrivals, ReplaysOffsetsIncludingTiesThenEnds) {
  ReplayArrivals spec{.offsets = {0_ms, 5_ms, 5_ms, 12_ms, 1_s}, .source = "inline"};
  auto p = make_arrival_process(spec);
  auto s = stream("replay");
  std::vector<sim::Time> ts;
  sim::Time t = sim::Time::zero();
  while (auto next = p->next(t, s)) {
    ts.push_back(*next);
    t = *next;
  }
  ASSERT_EQ(ts.size(), 5u);
  for (std::size_t i = 0; i < ts.size(); ++i) EXPECT_EQ(ts[i], sim::Time::zero() + spec.offsets[i]);
  EXPECT_DOUBLE_EQ(p->mean_rate_per_second(), 4.0);  // 4 gaps over 1 s
  EXPECT_EQ(s.blocks_generated(), 0u);
}

// --- Validation ------------------------------------------------------------

struct BadSpec {
  const char* label;
  ArrivalSpec spec;
  std::vector<std::string> must_mention;
};

TEST(MakeArrivalProcess, RejectsBadParametersNamingTheField) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::vector<BadSpec> cases = {
      {"poisson zero", PoissonArrivals{.rate_per_second = 0}, {"rate_per_second", "0"}},
      {"poisson negative", PoissonArrivals{.rate_per_second = -3}, {"rate_per_second", "-3"}},
      {"poisson nan", PoissonArrivals{.rate_per_second = kNaN}, {"rate_per_second"}},
      {"poisson inf", PoissonArrivals{.rate_per_second = kInf}, {"rate_per_second"}},
      {"deterministic zero", DeterministicArrivals{.interval = 0_s}, {"interval"}},
      {"deterministic negative", DeterministicArrivals{.interval = -(5_ms)}, {"interval", "-5ms"}},
      {"on_off on rate", OnOffArrivals{.on_rate_per_second = 0}, {"on_rate_per_second"}},
      {"on_off off rate", OnOffArrivals{.off_rate_per_second = -1}, {"off_rate_per_second", "-1"}},
      {"on_off off rate nan", OnOffArrivals{.off_rate_per_second = kNaN}, {"off_rate_per_second"}},
      {"on_off mean_on", OnOffArrivals{.mean_on = 0_s}, {"mean_on", "0s"}},
      {"on_off mean_off", OnOffArrivals{.mean_off = -(1_s)}, {"mean_off", "-1s"}},
      {"piecewise empty", PiecewiseLinearArrivals{}, {"points"}},
      {"piecewise negative rate",
       PiecewiseLinearArrivals{.points = {{0_s, 1.0}, {1_s, -2.0}}},
       {"points[1].rate", "-2"}},
      {"piecewise nan rate", PiecewiseLinearArrivals{.points = {{0_s, kNaN}}}, {"points[0].rate"}},
      {"piecewise not increasing",
       PiecewiseLinearArrivals{.points = {{0_s, 1.0}, {2_s, 1.0}, {2_s, 3.0}}},
       {"points[2]"}},
      {"piecewise all zero", PiecewiseLinearArrivals{.points = {{0_s, 0.0}, {1_s, 0.0}}}, {"rate"}},
      {"diurnal mean", DiurnalArrivals{.mean_rate_per_second = 0}, {"mean_rate_per_second"}},
      {"diurnal amplitude high", DiurnalArrivals{.amplitude = 1.5}, {"amplitude", "1.5"}},
      {"diurnal amplitude negative", DiurnalArrivals{.amplitude = -0.1}, {"amplitude"}},
      {"diurnal amplitude nan", DiurnalArrivals{.amplitude = kNaN}, {"amplitude"}},
      {"diurnal period", DiurnalArrivals{.period = 0_s}, {"period"}},
      {"diurnal phase nan", DiurnalArrivals{.phase_radians = kNaN}, {"phase_radians"}},
      {"diurnal phase inf", DiurnalArrivals{.phase_radians = kInf}, {"phase_radians"}},
      {"replay negative",
       ReplayArrivals{.offsets = {-(1_ms)}, .source = "x.csv"},
       {"x.csv", "entry 0"}},
      {"replay decreasing",
       ReplayArrivals{.offsets = {2_ms, 1_ms}, .source = "x.csv"},
       {"x.csv", "entry 1"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    try {
      make_arrival_process(c.spec);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      for (const auto& word : c.must_mention) {
        EXPECT_NE(msg.find(word), std::string::npos) << "'" << msg << "' lacks '" << word << "'";
      }
    }
  }
}

TEST(MakeArrivalProcess, AcceptsEdgeValues) {
  EXPECT_NO_THROW(make_arrival_process(OnOffArrivals{.off_rate_per_second = 0}));
  EXPECT_NO_THROW(make_arrival_process(DiurnalArrivals{.amplitude = 0}));
  EXPECT_NO_THROW(make_arrival_process(DiurnalArrivals{.amplitude = 1}));
  EXPECT_NO_THROW(make_arrival_process(ReplayArrivals{}));
  EXPECT_NO_THROW(make_arrival_process(DeterministicArrivals{.interval = 1_ns}));
}

}  // namespace
}  // namespace orchsim::scenarios::arrival_process_test
