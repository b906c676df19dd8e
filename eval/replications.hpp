// Replications: R independent runs of one scenario on seeds seed, seed + 1,
// ..., seed + R − 1, on N threads, summarised per metric with 95% confidence
// intervals across replications.
//
// Contract: each replication is one single-threaded run_scenario; a worker
// takes the next replication index and writes its result into that index's
// slot, so results are merged in replication order and every output is
// bit-identical whatever `jobs` is. An exception in a replication is rethrown
// (the lowest index first) after every thread has joined.
// Memory: one RunMetrics and two latency histograms (~115 KB) per replication.
//
//   ReplicationOptions o;
//   o.replications = 10;
//   o.jobs = 4;
//   ReplicationSet set = run_replications(scenario, o);
//   for (const MetricSummary& m : summarize(set.metrics)) ...   // "latency_ms.all.p99", ...
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "eval/histogram.hpp"
#include "eval/run_metrics.hpp"
#include "eval/runner.hpp"
#include "eval/statistics.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval {

// Far beyond a useful study, short of what would exhaust memory (a slot
// per replication is allocated up front): the limit of -R and of baselines.
inline constexpr std::uint64_t kMaxReplications = 100'000;

struct ReplicationOptions {
  std::uint64_t replications = 1;
  unsigned jobs = 1;                      // threads; 0 = hardware concurrency
  std::optional<std::uint64_t> seed;      // the first seed; default: run.seed
  std::optional<std::uint64_t> requests;  // as RunOptions
  std::optional<sim::Duration> duration;
  std::optional<sim::Duration> warmup;  // as RunOptions
  // Called from worker threads (serialised by a mutex) with (done, total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct ReplicationSet {
  std::vector<std::uint64_t> seeds;  // by replication index
  std::vector<RunMetrics> metrics;   // MetricsCollector::result() of each
  LogLinearHistogram latency_all;    // merged over replications, ns
  LogLinearHistogram latency_success;
};

ReplicationSet run_replications(const scenarios::Scenario& scenario,
                                const ReplicationOptions& options);

// Numeric leaves of any JSON as dotted paths, in document order (for a
// run's metrics, flatten(RunMetrics) gives the same names without the JSON).
// Arrays of objects are keyed by their string fields joined with "->"
// ("agents.cheap_model.cost_usd", "routing.edges.start->answer_query.count"),
// else by index. Nulls, booleans and strings are left out.
std::vector<std::pair<std::string, double>> flatten_numeric(const nlohmann::ordered_json& j);

struct MetricSummary {
  std::string name;
  stats::ConfidenceInterval ci;  // over the replications where the metric was not null
  std::vector<double> values;    // by replication; NaN where missing
};

// Whether a metric is a quantile read from a LogLinearHistogram ("...p99",
// "...latency_p50_ms"). Such a value is within quantization_bound(value) of
// the sample quantile it stands for, an error replications cannot average
// away, so intervals on quantiles are widened by it (docs/evaluation.md).
bool is_quantile_metric(std::string_view name);
double quantization_bound(double value);  // LogLinearHistogram::kRelativeError · |value|

// One summary per metric, in the first replication's order (metrics first
// seen in later replications follow, in order of appearance). The interval
// of a quantile metric is the t interval over replications widened by
// quantization_bound(mean): it never claims more precision than the
// histogram has.
std::vector<MetricSummary> summarize(const std::vector<RunMetrics>& metrics, double level = 0.95);

// {"n", "mean", "sd", "ci_low", "ci_high"} (ci_* null with fewer than 2 values).
nlohmann::ordered_json to_json(const stats::ConfidenceInterval& ci);
// {name: to_json(ci), ...} in summary order.
nlohmann::ordered_json summaries_to_json(const std::vector<MetricSummary>& summaries);
// Latency of the merged histogram in ms: count, mean, p50, p90, p95, p99, p999, max.
nlohmann::ordered_json latency_to_json(const LogLinearHistogram& h);

// Looks a metric up by name; nullptr when absent.
const MetricSummary* find_metric(const std::vector<MetricSummary>& summaries,
                                 std::string_view name);

}  // namespace orchsim::eval
