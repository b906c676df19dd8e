// The whole of `orchsim fit` as a library call: read the measurement files,
// group the calls, derive the agent model's quantities, fit every candidate
// family to each, choose, synthesise one agent per group, and (optionally)
// fit the arrival process. The result is a typed FitReport; the table, the
// JSON report and the agents file are views of it (fit_report.hpp).
//
//   FitOptions options;
//   options.inputs = {"anyscale_13b.json"};
//   Result<FitReport> r = calibrate(options);
//   if (!r.ok()) { std::cerr << r.error().format() << '\n'; return 2; }
//   std::cout << agents_document(r.value());
//
// Deterministic: the same files and options give the same bytes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/calibration/agent_quantities.hpp"
#include "scenarios/calibration/arrival_fit.hpp"
#include "scenarios/calibration/grouping.hpp"
#include "scenarios/calibration/input_error.hpp"
#include "scenarios/calibration/input_format.hpp"
#include "scenarios/calibration/model_selection.hpp"
#include "scenarios/calibration/observation.hpp"
#include "scenarios/calibration/read_options.hpp"

namespace orchsim::calibration {

struct FitOptions {
  std::vector<std::string> inputs{};
  InputFormat format = InputFormat::kAuto;  // for every input
  GroupBy group_by{};
  ReadOptions read{};
  SelectionOptions selection{};
  // What made this (for the comment in the agents file): the command line.
  std::string command{};
  // The synthesised agents' capacity: the measurements cannot show it (a
  // hosted API serves far more calls at once than a benchmark sends).
  std::uint32_t servers = 64;
  bool arrivals = false;
  ArrivalOptions arrival{};
};

struct GroupFit {
  Group group{};
  DerivedQuantities derived{};
  // Fitted quantities, in this order when present: ttft_ms, inter_token_ms,
  // output_tokens, input_tokens.
  std::vector<QuantityFit> quantities{};
  // The agent, when the group has latency to fit (an Azure trace has none).
  std::optional<nlohmann::ordered_json> agent{};
  std::vector<std::string> warnings{};

  const QuantityFit* quantity(std::string_view name) const;
};

struct FitReport {
  std::string command{};
  std::vector<Source> sources{};
  std::vector<std::string> notes{};  // about the inputs as a whole (skipped summaries)
  SelectionOptions selection{};
  std::vector<GroupFit> groups{};
  std::optional<ArrivalFit> arrivals{};
  // With arrivals: the input tokens of every call, fitted, for the workload's class.
  std::optional<QuantityFit> workload_input_tokens{};
  // The closed-loop concurrency the measurements used, when a file says (LLMPerf).
  std::optional<std::uint32_t> concurrency{};
};

Result<FitReport> calibrate(const FitOptions& options);

// Builds one group's fit from its derived quantities (calibrate() uses it;
// exposed for tests).
GroupFit fit_group(const Measurements& m, const Group& group, const FitOptions& options);

}  // namespace orchsim::calibration
