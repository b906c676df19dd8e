// report.json: the versioned, documented summary of one run (docs/report-format.md).
//
//   nlohmann::ordered_json report = make_report(scenario, result);
//   out << report.dump(2) << '\n';
//
// Contains nothing that differs between machines or runs of the same seed
// (no wall-clock time, no absolute paths), so it can be pinned as a golden file.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "eval/histogram.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval {

inline constexpr int kReportSchemaVersion = 1;

// The latency distribution binned for plotting (the "latency_histogram"
// section): bin edges on the R10 series (1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5,
// 6.3, 8 x 10^k; nothing below 1 us) from the edge at or below the fastest
// request to the first above the slowest, and the finished (all) and
// successful (success) requests per bin [edge_i, edge_i+1). Each histogram
// bucket goes to the bin holding its midpoint, so counts are exact up to the
// histogram's 1/256 resolution at a bin edge. Empty arrays for no requests.
//   {"edges_ms": [n + 1 numbers], "all": [n ints], "success": [n ints]}
// (to_json(latency_bins(all, success)); eval/run_series.hpp).
LatencyBins latency_bins(const LogLinearHistogram& all, const LogLinearHistogram& success);

nlohmann::ordered_json make_report(const scenarios::Scenario& scenario, const RunResult& result);

// The human summary: a header naming the scenario and run, then the metrics table.
void write_summary_table(std::ostream& out, const scenarios::Scenario& scenario,
                         const RunResult& result);

}  // namespace orchsim::eval
