// What the Calibration view shows of a fit report: the JSON `orchsim fit
// --report FILE` writes (format "orchsim_fit_report", version 1; see
// docs/calibration.md), reduced to groups, their quantities, and per family
// the statistics and the measured-vs-fitted quantile pairs.
//
//   FitReportLoad r = load_fit_report("fit.json");
//   if (!r.ok()) show(r.error);                   // "fit.json: /groups/0/...: ..."
//   for (const FitGroup& g : r.report->groups) ...
//
// Plain C++, no Qt; errors are values naming the file and JSON pointer.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace orchsim::gui {

struct QuantilePoint {
  double p = 0, measured = 0, fitted = 0;
};

struct FitFamilyRow {
  std::string family;
  bool ok = false;
  std::string failure;
  std::optional<double> aic, ks_distance, ks_p_value;
  bool adequate = false;
  double error_p50 = 0, error_p90 = 0, error_p99 = 0;  // relative errors
  std::string parameters;                              // "mu=5.29, sigma=0.05"
  std::vector<QuantilePoint> pairs;
};

struct FitQuantity {
  std::string name;  // ttft_ms, inter_token_ms, output_tokens, input_tokens
  std::size_t n = 0;
  bool weighted = false;
  std::string selected, reason;
  std::vector<std::string> warnings;
  std::vector<FitFamilyRow> families;
  const FitFamilyRow* chosen() const;
};

struct FitGroup {
  std::string name, agent;  // agent empty: no agent was fitted
  std::uint64_t calls = 0;
  std::vector<FitQuantity> quantities;
  std::vector<std::string> notes, warnings;
};

struct FitReportData {
  std::string source, command;
  std::vector<FitGroup> groups;
};

struct FitReportLoad {
  std::optional<FitReportData> report;
  std::string error;
  bool ok() const { return report.has_value(); }
};

FitReportLoad load_fit_report(const std::string& path);
FitReportLoad parse_fit_report(const std::string& text, const std::string& source);
// Whether the file at `path` is a fit report (reads its first kilobytes).
bool is_fit_report_file(const std::string& path);

}  // namespace orchsim::gui
