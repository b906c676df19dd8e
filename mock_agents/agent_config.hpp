// Everything that defines a mock agent, as plain data. Each field says its
// meaning and unit; its initialiser is its default, for C++ callers and for
// scenario files alike: the file's `agents[]` keys are declared once, mapped
// onto these members, in scenarios/section_agents.cpp (docs/agents.md,
// docs/scenario-reference.md).
//
//   MockAgentConfig gen;
//   gen.name = "generator";
//   gen.role = "generator";
//   gen.servers = 8;
//   gen.latency.base_ms = sim::Distribution::lognormal_from_median_p99(80, 400);
//   gen.latency.output_tokens_per_second = 60;
//   gen.tokens.output_tokens = sim::Distribution::lognormal_from_median_p99(300, 1200);
//   if (auto problems = gen.validate(); !problems.empty()) { ... }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace orchsim::mock_agents {

// Service time = (base + time to first token + input tokens x prefill
//                 + output tokens x (1000 / rate + inter-token time))
//                 x slowdown x degradation.
// The first output token arrives after the part before the decode term
// (base + time to first token + prefill), scaled the same way; that instant
// is CallOutcome::first_token.
struct LatencyModel {
  // Fixed work per call (network, tool execution, retrieval), in milliseconds.
  sim::Distribution base_ms = sim::Distribution::constant(0.0);
  // LLM token time. A constant 0 (or a rate of 0) disables each term.
  // Time to first token, drawn per call (a bare number in a scenario is a
  // constant, as before); fitted agents give a distribution.
  sim::Distribution time_to_first_token_ms = sim::Distribution::constant(0.0);
  double output_tokens_per_second = 0.0;
  // Time per output token, drawn per call, in milliseconds: the decode speed
  // as a distribution (what `orchsim fit` measures), the alternative to the
  // constant output_tokens_per_second (at most one of the two may be set).
  sim::Distribution inter_token_ms = sim::Distribution::constant(0.0);
  double prefill_ms_per_input_token = 0.0;
  // Load-dependent slowdown: service time x (1 + alpha * u^beta), with u the
  // share of servers busy when service starts (this call included). alpha = 0
  // disables it.
  double slowdown_alpha = 0.0;
  double slowdown_beta = 1.0;
};

// Per-call probabilities of each way a served call can end; the rest succeed.
// Their sum must not exceed 1.
struct OutcomeRates {
  double transient_error = 0.0;
  double permanent_error = 0.0;
  double rate_limited = 0.0;  // a spontaneous 429 (provider-side), beyond our own limits
  double hang = 0.0;          // never answers; only the caller's timeout ends it
  double silent_failure = 0.0;  // reports success, output empty or poor
  // An explicit error arrives after this share of the call's service time.
  double error_latency_fraction = 0.25;
  // Retry-after sent with a spontaneous 429.
  sim::Duration spontaneous_retry_after = sim::Duration::seconds(1);
};

// Quality of a successful output (see docs/quality-model.md):
//   m = clamp(base - difficulty_weight * difficulty, 0, 1)
//       * input_quality^input_weight * context_retained^context_weight
//   q = clamp(m + noise_sd * Z, 0, 1),  Z ~ N(0, 1)
// A silent failure instead has q ~ U(0, silent_quality_max).
struct QualityModel {
  double base = 0.9;
  double difficulty_weight = 0.5;
  double input_weight = 1.0;
  double context_weight = 1.0;
  double noise_sd = 0.05;
  double silent_quality_max = 0.2;
  // Reported confidence = clamp(q_nominal + confidence_noise_sd * Z', 0, 1),
  // q_nominal the quality without any silent failure, Z' independent noise.
  double confidence_noise_sd = 0.05;
};

struct TokenModel {
  // Output tokens per call (rounded to an integer, at least 0).
  sim::Distribution output_tokens = sim::Distribution::constant(0.0);
  // When the request carries its own output-token count (a replayed trace:
  // CallRequest::output_tokens >= 0), produce exactly that many instead of a
  // draw from output_tokens. The draw is still made, so every later draw of
  // the call stays where it was (common random numbers).
  bool output_tokens_from_request = false;
  double usd_per_1k_input_tokens = 0.0;
  double usd_per_1k_output_tokens = 0.0;
};

// Provider-style limits as token buckets: capacity = the per-minute limit,
// refilled continuously at limit / 60 s. 0 = unlimited.
struct RateLimits {
  std::int64_t requests_per_minute = 0;
  std::int64_t tokens_per_minute = 0;  // input + output tokens of each call
};

// A window of simulated time [start, end) in which the agent misbehaves.
struct FaultWindow {
  enum class Kind : std::uint8_t {
    kOutageFail,  // every call fails with kUnavailable; calls in service fail at `start`
    kOutageHang,  // every call hangs; calls in service stop answering at `start`
    kDegraded,    // service time x latency_factor, extra_error_rate more transient errors
  };
  Kind kind = Kind::kOutageFail;
  sim::Time start;
  sim::Time end;
  double latency_factor = 1.0;
  double extra_error_rate = 0.0;
};
inline constexpr sim::EnumName<FaultWindow::Kind> kFaultKindNames[] = {
    {FaultWindow::Kind::kOutageFail, "outage_fail", "every call fails as unavailable"},
    {FaultWindow::Kind::kOutageHang, "outage_hang", "every call hangs until its caller gives up"},
    {FaultWindow::Kind::kDegraded, "degraded", "slower service and extra transient errors"},
};

// For judges and critics: the verdict on CallRequest::judged_quality is
// "pass" when it is at least pass_threshold, reported correctly with
// probability `accuracy` and flipped otherwise.
struct JudgeModel {
  bool enabled = false;
  double accuracy = 0.9;
  double pass_threshold = 0.7;
};

struct MockAgentConfig {
  std::string name;
  // retrieval, reranker, generator, critic, judge, tool, planner, ...: an open
  // set, informational only.
  std::string role = "generator";
  std::int64_t context_window_tokens = 128'000;
  std::uint32_t servers = 1;         // concurrent calls
  std::int64_t queue_capacity = -1;  // waiting calls beyond the servers; -1 = unbounded
  std::uint32_t bulkhead_per_caller = 0;  // max calls (queued + in service) per caller; 0 = none
  LatencyModel latency;
  OutcomeRates outcomes;
  QualityModel quality;
  TokenModel tokens;
  RateLimits limits;
  std::vector<FaultWindow> faults;
  JudgeModel judge;
  // Output classes (e.g. "tool_call", "final") and their weights; empty = none.
  std::vector<std::string> labels;
  std::vector<double> label_weights;

  // Every problem, each as "<field>: <what was found>, expected <what>".
  // Empty when the config is usable.
  std::vector<std::string> validate() const;
};

}  // namespace orchsim::mock_agents
