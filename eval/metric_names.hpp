// The names of the metrics that code asks for by name: compare's default
// rows, baseline's default tolerances, the sweep's objectives and table, the
// explorer's sweep view. Each is the dotted path flatten(RunMetrics) gives
// (eval/run_metrics.hpp), which builds these very names from the constants
// below, so a renamed metric cannot leave a stale spelling behind.
//
//   const MetricSummary* p99 = find_metric(summaries, metric::kLatencyP99);
#pragma once

#include <string_view>

namespace orchsim::eval::metric {

inline constexpr std::string_view kLatencyMean = "latency_ms.all.mean";
inline constexpr std::string_view kLatencyP50 = "latency_ms.all.p50";
inline constexpr std::string_view kLatencyP99 = "latency_ms.all.p99";
inline constexpr std::string_view kSuccessRate = "requests.success_rate";
inline constexpr std::string_view kThroughput = "requests.throughput_rps";
inline constexpr std::string_view kQualityMean = "quality.mean";
inline constexpr std::string_view kPassRate = "quality.pass_rate";
inline constexpr std::string_view kCostPerRequest = "per_request.cost_usd";
inline constexpr std::string_view kCallsPerRequest = "per_request.calls";
inline constexpr std::string_view kRetriesPerRequest = "per_request.retries";
inline constexpr std::string_view kAllCallsCostPerRequest = "coordination.cost_per_request_usd";
inline constexpr std::string_view kDuplicatedCalls = "coordination.duplicated_calls";
inline constexpr std::string_view kSilentCaught = "coordination.silent_caught";
inline constexpr std::string_view kStuckRequests = "coordination.stuck_requests";

}  // namespace orchsim::eval::metric
