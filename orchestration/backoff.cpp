#include "orchestration/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace orchsim::orchestration {

std::string_view to_string(BackoffShape shape) { return sim::enum_name(kBackoffShapeNames, shape); }
std::string_view to_string(Jitter jitter) { return sim::enum_name(kJitterNames, jitter); }

BackoffPolicy BackoffPolicy::temporal() {
  return {BackoffShape::kExponential, Jitter::kNone, sim::Duration::seconds(1),
          sim::Duration::seconds(100), 2.0};
}
BackoffPolicy BackoffPolicy::step_functions() {
  return {BackoffShape::kExponential, Jitter::kNone, sim::Duration::seconds(1),
          sim::Duration::max(), 2.0};
}
BackoffPolicy BackoffPolicy::langgraph() {
  return {BackoffShape::kExponential,
          Jitter::kAdditive,
          sim::Duration::milliseconds(500),
          sim::Duration::seconds(128),
          2.0,
          sim::Duration::seconds(1)};
}
BackoffPolicy BackoffPolicy::grpc(sim::Duration initial, sim::Duration max, double multiplier) {
  return {BackoffShape::kExponential, Jitter::kFull, initial, max, multiplier};
}
BackoffPolicy BackoffPolicy::envoy() {
  return {BackoffShape::kEnvoy, Jitter::kNone, sim::Duration::milliseconds(25),
          sim::Duration::milliseconds(250), 2.0};
}
BackoffPolicy BackoffPolicy::polly() {
  return {BackoffShape::kConstant, Jitter::kNone, sim::Duration::seconds(2), sim::Duration::max(),
          1.0};
}

namespace {
// Saturating b * k for a real factor k >= 0.
sim::Duration times(sim::Duration b, double k) {
  const double ns = static_cast<double>(b.count_ns()) * k;
  if (ns >= 9.2e18) return sim::Duration::max();
  return sim::Duration::nanoseconds(static_cast<std::int64_t>(std::llround(ns)));
}
// U(lo, hi) in whole nanoseconds.
sim::Duration uniform_between(sim::RandomStream& s, sim::Duration lo, sim::Duration hi) {
  if (hi <= lo) return lo;
  const auto span = static_cast<std::uint64_t>((hi - lo).count_ns());
  return lo + sim::Duration::nanoseconds(static_cast<std::int64_t>(s.below(span + 1)));
}
}  // namespace

sim::Duration Backoff::shape_value(const BackoffPolicy& p, std::uint32_t n) {
  switch (p.shape) {
    case BackoffShape::kConstant:
      return std::min(p.cap, p.base);
    case BackoffShape::kLinear:
      return std::min(p.cap, times(p.base, static_cast<double>(n) + 1.0));
    case BackoffShape::kExponential:
      return std::min(p.cap, times(p.base, std::pow(p.multiplier, static_cast<double>(n))));
    case BackoffShape::kEnvoy:
      return std::min(p.cap, times(p.base, std::pow(2.0, static_cast<double>(n) + 1.0) - 1.0));
  }
  return p.base;
}

sim::Duration Backoff::next(sim::RandomStream& s, sim::Duration retry_after) {
  const sim::Duration t = shape_value(policy_, n_);
  sim::Duration d = t;
  if (policy_.shape == BackoffShape::kEnvoy) {
    d = uniform_between(s, sim::Duration::zero(), t);
  } else {
    switch (policy_.jitter) {
      case Jitter::kNone:
        break;
      case Jitter::kFull:
        d = uniform_between(s, sim::Duration::zero(), t);
        break;
      case Jitter::kEqual:
        // t/2 + U(0, t/2), with the halves split so that they add up to t
        // exactly when t is an odd number of nanoseconds.
        d = t / 2 + uniform_between(s, sim::Duration::zero(), t - t / 2);
        break;
      case Jitter::kDecorrelated: {
        const sim::Duration hi = times(previous_, 3.0);
        d = std::min(policy_.cap, uniform_between(s, policy_.base, hi));
        break;
      }
      case Jitter::kAdditive:
        // Added after the cap, as LangGraph does: a capped delay still spreads.
        d = t + uniform_between(s, sim::Duration::zero(), policy_.jitter_max);
        break;
    }
  }
  previous_ = d;
  ++n_;
  return std::max(d, retry_after);
}

}  // namespace orchsim::orchestration
