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
// scenario runner builds a ReportData on its worker thread, with
// report_from_run).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/run_metrics.hpp"
#include "eval/run_series.hpp"

namespace orchsim::eval {
struct RunResult;
}
namespace orchsim::scenarios {
struct Scenario;
}

namespace orchsim::gui {

inline constexpr const char* kReportSchema = "orchsim.report";
inline constexpr int kReportSchemaVersionRead = 1;  // newer versions are refused

// The explorer shows the results model itself (eval/run_metrics.hpp,
// eval/run_series.hpp): these are its names for the parts it shows.
using LatencySummary = eval::LatencySummary;
using CallEnds = eval::CallEndCounts;
using AgentRow = eval::AgentMetrics;
using ClassRow = eval::ClassMetrics;
using NodeRow = eval::NodeMetrics;
using SubWorkflowRow = eval::SubWorkflowMetrics;
using DecisionCount = eval::DecisionCount;
using EdgeRow = eval::EdgeCount;
using LatencyBins = eval::LatencyBins;
using TimeSeries = eval::TimeSeries;

// One episode of the report's "metastability" (eval/metastability.hpp): a
// fault window and what the overload did around it.
struct MetastabilityMark {
  double trigger_start_ms = 0, trigger_end_ms = 0;
  std::optional<double> onset_ms;      // none: no overload
  std::optional<double> recovered_ms;  // when recovery began; none: did not recover
  bool sustained = false;              // the overload outlived the fault
  double peak_retry_amplification = 0;
  bool operator==(const MetastabilityMark&) const = default;
};

struct ReportData {
  std::string source;  // where it came from (a path, or "scenario X (run here)")
  std::string scenario_name, scenario_description;
  std::uint64_t seed = 0;
  double simulated_s = 0;
  std::uint64_t events = 0;

  eval::RunMetrics metrics;  // the report's "metrics" section
  const NodeRow* node(const std::string& name) const { return metrics.node(name); }
  const AgentRow* agent(const std::string& name) const { return metrics.agent(name); }

  // Sections added after the first reports: empty when the file predates them.
  LatencyBins latency_bins;
  TimeSeries series;
  std::vector<MetastabilityMark> metastability;
  bool operator==(const ReportData&) const = default;
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
// Reads an already parsed report.
ReportLoad report_from_json(const nlohmann::ordered_json& doc, const std::string& source);
// The same view of a run made in this process, straight from the results
// model (no JSON in between): what `orchsim run --out` would have written.
ReportData report_from_run(const scenarios::Scenario& scenario, const eval::RunResult& result,
                           std::string source);

}  // namespace orchsim::gui
