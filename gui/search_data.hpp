// What the explorer shows of an `orchsim search`: the rows of search.json
// (schema "orchsim.search", docs/search.md), each an evaluation of one
// candidate on one rung, with the means of the objective and constraint
// metrics, for the Search tab's evaluated points over the Pareto front.
//
//   SearchLoad s = load_search("search_out/");   // the folder or its search.json
//   if (!s.ok()) show(s.error);
//
// Errors are values naming the file and JSON pointer; plain C++, no Qt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orchsim::gui {

struct SearchEvaluationRow {
  std::size_t candidate = 0;
  unsigned bracket = 0, rung = 0;
  std::uint64_t requests = 0;
  bool from_model = false;  // proposed by TPE, else drawn uniformly
  bool reused = false;
  bool feasible = false;
  std::vector<std::string> values;           // one per parameter, in order
  std::vector<std::optional<double>> means;  // the objective, then each constraint's metric
};

struct SearchConstraintInfo {
  std::string metric;
  bool at_most = true;
  double bound = 0;
};

struct SearchData {
  std::string source, scenario;
  std::string objective;  // the objective's metric
  bool maximize = true;
  std::vector<SearchConstraintInfo> constraints;
  std::vector<std::string> parameters;  // pointers, in order
  std::vector<std::uint64_t> rungs;     // request counts, bottom first
  std::uint64_t requests_simulated = 0;
  std::vector<SearchEvaluationRow> rows;
  std::vector<std::size_t> pareto;  // candidates on the Pareto front (full fidelity)
  std::optional<std::size_t> best;  // the best candidate, when any ran at full fidelity
  // The metrics the rows' means are of: the objective, then each constraint's.
  std::vector<std::string> metrics() const;
  // The rung index of full fidelity.
  unsigned top_rung() const { return rungs.empty() ? 0 : static_cast<unsigned>(rungs.size() - 1); }
};

struct SearchLoad {
  std::optional<SearchData> search;
  std::string error;
  bool ok() const { return search.has_value(); }
};

SearchLoad load_search(const std::string& path);
SearchLoad parse_search(const std::string& text, const std::string& source);

}  // namespace orchsim::gui
