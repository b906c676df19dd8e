// What a run's report shows besides the metrics, as plain typed values: the
// latency histogram in display bins and the over-time series. Produced by
// latency_bins() (eval/report.hpp) and TimeSeriesCollector::result(); the
// report's "latency_histogram" and "timeseries" sections are their JSON
// views, and the explorer shows them as they are, with no JSON in between.
// Numbers are held as the report writes them (rounded; see timeseries.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace orchsim::eval {

// Latency in display bins: bin i is [edges_ms[i], edges_ms[i+1]), R10
// edges from the fastest to the slowest request.
struct LatencyBins {
  std::vector<double> edges_ms;
  std::vector<std::uint64_t> all, success;
  bool empty() const { return all.empty(); }
  bool operator==(const LatencyBins&) const = default;
};

// Bucket i covers [i x bucket_ms, (i + 1) x bucket_ms) of simulated time.
struct TimeSeries {
  struct Agent {
    std::string name;
    std::vector<std::uint64_t> calls, failed_calls;
    std::vector<double> queue_mean, busy_mean, breaker_open_share, breaker_half_open_share;
    bool operator==(const Agent&) const = default;
  };
  // A node whose calls went to two or more agents: calls started there per
  // agent per bucket (empty in reports written before this section).
  struct RoutingNode {
    std::string node;
    std::vector<std::string> agents;
    std::vector<std::vector<std::uint64_t>> calls;  // by agent, then bucket
    bool operator==(const RoutingNode&) const = default;
  };
  double bucket_ms = 0;
  std::vector<std::uint64_t> arrived, completed, failed;
  std::vector<std::optional<double>> latency_mean_ms;
  std::vector<double> in_flight_mean, cost_usd;
  std::vector<Agent> agents;
  std::vector<RoutingNode> routing;
  std::size_t size() const { return arrived.size(); }
  bool empty() const { return arrived.empty(); }
  bool operator==(const TimeSeries&) const = default;
};

// report.json's "latency_histogram" and "timeseries" sections.
nlohmann::ordered_json to_json(const LatencyBins& bins);
nlohmann::ordered_json to_json(const TimeSeries& series);

}  // namespace orchsim::eval
