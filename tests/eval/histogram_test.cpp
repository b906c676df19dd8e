#include "eval/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace orchsim::eval::histogram_test {
namespace {

// Nearest-rank quantile of a sorted sample, with the histogram's rank rule.
std::int64_t exact_quantile(const std::vector<std::int64_t>& sorted, double q) {
  const std::uint64_t rank = LogLinearHistogram::rank_for(q, sorted.size());
  return sorted[rank - 1];
}

std::vector<std::int64_t> draw(const sim::Distribution& d, std::string_view name, int n) {
  sim::RandomSource rng(42);
  sim::RandomStream s = rng.stream("histogram_test", name);
  std::vector<std::int64_t> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(static_cast<std::int64_t>(std::llround(d.sample(s))));
  return v;
}

void expect_quantiles_within_one_percent(const sim::Distribution& d, std::string_view name) {
  std::vector<std::int64_t> v = draw(d, name, 1'000'000);
  LogLinearHistogram h;
  for (std::int64_t x : v) h.record(x);
  std::sort(v.begin(), v.end());
  ASSERT_EQ(h.count(), v.size());
  EXPECT_EQ(h.min(), v.front()) << name;
  EXPECT_EQ(h.max(), v.back()) << name;
  for (double q : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const double exact = static_cast<double>(exact_quantile(v, q));
    const double got = h.quantile(q);
    EXPECT_LE(std::abs(got - exact), 0.01 * exact) << name << " q=" << q << " exact=" << exact;
    // The documented bound is tighter: half a bucket, 1/256.
    EXPECT_LE(std::abs(got - exact), exact / 256.0 + 0.5) << name << " q=" << q;
  }
  long double sum = 0;
  for (std::int64_t x : v) sum += static_cast<long double>(x);
  const double exact_mean = static_cast<double>(sum / static_cast<long double>(v.size()));
  EXPECT_NEAR(h.mean(), exact_mean, 1e-9 * exact_mean) << name;
}

TEST(LogLinearHistogramTest, LognormalQuantilesWithinOnePercent) {
  // Latencies in ns: median 120 ms, p99 900 ms.
  expect_quantiles_within_one_percent(sim::Distribution::lognormal_from_median_p99(1.2e8, 9e8),
                                      "lognormal");
}

TEST(LogLinearHistogramTest, ParetoQuantilesWithinOnePercent) {
  expect_quantiles_within_one_percent(sim::Distribution::pareto(1e6, 1.2), "pareto");
}

TEST(LogLinearHistogramTest, ExponentialQuantilesWithinOnePercent) {
  // Small values too: mean 2,000 ns puts many samples in the exact range.
  expect_quantiles_within_one_percent(sim::Distribution::exponential_mean(2000.0), "exponential");
}

TEST(LogLinearHistogramTest, SmallValuesAreExact) {
  LogLinearHistogram h;
  for (std::int64_t v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.quantile(0.5), 127.0);  // rank 128
  EXPECT_EQ(h.quantile(0.0), 0.0);
  EXPECT_EQ(h.quantile(1.0), 255.0);
  EXPECT_EQ(h.mean(), 127.5);
}

TEST(LogLinearHistogramTest, NearestRankDefinition) {
  LogLinearHistogram h;
  for (std::int64_t v : {10, 20, 30, 40, 50}) h.record(v);
  EXPECT_EQ(h.quantile(0.2), 10.0);   // ceil(1.0) = 1
  EXPECT_EQ(h.quantile(0.21), 20.0);  // ceil(1.05) = 2
  EXPECT_EQ(h.quantile(0.5), 30.0);   // ceil(2.5) = 3
  EXPECT_EQ(h.quantile(0.99), 50.0);
  EXPECT_EQ(LogLinearHistogram::rank_for(0.99, 100), 99u);
  EXPECT_EQ(LogLinearHistogram::rank_for(0.7, 10), 7u);
  EXPECT_EQ(LogLinearHistogram::rank_for(0.0, 10), 1u);
  EXPECT_EQ(LogLinearHistogram::rank_for(1.0, 10), 10u);
}

TEST(LogLinearHistogramTest, EmptyHistogram) {
  LogLinearHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.quantile(0.5), 0.0);
  EXPECT_TRUE(h.buckets().empty());
}

TEST(LogLinearHistogramTest, EdgeValues) {
  LogLinearHistogram h;
  h.record(0);
  h.record(1);
  const std::int64_t big = std::numeric_limits<std::int64_t>::max() / 2;
  h.record(big);
  h.record(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(h.quantile(0.25), 0.0);
  EXPECT_EQ(h.quantile(0.5), 1.0);
  EXPECT_LE(std::abs(h.quantile(0.75) - static_cast<double>(big)), static_cast<double>(big) / 256);
  // The sum (~1.4e19) overflows 64 bits but not the 128-bit sum.
  const double expected = (static_cast<double>(big) + 9223372036854775807.0 + 1.0) / 4.0;
  EXPECT_DOUBLE_EQ(h.mean(), expected);
  const auto buckets = h.buckets();
  ASSERT_EQ(buckets.size(), 4u);
  EXPECT_EQ(buckets[0].lo, 0);
  EXPECT_EQ(buckets[3].hi, std::numeric_limits<std::int64_t>::max());
}

TEST(LogLinearHistogramTest, NegativeValuesCountAsZero) {
  LogLinearHistogram h;
  h.record(-5);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.count(), 1u);
}

TEST(LogLinearHistogramTest, BucketsTileTheRangeWithBoundedWidth) {
  std::int64_t next = 0;
  for (std::size_t i = 0; i < LogLinearHistogram::kBucketCount; ++i) {
    const auto b = LogLinearHistogram::bucket_range(i);
    ASSERT_EQ(b.lo, next) << i;
    ASSERT_LE(b.lo, b.hi);
    // Width <= lo / 128.
    if (b.hi > b.lo) {
      ASSERT_LE((b.hi - b.lo + 1) * LogLinearHistogram::kSubBuckets, b.lo) << i;
    }
    ASSERT_EQ(LogLinearHistogram::index_of(b.lo), i);
    ASSERT_EQ(LogLinearHistogram::index_of(b.hi), i);
    if (i + 1 < LogLinearHistogram::kBucketCount) next = b.hi + 1;
  }
  EXPECT_EQ(LogLinearHistogram::bucket_range(LogLinearHistogram::kBucketCount - 1).hi,
            std::numeric_limits<std::int64_t>::max());
}

TEST(LogLinearHistogramTest, MergeEqualsHistogramOfConcatenation) {
  const auto a = draw(sim::Distribution::lognormal_from_median_p99(5e7, 4e8), "a", 50'000);
  const auto b = draw(sim::Distribution::pareto(1e3, 0.9), "b", 50'000);
  LogLinearHistogram ha, hb, hall;
  for (auto v : a) {
    ha.record(v);
    hall.record(v);
  }
  for (auto v : b) {
    hb.record(v);
    hall.record(v);
  }
  LogLinearHistogram merged = ha;
  merged.merge(hb);
  EXPECT_EQ(merged.buckets(), hall.buckets());
  EXPECT_TRUE(merged == hall);
  EXPECT_EQ(merged.mean(), hall.mean());
  EXPECT_EQ(merged.quantile(0.99), hall.quantile(0.99));
  // Merging an empty histogram changes nothing, either way round.
  LogLinearHistogram empty;
  merged.merge(empty);
  EXPECT_TRUE(merged == hall);
  empty.merge(hall);
  EXPECT_TRUE(empty == hall);
}

TEST(LogLinearHistogramTest, RecordWithCount) {
  LogLinearHistogram a, b;
  a.record(1000, 3);
  for (int i = 0; i < 3; ++i) b.record(1000);
  EXPECT_TRUE(a == b);
  a.record(5, 0);
  EXPECT_TRUE(a == b);
  a.reset();
  EXPECT_TRUE(a == LogLinearHistogram());
}

}  // namespace
}  // namespace orchsim::eval::histogram_test
