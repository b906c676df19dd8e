#include "eval/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <ostream>

#include "eval/json_number.hpp"
#include "eval/run_metrics_text.hpp"

namespace orchsim::eval {
namespace {

// The R10 preferred numbers (ISO 3): ten steps per decade with short decimals,
// so the edges read well on a log axis. In hundredths.
constexpr std::array<std::int64_t, 10> kR10 = {100, 125, 160, 200, 250, 315, 400, 500, 630, 800};
constexpr std::int64_t kSmallestEdgeNs = 1'000;                       // 1 us
constexpr std::int64_t kLargestDecadeNs = 1'000'000'000'000'000'000;  // 10x more overflows int64

// R10 edges in ns from the largest at or below `lo` to the first above `hi`.
std::vector<std::int64_t> r10_edges(std::int64_t lo, std::int64_t hi) {
  lo = std::max(lo, kSmallestEdgeNs);
  std::vector<std::int64_t> edges;
  for (std::int64_t decade = kSmallestEdgeNs;; decade *= 10) {
    for (const std::int64_t step : kR10) {
      const std::int64_t edge = step * (decade / 100);
      if (edge <= lo) {
        edges.assign(1, edge);
        continue;
      }
      edges.push_back(edge);
      if (edge > hi) return edges;
    }
    if (decade == kLargestDecadeNs) break;
  }
  edges.push_back(std::numeric_limits<std::int64_t>::max());  // past 8e18 ns: one open bin
  return edges;
}

}  // namespace

LatencyBins latency_bins(const LogLinearHistogram& all, const LogLinearHistogram& success) {
  LatencyBins bins;
  if (all.empty()) return bins;
  const std::vector<std::int64_t> edges = r10_edges(all.min(), all.max());
  auto bin_counts = [&edges](const LogLinearHistogram& h) {
    std::vector<std::uint64_t> counts(edges.size() - 1, 0);
    for (const LogLinearHistogram::Bucket& b : h.buckets()) {
      const std::int64_t mid = b.lo + (b.hi - b.lo) / 2;
      const auto above = std::upper_bound(edges.begin(), edges.end(), mid);
      const std::size_t bin =
          above == edges.begin()
              ? 0
              : std::min<std::size_t>(static_cast<std::size_t>(above - edges.begin()) - 1,
                                      counts.size() - 1);
      counts[bin] += b.count;
    }
    return counts;
  };
  for (const std::int64_t e : edges)
    bins.edges_ms.push_back(round_to(static_cast<double>(e) * 1e-6, 6));
  bins.all = bin_counts(all);
  bins.success = bin_counts(success);
  return bins;
}

nlohmann::ordered_json to_json(const LatencyBins& bins) {
  nlohmann::ordered_json j;
  j["edges_ms"] = nlohmann::ordered_json::array();
  for (const double e : bins.edges_ms) j["edges_ms"].push_back(json_rounded(e));
  j["all"] = bins.all;
  j["success"] = bins.success;
  return j;
}

nlohmann::ordered_json make_report(const scenarios::Scenario& s, const RunResult& r) {
  nlohmann::ordered_json j;
  j["schema"] = "orchsim.report";
  j["schema_version"] = kReportSchemaVersion;
  j["scenario"] = {{"name", s.name},
                   {"file", std::filesystem::path(s.source).filename().string()},
                   {"description", s.description}};
  j["run"] = {{"seed", r.seed},
              {"requests_limit", r.requests_limit},
              {"duration_limit_s", r.duration_limit.seconds_f()},
              {"simulated_s", r.end.seconds_f()},
              {"events", r.events},
              {"arrived", r.arrived},
              {"completed", r.completed},
              {"failed", r.failed},
              {"in_flight", r.in_flight}};
  j["metrics"] = r.metrics->to_json();
  // How far a reported quantile may be from the sample's own (histogram resolution).
  j["quantiles"] = {{"method", "log-linear histogram, interpolated within a bucket by rank"},
                    {"relative_error", LogLinearHistogram::kRelativeError}};
  j["latency_histogram"] = to_json(
      latency_bins(r.metrics->requests().latency_all, r.metrics->requests().latency_success));
  if (r.timeseries) j["timeseries"] = to_json(r.timeseries->result());
  j["metastability"] = to_json(r.metastability);
  return j;
}

void write_summary_table(std::ostream& out, const scenarios::Scenario& s, const RunResult& r) {
  out << fmt::format(
      "scenario  {}  (seed {}, {} requests arrived, {:.3f} s simulated, {} events)\n", s.name,
      r.seed, r.arrived, r.end.seconds_f(), r.events);
  write_table(out, r.metrics->result());
  out << summary_line(r.metastability);
}

}  // namespace orchsim::eval
