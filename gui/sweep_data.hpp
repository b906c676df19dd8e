// What the explorer shows of a sweep: the rows of sweep.json (written by
// `orchsim sweep --out DIR`, schema "orchsim.sweep"), each a configuration
// with the means of its replications, for the cost-vs-quality view.
//
//   SweepLoad s = load_sweep("sweep_out/");     // the folder or its sweep.json
//   if (!s.ok()) show(s.error);
//
// Errors are values naming the file and JSON pointer; plain C++, no Qt.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace orchsim::gui {

struct SweepRow {
  std::string label;  // the point's overrides, "/ptr=value, /ptr=value"
  std::optional<double> cost_usd, quality, p99_ms;  // means over replications
  bool pareto = false;  // on the sweep's own (p99, cost, quality) frontier
};

struct SweepData {
  std::string source, scenario;
  std::vector<SweepRow> rows;
};

struct SweepLoad {
  std::optional<SweepData> sweep;
  std::string error;
  bool ok() const { return sweep.has_value(); }
};

SweepLoad load_sweep(const std::string& path);
SweepLoad parse_sweep(const std::string& text, const std::string& source);

}  // namespace orchsim::gui
