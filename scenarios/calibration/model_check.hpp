// Checks a fitted agent against its own measurements: drives it as the
// measurements were taken (users in a closed loop with no think time, as
// LLMPerf runs; each request with the measured input tokens), and compares
// the simulated TTFT and end-to-end latency of successful calls at p50, p90
// and p99, and the error rate, with the measured ones. The bar is the
// selection's (10% at p50 and p90, 20% at p99 by default); the simulated
// error rate must fall in the measured rate's 95% Wilson interval.
// `orchsim fit --check` prints it; the real-data test asserts it for every
// shared LLMPerf file.
//
//   CheckOptions options;              // 5 users, 20,000 requests, seed 1
//   ModelCheck c = check_group(group_fit, options);
//   if (!c.pass) ...                   // c.ttft[2].relative_error, c.simulated_error_rate
//
// The agent goes through the scenario loader, so what is checked is exactly
// the text that was written.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/calibration/calibrate.hpp"

namespace orchsim::calibration {

struct CheckOptions {
  std::uint32_t users = 5;
  std::uint64_t requests = 20'000;
  std::uint64_t seed = 1;
  SelectionOptions bar{};  // the quantile tolerances
};

struct QuantileCheck {
  double p = 0.0;
  double measured = 0.0;
  double simulated = 0.0;
  double relative_error = 0.0;
  double limit = 0.0;
  bool pass = false;
};

struct ModelCheck {
  std::string group{};
  std::string agent{};
  bool checked = false;
  std::string skipped{};                         // why not, when !checked
  std::vector<QuantileCheck> ttft{}, latency{};  // p50, p90, p99
  std::uint64_t measured_calls = 0, measured_errors = 0;
  double measured_error_rate = 0.0;
  std::array<double, 2> error_rate_ci{};
  std::uint64_t simulated_calls = 0, simulated_errors = 0;
  double simulated_error_rate = 0.0;
  bool error_rate_pass = false;
  bool pass = false;
};

ModelCheck check_group(const GroupFit& fit, const CheckOptions& options);

nlohmann::ordered_json check_json(const ModelCheck& check);
// One line per quantity, for the `orchsim fit --check` table.
std::string check_table(const std::vector<ModelCheck>& checks);

}  // namespace orchsim::calibration
