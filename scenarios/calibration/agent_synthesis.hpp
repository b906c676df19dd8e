// From one group's fitted quantities to an `agents[]` entry of the scenario
// format, mapped one to one onto the mock agent's model (docs/agents.md):
//
//   latency.time_to_first_token_ms   the chosen ttft_ms distribution
//   latency.inter_token_ms           the chosen inter_token_ms distribution
//                                    (or the constant slope)
//   latency.prefill_ms_per_input_token   when input tokens varied
//   outcomes.rate_limited / transient_error / permanent_error / hang
//                                    the measured shares of calls
//   outcomes.error_latency_fraction  measured (default 0.25 kept when unknown)
//   outcomes.retry_after_ms          the median recorded retry-after
//   tokens.output_tokens             the chosen output_tokens distribution
//   servers                          FitOptions::servers (not measurable here)
//
// base_ms stays 0: the time before the first token is all in the TTFT
// distribution. Quality, cost, limits and faults are not in latency
// measurements and keep their defaults; a "//" key says so and names the
// files and command the agent came from.
//
//   std::optional<nlohmann::ordered_json> a = synthesize_agent(group_fit, options, sources);
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "scenarios/calibration/calibrate.hpp"

namespace orchsim::calibration {

// nullopt when the group has no time to first token or latency to fit.
std::optional<nlohmann::ordered_json> synthesize_agent(const GroupFit& fit,
                                                       const FitOptions& options,
                                                       const std::vector<Source>& sources);

}  // namespace orchsim::calibration
