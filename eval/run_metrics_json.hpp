// RunMetrics as JSON: the "metrics" section of report.json and the metrics
// column of a results store's rows (schema in eval/metrics.hpp and
// docs/report-format.md). Both directions; from_json(to_json(m)) == m.
//
//   report["metrics"] = to_json(run.metrics);
//   StatusOr<RunMetrics> m = run_metrics_from_json(doc["metrics"], "results/report.json");
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "eval/run_metrics.hpp"
#include "eval/status.hpp"

namespace orchsim::eval {

// Keys in the schema's order; a section absent from `m` (steady_state,
// coordination of an old report read back) is left out.
nlohmann::ordered_json to_json(const RunMetrics& m);

// Reads a metrics object. Sections and keys added after the first reports
// (nodes, sub_workflows, a node's workflow keys, p_wait, steady_state,
// coordination) may be absent; everything else must be there with its type.
// A problem is kBadInput, naming `source`, the JSON pointer (under `pointer`,
// the object's own place in its document), what was found and what was
// expected.
StatusOr<RunMetrics> run_metrics_from_json(const nlohmann::ordered_json& j,
                                           const std::string& source,
                                           const std::string& pointer = "");

}  // namespace orchsim::eval
