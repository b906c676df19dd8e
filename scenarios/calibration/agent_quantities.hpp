// From one group's measured calls to the samples of the quantities the mock
// agent model has (docs/agents.md, "Latency"): the model says
//   latency = base + time to first token + input tokens x prefill
//             + output tokens x inter-token time,
// and the first token arrives after the first three terms. So, per
// successful call:
//   - prefill: where input tokens vary (>= 10 distinct values, max >= 2 min),
//     the Theil-Sen slope of TTFT on input tokens, if positive; else 0;
//   - time to first token: TTFT - prefill x input tokens (base is left 0);
//   - inter-token time: (latency - TTFT) / output tokens, weighted by output
//     tokens (a call with 150 tokens says 150 times more about the per-token
//     time than a call with 1, and the agent multiplies the per-token draw by
//     the call's own token count);
//   - output tokens, input tokens as recorded.
// Without TTFT but with latency: the inter-token time is the Theil-Sen slope
// of latency on output tokens (a constant), and TTFT = latency - slope x
// output tokens; without varying output tokens either, the whole latency is
// the time to first token. Each such inference is a note in the report.
//
// Outcomes: rates per call of each kind; the error-latency fraction =
// median latency of explicit errors / median latency of successes (0..1);
// retry-after = median of the recorded ones; hangs' median latency is
// reported as the client timeout the measurements used.
//
//   DerivedQuantities q = derive_quantities(measurements, group);
//   if (q.ttft_ms) fit_quantity("ttft_ms", *q.ttft_ms, options);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/calibration/grouping.hpp"
#include "scenarios/calibration/observation.hpp"
#include "scenarios/calibration/sample.hpp"

namespace orchsim::calibration {

struct ErrorCodeCount {
  std::string code{};  // as recorded
  Outcome outcome = Outcome::kTransient;
  bool recognised = true;
  std::uint64_t count = 0;
};

struct DerivedQuantities {
  std::optional<Sample> ttft_ms{};
  std::optional<Sample> inter_token_ms{};           // per call, token-weighted
  std::optional<double> inter_token_constant_ms{};  // from a slope, when TTFT is not recorded
  std::optional<Sample> output_tokens{};            // successful calls
  std::optional<Sample> input_tokens{};             // every call that recorded it
  // As measured, for checking the fitted agent against them (model_check.hpp):
  // successful calls' TTFT and end-to-end latency.
  std::optional<Sample> measured_ttft_ms{};
  std::optional<Sample> measured_latency_ms{};
  double prefill_ms_per_input_token = 0.0;
  bool prefill_identified = false;  // inputs varied enough to estimate it

  std::uint64_t calls = 0;
  std::array<std::uint64_t, kOutcomeCount> outcomes{};  // indexed by Outcome
  std::vector<ErrorCodeCount> error_codes{};            // sorted by code
  std::optional<double> error_latency_fraction{};
  std::optional<double> retry_after_ms{};
  std::optional<double> client_timeout_ms{};
  std::optional<double> success_latency_p50_ms{};
  std::vector<std::string> notes{};
};

DerivedQuantities derive_quantities(const Measurements& m, const Group& group);

// Wilson score interval for k successes out of n at 95%.
std::array<double, 2> wilson_interval(std::uint64_t k, std::uint64_t n);

}  // namespace orchsim::calibration
