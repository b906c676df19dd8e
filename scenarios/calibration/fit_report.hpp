// Views of a FitReport: the table `orchsim fit` prints, the JSON report
// (per-family statistics and measured-vs-fitted quantile pairs, what the
// GUI's Calibration view plots), the agents file, and a runnable scenario.
//
//   write_table(report, std::cout);
//   std::string json = report_json(report).dump(2);
//   std::string agents = agents_document(report);        // {"agents": [...]} with comments
//   std::string scenario = scenario_document(report, ScenarioOptions{});
//
// The JSON report's format ("orchsim_fit_report", version 1) is a public
// interface, documented in docs/calibration.md.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scenarios/calibration/calibrate.hpp"

namespace orchsim::calibration {

inline constexpr int kFitReportVersion = 1;

void write_table(const FitReport& report, std::ostream& out);
nlohmann::ordered_json report_json(const FitReport& report);

// JSON text (with // comments: the scenario format allows them): the fitted
// agents, and the fitted workload when arrivals were fitted.
std::string agents_document(const FitReport& report);

struct ScenarioOptions {
  std::string name = "fitted";
  // The call node's routing policy; empty: static for one agent, round_robin for more.
  std::string policy{};
  // Closed-loop users when no arrivals were fitted (default: the measured
  // concurrency, else 5); think time 0, as a benchmark client runs.
  std::optional<std::uint32_t> users{};
  std::uint64_t requests = 2000;
  // Replay this trace (a path relative to the scenario file) instead of the
  // fitted arrivals or a closed loop; its requests' output tokens are
  // produced exactly (output_tokens_from_request).
  std::optional<std::string> replay_file{};
  double replay_rate_scale = 1.0;
  // The command that makes the scenario, for its header (the fit's own when empty).
  std::string command{};
  // How the header's `orchsim compare` line names the scenario (default <name>.json).
  std::string compare_target{};
};

// A whole scenario around the fitted agents: one call node routing over
// them, no retries (as measured), a timeout when calls hang, and a replayed
// trace, the fitted arrivals or a closed loop; input tokens as measured
// (or the trace's). Its header names it and the command that made it.
// Precondition: at least one group has a fitted agent (orchsim fit refuses
// --scenario without one first); else std::invalid_argument, a bug.
std::string scenario_document(const FitReport& report, const ScenarioOptions& options);

}  // namespace orchsim::calibration
