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

#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval {

inline constexpr int kReportSchemaVersion = 1;

nlohmann::ordered_json make_report(const scenarios::Scenario& scenario, const RunResult& result);

// The human summary: a header naming the scenario and run, then the metrics table.
void write_summary_table(std::ostream& out, const scenarios::Scenario& scenario,
                         const RunResult& result);

}  // namespace orchsim::eval
