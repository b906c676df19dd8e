// A Task's Retry field -> the call node's "retry" object, with Step
// Functions' semantics (docs/import.md, "Retry"):
//   - retriers are tried in order; the first whose ErrorEquals matches the
//     failure decides, and MaxAttempts 0 means that failure is never retried;
//   - the delay before retry n = 1, 2, ... is
//       min(MaxDelaySeconds, IntervalSeconds * BackoffRate^(n-1)),
//     and JitterStrategy FULL draws it uniformly in [0, that];
//   - defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0, no cap,
//     JitterStrategy NONE; a Task without Retry is never retried;
//   - Step Functions never reads a provider's retry-after, so the node does
//     not either ("honour_retry_after": false).
// orchsim's exponential backoff with base IntervalSeconds, multiplier
// BackoffRate and cap MaxDelaySeconds is this formula exactly (its n counts
// from 0). One retrier that retries becomes the node's retry policy; several
// become ordered retry rules, each with its own count and backoff, as Step
// Functions keeps them. Error names are matched onto simulated failures by
// the table of error_names.hpp, so a retrier may own less than its names say
// (a failure an earlier retrier already matches); one left with nothing is
// reported.
//
//   Json retry = map_retry(state.contains("Retry") ? &state["Retry"] : nullptr,
//                          "/States/Call model/Retry", cx);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/asl/error_equals.hpp"
#include "scenarios/asl/import_context.hpp"

namespace orchsim::scenarios::asl {

// One entry of a Retry array, with the defaults of the ASL spec.
struct Retrier {
  ErrorEquals errors;
  std::uint64_t max_attempts = 3;  // retries, the first attempt not counted; 0 = never
  double interval_s = 1.0;
  double backoff_rate = 2.0;
  std::optional<double> max_delay_s;  // none: no cap
  bool full_jitter = false;
  std::string pointer;
};

// The retriers of a Retry array, checked as the ASL spec requires; problems
// go to `cx` as errors.
std::vector<Retrier> read_retriers(const Json& retry, const std::string& at, ImportContext& cx);

// The "retry" object of the call node. `retry` null: the Task has no Retry.
Json map_retry(const Json* retry, const std::string& at, ImportContext& cx);

}  // namespace orchsim::scenarios::asl
