#include "orchestration/policies/reward.hpp"

#include <array>
#include <string_view>

namespace orchsim::orchestration::policies {

Reward Reward::read(PolicyParams& params, double cost_per_usd) {
  PolicyParams p = params.object("reward");
  Reward r;
  r.quality = p.number("quality", 1.0, {-1e6, 1e6});
  static constexpr std::array<std::string_view, 3> kSignals = {"confidence", "verdict", "oracle"};
  const std::string signal = p.choice("signal", "confidence", kSignals);
  r.signal = signal == "verdict"  ? Signal::kVerdict
             : signal == "oracle" ? Signal::kOracle
                                  : Signal::kConfidence;
  r.failure = p.number("failure", 0.0, {-1e6, 1e6});
  r.cost_per_usd = p.number("cost_per_usd", cost_per_usd, {0.0, 1e9});
  r.latency_per_s = p.number("latency_per_s", 0.0, {0.0, 1e9});
  p.finish();
  return r;
}

std::optional<double> Reward::operator()(const AttemptOutcome& o) const {
  if (o.end == CallEnd::kCancelled) return std::nullopt;
  double q = failure;
  if (o.end == CallEnd::kSuccess) {
    switch (signal) {
      case Signal::kConfidence:
        q = quality * o.confidence;
        break;
      case Signal::kVerdict:
        q = quality * (o.verdict_pass ? 1.0 : 0.0);
        break;
      case Signal::kOracle:
        q = quality * o.oracle_quality;
        break;
    }
  }
  return q - cost_per_usd * o.cost_usd - latency_per_s * o.latency.seconds_f();
}

}  // namespace orchsim::orchestration::policies
