// latency_bins (and its JSON view): R10 bin edges from the one at or below the fastest
// request to the first above the slowest (none below 1 us), and every
// histogram bucket counted in the bin holding its midpoint.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eval/histogram.hpp"
#include "eval/report.hpp"

namespace orchsim::eval::latency_histogram_test {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kUs = 1'000;

std::vector<double> edges(const Json& j) { return j["edges_ms"].get<std::vector<double>>(); }
std::vector<std::uint64_t> counts(const Json& j, const char* key) {
  return j[key].get<std::vector<std::uint64_t>>();
}

TEST(LatencyHistogram, NoRequestsGiveEmptyArrays) {
  const LogLinearHistogram empty;
  const Json j = to_json(latency_bins(empty, empty));
  EXPECT_EQ(j.dump(), R"({"edges_ms":[],"all":[],"success":[]})");
}

TEST(LatencyHistogram, EdgesRunFromAtOrBelowTheFastestToTheFirstAboveTheSlowest) {
  LogLinearHistogram all, success;
  all.record(1'300 * kUs);  // bucket midpoint ~1.2984 ms: [1.25, 1.6)
  all.record(7 * kMs);      // bucket midpoint ~6.996 ms: [6.3, 8)
  success.record(7 * kMs);
  const Json j = to_json(latency_bins(all, success));
  EXPECT_EQ(edges(j), (std::vector<double>{1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8}));
  EXPECT_EQ(counts(j, "all"), (std::vector<std::uint64_t>{1, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(counts(j, "success"), (std::vector<std::uint64_t>{0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(LatencyHistogram, EdgesSpanDecadesOnTheR10Series) {
  LogLinearHistogram all;
  all.record(55 * kUs);
  all.record(120 * kMs);
  const Json j = to_json(latency_bins(all, all));
  EXPECT_EQ(edges(j), (std::vector<double>{0.05, 0.063, 0.08,                                //
                                           0.1,  0.125, 0.16, 0.2,  0.25, 0.315, 0.4, 0.5,   //
                                           0.63, 0.8,   1,    1.25, 1.6,  2,     2.5, 3.15,  //
                                           4,    5,     6.3,  8,    10,   12.5,  16,  20,    //
                                           25,   31.5,  40,   50,   63,   80,    100, 125}));
  std::vector<std::uint64_t> expected(34, 0);
  expected.front() = 1;
  expected.back() = 1;
  EXPECT_EQ(counts(j, "all"), expected);
}

TEST(LatencyHistogram, NothingBelowOneMicrosecond) {
  LogLinearHistogram all;
  all.record(0);
  all.record(200);    // exact buckets below 256 ns
  all.record(1'500);  // bucket [1496, 1503]: [1.25 us, 1.6 us)
  const Json j = to_json(latency_bins(all, LogLinearHistogram{}));
  EXPECT_EQ(edges(j), (std::vector<double>{0.001, 0.00125, 0.0016}));
  EXPECT_EQ(counts(j, "all"), (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(counts(j, "success"), (std::vector<std::uint64_t>{0, 0}));
}

TEST(LatencyHistogram, AValueOnAnEdgeStartsItsBin) {
  // 2 ms is in the histogram bucket [1.998848, 2.007039] ms, midpoint ~2.0029 ms.
  LogLinearHistogram all;
  all.record(2 * kMs);
  all.record(3 * kMs);
  const Json j = to_json(latency_bins(all, all));
  EXPECT_EQ(edges(j), (std::vector<double>{2, 2.5, 3.15}));
  EXPECT_EQ(counts(j, "all"), (std::vector<std::uint64_t>{1, 1}));
}

TEST(LatencyHistogram, AtAnEdgeTheBucketMidpointDecidesWithinTheHistogramsResolution) {
  // 2.5 ms is in the histogram bucket [2.490368, 2.506751] ms whose midpoint,
  // ~2.4986 ms, is below the edge: the documented 1/256 resolution at an edge.
  // The edges still end at the first one above the slowest request.
  LogLinearHistogram all;
  all.record(2 * kMs);
  all.record(2'500 * kUs);
  const Json j = to_json(latency_bins(all, all));
  EXPECT_EQ(edges(j), (std::vector<double>{2, 2.5, 3.15}));
  EXPECT_EQ(counts(j, "all"), (std::vector<std::uint64_t>{2, 0}));
}

TEST(LatencyHistogram, CountsSumToTheHistogramsAndEdgesIncrease) {
  LogLinearHistogram all, success;
  // Geometric from 3 us to ~40 s, one in ten a failure.
  std::int64_t v = 3 * kUs;
  for (int i = 0; v < 40'000 * kMs; ++i, v += v / 37 + 1) {
    all.record(v);
    if (i % 10 != 0) success.record(v);
  }
  const Json j = to_json(latency_bins(all, success));
  const std::vector<double> e = edges(j);
  ASSERT_GE(e.size(), 2u);
  for (std::size_t i = 1; i < e.size(); ++i) EXPECT_LT(e[i - 1], e[i]);
  EXPECT_LE(e.front() * 1e6, static_cast<double>(all.min()));
  EXPECT_GT(e.back() * 1e6, static_cast<double>(all.max()));
  EXPECT_EQ(e.front(), 0.0025);
  EXPECT_EQ(e.back(), 40'000.0);  // the slowest is just under 40 s
  ASSERT_EQ(j["all"].size(), e.size() - 1);
  ASSERT_EQ(j["success"].size(), e.size() - 1);
  std::uint64_t n_all = 0, n_success = 0;
  for (const std::uint64_t c : counts(j, "all")) n_all += c;
  for (const std::uint64_t c : counts(j, "success")) n_success += c;
  EXPECT_EQ(n_all, all.count());
  EXPECT_EQ(n_success, success.count());
  const std::vector<std::uint64_t> a = counts(j, "all"), s = counts(j, "success");
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_LE(s[i], a[i]);
}

TEST(LatencyHistogram, PastTheLastR10EdgeOneOpenBin) {
  // Past 8e18 ns the R10 series would overflow int64: one open bin to the end.
  LogLinearHistogram all;
  all.record(7 * kMs);
  all.record(std::int64_t{9'000'000'000'000'000'000});
  const Json j = to_json(latency_bins(all, all));
  const std::vector<double> e = edges(j);
  ASSERT_GE(e.size(), 3u);
  EXPECT_EQ(e.front(), 6.3);
  EXPECT_EQ(e[e.size() - 2], 8e12);  // 8e18 ns
  EXPECT_DOUBLE_EQ(e.back(), static_cast<double>(std::numeric_limits<std::int64_t>::max()) * 1e-6);
  const std::vector<std::uint64_t> a = counts(j, "all");
  EXPECT_EQ(a.front(), 1u);
  EXPECT_EQ(a.back(), 1u);
}

}  // namespace
}  // namespace orchsim::eval::latency_histogram_test
