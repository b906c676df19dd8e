// What the explorer shows of one run: the parts of report.json
// (docs/report-format.md, schema "orchsim.report" version 1) that the views
// need, read into plain values, plus the loader that turns a run folder or a
// report file into them.
//
//   ReportLoad r = load_report("results/");          // a run folder or its report.json
//   if (!r.ok()) { show(r.error); return; }
//   const ReportData& report = *r.report;
//
// Errors are values: a missing, corrupt or foreign file gives a one-line
// message naming the file (and the JSON pointer of the first bad key), never
// an exception. Plain C++ with no Qt, so it can be used from any thread (the
// scenario runner builds a ReportData on its worker thread).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace orchsim::gui {

inline constexpr const char* kReportSchema = "orchsim.report";
inline constexpr int kReportSchemaVersionRead = 1;  // newer versions are refused

// Latency of a set of finished requests in milliseconds; a quantile of an
// empty set is nullopt (null in the file).
struct LatencySummary {
  std::uint64_t count = 0;
  std::optional<double> mean, min, p50, p90, p95, p99, p999, max;
};

// How the calls of an agent or a node ended ("calls_ended" in the report).
struct CallEnds {
  std::uint64_t success = 0, invalid = 0, error = 0, timeout = 0, cancelled = 0;
  std::uint64_t total() const { return success + invalid + error + timeout + cancelled; }
  // Share that failed (error, timeout or invalid output); nullopt: none ended.
  std::optional<double> failure_rate() const {
    if (total() == 0) return std::nullopt;
    return static_cast<double>(error + timeout + invalid) / static_cast<double>(total());
  }
};

struct AgentRow {
  std::string name;
  std::uint64_t servers = 0;
  std::uint64_t calls_started = 0;
  CallEnds ended;  // calls that ended by the end of the run
  std::optional<double> queue_wait_mean_ms, queue_wait_p99_ms;
  std::optional<double> duration_p50_ms, duration_p99_ms;
  double cost_usd = 0;
  double busy_ms = 0;
  double utilisation = 0;  // busy / (servers x end), in [0, 1]
  std::uint64_t max_queue_length = 0;
  // Explicit errors by kind (transient, rate_limited, ...), only kinds seen.
  std::vector<std::pair<std::string, std::uint64_t>> errors;
  std::uint64_t breaker_transitions = 0;
  double breaker_open_ms = 0;
};

// Requests of one class (metrics.classes).
struct ClassRow {
  std::string name;
  std::uint64_t count = 0, completed = 0;
  std::optional<double> success_rate, latency_p50_ms, latency_p99_ms, quality_mean, cost_mean_usd;
};

// Calls made by one workflow node (metrics.nodes), and for a node that runs
// a sub-workflow, its runs.
struct NodeRow {
  std::string name;
  std::uint64_t calls_started = 0;
  CallEnds ended;
  std::optional<double> duration_mean_ms;
  std::string workflow;      // the sub-workflow it is in; empty: the top level
  std::string sub_workflow;  // the sub-workflow it runs; empty: none
  std::uint64_t runs_started = 0;
  CallEnds runs_ended;
  std::optional<double> failure_rate() const {
    return sub_workflow.empty() ? ended.failure_rate() : runs_ended.failure_rate();
  }
};

// One sub-workflow (metrics.sub_workflows): its runs and its place in the hierarchy.
struct SubWorkflowRow {
  std::string name;
  std::uint64_t runs_started = 0;
  CallEnds runs_ended;
  std::optional<double> duration_mean_ms, calls_per_run;
  std::vector<std::string> called_by, nodes;
};

// How often a routed step chose each agent (metrics.routing.decisions).
struct DecisionCount {
  std::string node, agent;
  std::uint64_t count = 0;
};

// The report's "latency_histogram": bins [edges_ms[i], edges_ms[i+1]).
struct LatencyBins {
  std::vector<double> edges_ms;
  std::vector<std::uint64_t> all, success;
  bool empty() const { return all.empty(); }
};

// The report's "timeseries" (eval/timeseries.hpp): bucket i covers
// [i x bucket_ms, (i + 1) x bucket_ms) of simulated time.
struct TimeSeries {
  struct Agent {
    std::string name;
    std::vector<std::uint64_t> calls, failed_calls;
    std::vector<double> queue_mean, busy_mean, breaker_open_share, breaker_half_open_share;
  };
  // A node whose calls went to two or more agents: calls started there per
  // agent per bucket (the "routing" section; empty in reports before it).
  struct RoutingNode {
    std::string node;
    std::vector<std::string> agents;
    std::vector<std::vector<std::uint64_t>> calls;  // by agent, then bucket
  };
  double bucket_ms = 0;
  std::vector<std::uint64_t> arrived, completed, failed;
  std::vector<std::optional<double>> latency_mean_ms;
  std::vector<double> in_flight_mean, cost_usd;
  std::vector<Agent> agents;
  std::vector<RoutingNode> routing;
  std::size_t size() const { return arrived.size(); }
  bool empty() const { return arrived.empty(); }
};

// One episode of the report's "metastability" (eval/metastability.hpp): a
// fault window and what the overload did around it.
struct MetastabilityMark {
  double trigger_start_ms = 0, trigger_end_ms = 0;
  std::optional<double> onset_ms;      // none: no overload
  std::optional<double> recovered_ms;  // when recovery began; none: did not recover
  bool sustained = false;              // the overload outlived the fault
  double peak_retry_amplification = 0;
};

// Traffic along one workflow edge; "start" is the pseudo node requests enter by.
struct EdgeRow {
  std::string from, to;
  std::uint64_t count = 0;
};

struct ReportData {
  std::string source;  // where it came from (a path, or "scenario X (run here)")
  std::string scenario_name, scenario_description;
  std::uint64_t seed = 0;
  double simulated_s = 0;
  std::uint64_t events = 0;

  std::uint64_t arrived = 0, finished = 0, completed = 0, failed = 0, in_flight = 0;
  double success_rate = 0;    // completed / finished
  double throughput_rps = 0;  // completed per simulated second

  LatencySummary latency_all, latency_success;

  double quality_threshold = 0;
  std::optional<double> quality_mean, pass_rate, silent_failure_rate;

  std::vector<std::pair<std::string, std::uint64_t>> completed_by_outcome, failed_by_cause;

  // Means over finished requests.
  double cost_per_request_usd = 0;
  double calls_per_request = 0, retries_per_request = 0;
  double hedges_per_request = 0, timeouts_per_request = 0, fallbacks_per_request = 0;
  double input_tokens_per_request = 0, output_tokens_per_request = 0;

  std::vector<AgentRow> agents;  // in the report's order (the scenario's)
  std::vector<EdgeRow> edges;    // in the report's order ("start" edges first)
  std::vector<DecisionCount> decisions;
  std::vector<NodeRow> nodes;                 // only nodes that made calls or ran sub-workflows
  std::vector<SubWorkflowRow> sub_workflows;  // empty for a flat workflow (or an older report)
  const NodeRow* node(const std::string& name) const {
    for (const NodeRow& n : nodes) {
      if (n.name == name) return &n;
    }
    return nullptr;
  }
  const AgentRow* agent(const std::string& name) const {
    for (const AgentRow& a : agents) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }
  std::vector<ClassRow> classes;
  // Sections added after the first reports: empty when the file predates them.
  LatencyBins latency_bins;
  TimeSeries series;
  std::vector<MetastabilityMark> metastability;
};

struct ReportLoad {
  std::optional<ReportData> report;
  std::string error;  // one line, empty when ok
  bool ok() const { return report.has_value(); }
};

// `path` is a run folder (holding report.json) or a report file.
ReportLoad load_report(const std::string& path);
// Parses report text; `source` names it in messages.
ReportLoad parse_report(const std::string& text, const std::string& source);
// Reads an already parsed report (e.g. eval::make_report's).
ReportLoad report_from_json(const nlohmann::ordered_json& doc, const std::string& source);

}  // namespace orchsim::gui
