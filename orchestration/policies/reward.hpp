// The reward learning policies (linucb, thompson, epsilon_greedy) take from
// one attempt's outcome: a weighted sum of quality, cost and latency, where a
// failure (error, timeout, or an output the validator rejected) is a bad
// outcome, not a missing one. Params, under "reward":
//   quality (1)          weight of the quality signal of an answer
//   signal (confidence)  which quality: "confidence" (what the agent reported),
//                        "verdict" (1 if a judge passed it, else 0), or
//                        "oracle" (ORACLE: the true quality; for upper bounds)
//   failure (0)          the quality term of a failed attempt
//   cost_per_usd         subtracted per dollar the attempt cost (policy default)
//   latency_per_s (0)    subtracted per second the attempt took
// A cancelled attempt (a hedge that lost, a step that ended) teaches nothing
// about the agent: it yields no reward.
#pragma once

#include <optional>

#include "orchestration/policy.hpp"
#include "orchestration/policy_params.hpp"

namespace orchsim::orchestration::policies {

struct Reward {
  enum class Signal : std::uint8_t { kConfidence, kVerdict, kOracle };
  double quality = 1.0;
  Signal signal = Signal::kConfidence;
  double failure = 0.0;
  double cost_per_usd = 0.0;
  double latency_per_s = 0.0;

  // Reads the "reward" object of `params`; `cost_per_usd` is the default for
  // its cost weight (linucb's legacy cost_weight).
  static Reward read(PolicyParams& params, double cost_per_usd);
  std::optional<double> operator()(const AttemptOutcome& o) const;
};

}  // namespace orchsim::orchestration::policies
