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

struct AgentRow {
  std::string name;
  std::uint64_t servers = 0;
  std::uint64_t calls_started = 0;
  // Calls that ended by the end of the run, by how they ended.
  std::uint64_t success = 0, invalid = 0, error = 0, timeout = 0, cancelled = 0;
  std::optional<double> queue_wait_mean_ms, queue_wait_p99_ms;
  std::optional<double> duration_p50_ms, duration_p99_ms;
  double cost_usd = 0;
  double busy_ms = 0;
  double utilisation = 0;  // busy / (servers x end), in [0, 1]
  std::uint64_t max_queue_length = 0;
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

  // Means over finished requests.
  double cost_per_request_usd = 0;
  double calls_per_request = 0, retries_per_request = 0;
  double input_tokens_per_request = 0, output_tokens_per_request = 0;

  std::vector<AgentRow> agents;  // in the report's order (the scenario's)
  std::vector<EdgeRow> edges;    // in the report's order ("start" edges first)
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
