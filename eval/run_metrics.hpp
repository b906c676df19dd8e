// RunMetrics: what one run measured, as a plain typed value. It is the one
// results model: MetricsCollector::result() produces it, and every output is
// a view of it (report.json's "metrics" section, metrics.csv, the terminal
// table, the replication summaries behind compare, sweep, search, baseline
// and check, and the explorer's report):
//
//   const RunMetrics m = collector.result();
//   report["metrics"] = to_json(m);          // eval/run_metrics_json.cpp
//   write_csv(out, m);                       // eval/run_metrics_text.cpp
//   for (const auto& [name, value] : flatten(m)) ...   // "latency_ms.all.p99", ...
//
// A run read back (a report file, a results store's row) is parsed into the
// same value by run_metrics_from_json(), so from_json(to_json(m)) == m.
//
// Numbers are held as the report writes them: rounded to the export's
// decimals (milliseconds 4, rates and qualities 6, USD 8, per-request means
// 4), no "-0.0", and nullopt where the report has null (a mean of nothing, a
// quantile of an empty histogram, utilisation before finalize). So equal
// values give equal bytes in every view, and a view never rounds again.
// The meaning of each field is documented with the JSON it becomes, in
// eval/metrics.hpp and docs/report-format.md; names below are the JSON's.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchsim::eval {

// How calls (or sub-workflow runs) ended, by orchestration::CallEnd.
struct CallEndCounts {
  std::uint64_t success = 0, invalid = 0, error = 0, timeout = 0, cancelled = 0;

  std::uint64_t total() const { return success + invalid + error + timeout + cancelled; }
  // Share that failed (error, timeout or invalid output); nullopt: none ended.
  std::optional<double> failure_rate() const {
    if (total() == 0) return std::nullopt;
    return static_cast<double>(error + timeout + invalid) / static_cast<double>(total());
  }
  bool operator==(const CallEndCounts&) const = default;
};

// Latency of a set of finished requests in milliseconds.
struct LatencySummary {
  std::uint64_t count = 0;
  std::optional<double> mean, min, p50, p90, p95, p99, p999, max;
  bool operator==(const LatencySummary&) const = default;
};

struct RequestMetrics {
  std::uint64_t arrived = 0, finished = 0, completed = 0, failed = 0, in_flight = 0;
  std::optional<double> success_rate, throughput_rps;
  // Sorted by name.
  std::vector<std::pair<std::string, std::uint64_t>> completed_by_outcome, failed_by_cause;
  bool operator==(const RequestMetrics&) const = default;
};

struct QualityMetrics {
  std::optional<double> mean, pass_rate, pass_rate_of_finished, silent_failure_rate;
  bool operator==(const QualityMetrics&) const = default;
};

// Means over finished requests.
struct PerRequestMetrics {
  std::optional<double> input_tokens, output_tokens, cost_usd, calls, retries, hedges, timeouts,
      fallbacks, redirects;
  bool operator==(const PerRequestMetrics&) const = default;
};

struct ClassMetrics {
  std::string name;
  std::uint64_t count = 0, completed = 0;
  std::optional<double> success_rate, latency_p50_ms, latency_p99_ms, quality_mean, cost_mean_usd;
  bool operator==(const ClassMetrics&) const = default;
};

// Explicit agent errors, by mock_agents::ErrorKind (kNone left out).
struct ErrorCounts {
  static constexpr std::size_t kKinds = 6;
  // "transient", "rate_limited", "permanent", "context_overflow",
  // "overloaded", "unavailable": mock_agents::to_string's names, in order.
  static std::string_view name(std::size_t kind);
  std::array<std::uint64_t, kKinds> counts{};
  bool operator==(const ErrorCounts&) const = default;
};

struct AgentMetrics {
  std::string name;
  std::uint64_t calls_started = 0;
  CallEndCounts calls_ended;
  ErrorCounts errors;
  std::optional<double> queue_wait_mean_ms, queue_wait_p99_ms, p_wait;
  std::optional<double> duration_p50_ms, duration_p99_ms;
  std::int64_t input_tokens = 0, output_tokens = 0;
  double cost_usd = 0;
  std::uint64_t breaker_transitions = 0;
  double breaker_open_ms = 0;
  // From finalize(); nullopt before it.
  std::optional<std::uint32_t> servers;
  std::optional<double> busy_ms, utilisation;
  std::optional<std::uint32_t> max_queue_length;
  bool operator==(const AgentMetrics&) const = default;
};

// A workflow node that made calls or ran sub-workflows.
struct NodeMetrics {
  std::string name;
  std::uint64_t calls_started = 0;
  CallEndCounts calls_ended;
  std::optional<double> duration_mean_ms;
  std::string workflow;      // the sub-workflow it is in; empty: the top level
  std::string sub_workflow;  // the sub-workflow it runs; empty: none (no run fields)
  std::uint64_t runs_started = 0;
  CallEndCounts runs_ended;
  std::optional<double> run_duration_mean_ms;
  // Calls' failure rate, or its runs' for a node that runs a sub-workflow.
  std::optional<double> failure_rate() const {
    return sub_workflow.empty() ? calls_ended.failure_rate() : runs_ended.failure_rate();
  }
  bool operator==(const NodeMetrics&) const = default;
};

struct SubWorkflowMetrics {
  std::string name;
  std::uint64_t runs_started = 0;
  CallEndCounts runs_ended;
  std::optional<double> duration_mean_ms, calls_per_run, cost_per_run_usd;
  std::vector<std::string> called_by, nodes;
  bool operator==(const SubWorkflowMetrics&) const = default;
};

// Traffic along one workflow edge; "start" is the pseudo node requests enter by.
struct EdgeCount {
  std::string from, to;
  std::uint64_t count = 0;
  bool operator==(const EdgeCount&) const = default;
};

// How often a routed step chose an agent.
struct DecisionCount {
  std::string node, agent;
  std::uint64_t count = 0;
  bool operator==(const DecisionCount&) const = default;
};

struct BudgetCounts {
  std::uint64_t retry_budget = 0, deadline = 0, loop_bound = 0, breaker_open = 0;
  bool operator==(const BudgetCounts&) const = default;
};

struct SteadyStateMetrics {
  double warmup_ms = 0;
  std::uint64_t excluded_warmup = 0, series_batch = 1, mser5_warmup_requests = 0;
  std::optional<double> latency_mean_ms, ci95_low_ms, ci95_high_ms;
  bool operator==(const SteadyStateMetrics&) const = default;
};

struct EventMetrics {
  std::uint64_t retries_scheduled = 0, hedges_launched = 0;
  std::uint64_t context_fits = 0, context_truncated = 0, context_summarized = 0;
  std::optional<double> context_retained_mean;
  bool operator==(const EventMetrics&) const = default;
};

struct CoordinationMetrics {
  std::uint64_t duplicated_calls = 0;
  double duplicated_cost_usd = 0;
  std::uint64_t silent_outputs = 0, silent_caught = 0;
  std::optional<double> silent_caught_rate;
  std::uint64_t stuck_requests = 0;
  std::optional<double> cost_per_request_usd;
  bool operator==(const CoordinationMetrics&) const = default;
};

struct RunMetrics {
  double quality_threshold = 0.7;
  std::optional<double> end_ms;
  RequestMetrics requests;
  LatencySummary latency_all, latency_success;
  QualityMetrics quality;
  PerRequestMetrics per_request;
  std::vector<ClassMetrics> classes;  // by class index
  std::vector<AgentMetrics> agents;   // by agent index
  std::vector<NodeMetrics> nodes;     // by node index, only nodes that did something
  std::vector<SubWorkflowMetrics> sub_workflows;
  std::vector<EdgeCount> edges;          // "start" first, then by node index
  std::vector<DecisionCount> decisions;  // by (node, agent) index
  BudgetCounts budget_exhausted;
  EventMetrics events;
  // Sections added after the first reports: a run always has them, a report
  // or store row written before them reads back without.
  std::optional<SteadyStateMetrics> steady_state;
  std::optional<CoordinationMetrics> coordination;

  const AgentMetrics* agent(std::string_view name) const;
  const NodeMetrics* node(std::string_view name) const;
  bool operator==(const RunMetrics&) const = default;
};

// The scalar metrics of a run as (dotted name, value), in the report's order:
// the names flatten_numeric gives its JSON ("latency_ms.all.p99",
// "agents.cheap_model.cost_usd", "routing.edges.start->answer.count"), nulls
// left out. The names compare, sweep, search, baseline and check use.
std::vector<std::pair<std::string, double>> flatten(const RunMetrics& m);

}  // namespace orchsim::eval
