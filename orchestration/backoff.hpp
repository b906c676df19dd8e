// Retry delays: backoff shapes and jitter, with the formulas users know from
// the AWS Architecture Blog ("Exponential Backoff and Jitter", 2015) and the
// presets of Temporal, Step Functions, LangGraph, gRPC, Envoy and Polly.
//
// Retries are numbered n = 0, 1, 2, ... (n = 0 is the first retry), base b,
// cap c, multiplier m:
//   constant     b
//   linear       b (n + 1)
//   exponential  min(c, b m^n)
//   envoy        U(0, min(c, (2^(n+1) - 1) b))        (Envoy router; always jittered)
// Jitter applied to t = the shape's value:
//   none          t
//   full          U(0, t)
//   equal         t/2 + U(0, t/2)
//   decorrelated  s_n = min(c, U(b, 3 s_(n-1))), s_(-1) = b   (uses the previous delay)
//   additive      t + U(0, j), j = jitter_max (LangGraph: 1 s added on top of the capped delay)
// A provider's retry-after overrides a shorter computed delay.
//
//   BackoffPolicy p = BackoffPolicy::langgraph();
//   Backoff backoff(p);
//   sim::Duration d = backoff.next(stream);          // first retry
//   sim::Duration e = backoff.next(stream, 2_s);     // second, honouring retry-after
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/enum_names.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration {

enum class BackoffShape : std::uint8_t { kConstant, kLinear, kExponential, kEnvoy };
enum class Jitter : std::uint8_t { kNone, kFull, kEqual, kDecorrelated, kAdditive };

inline constexpr sim::EnumName<BackoffShape> kBackoffShapeNames[] = {
    {BackoffShape::kConstant, "constant", "base every time"},
    {BackoffShape::kLinear, "linear", "base x (n + 1)"},
    {BackoffShape::kExponential, "exponential", "min(cap, base x multiplier^n)"},
    {BackoffShape::kEnvoy, "envoy", "U(0, min(cap, (2^(n+1) - 1) x base)); always jittered"},
};
inline constexpr sim::EnumName<Jitter> kJitterNames[] = {
    {Jitter::kNone, "none", "t, the shape's delay"},
    {Jitter::kFull, "full", "U(0, t)"},
    {Jitter::kEqual, "equal", "t/2 + U(0, t/2)"},
    {Jitter::kDecorrelated, "decorrelated", "min(cap, U(base, 3 x the previous delay))"},
    {Jitter::kAdditive, "additive", "t + U(0, jitter_max)"},
};
std::string_view to_string(BackoffShape shape);
std::string_view to_string(Jitter jitter);

struct BackoffPolicy {
  BackoffShape shape = BackoffShape::kExponential;
  Jitter jitter = Jitter::kFull;
  sim::Duration base = sim::Duration::milliseconds(100);
  sim::Duration cap = sim::Duration::seconds(30);
  double multiplier = 2.0;
  // The most additive jitter adds (Jitter::kAdditive only).
  sim::Duration jitter_max = sim::Duration::seconds(1);

  // Presets (sources in docs/orchestration.md).
  static BackoffPolicy temporal();  // 1 s, x2, cap 100 s, no jitter
  // 1 s, x2, no cap (MaxDelaySeconds is optional); JitterStrategy defaults to
  // NONE in Step Functions (FULL must be asked for: "jitter": "full").
  static BackoffPolicy step_functions();
  // 0.5 s, x2, cap 128 s, then jitter=True adds U(0, 1 s) on top (LangGraph's
  // pregel retry: interval = min(max_interval, initial * factor^(n)) + uniform(0, 1)).
  static BackoffPolicy langgraph();
  static BackoffPolicy grpc(sim::Duration initial, sim::Duration max, double multiplier);
  static BackoffPolicy envoy();  // 25 ms base, cap 250 ms
  static BackoffPolicy polly();  // 2 s constant, no jitter
};

// The delays of one sequence of retries (one step of one request). Cheap to
// construct; holds the previous delay for decorrelated jitter.
class Backoff {
 public:
  explicit Backoff(const BackoffPolicy& policy) : policy_(policy), previous_(policy.base) {}
  // Resumes a sequence after `n` retries whose last delay was `previous`.
  Backoff(const BackoffPolicy& policy, sim::Duration previous, std::uint32_t n)
      : policy_(policy), previous_(previous), n_(n) {}

  // The delay before the next retry; n advances by one per call.
  sim::Duration next(sim::RandomStream& stream, sim::Duration retry_after = sim::Duration::zero());
  // The deterministic shape value for retry n (no jitter, no state).
  static sim::Duration shape_value(const BackoffPolicy& policy, std::uint32_t n);

  std::uint32_t retries_so_far() const { return n_; }
  sim::Duration previous() const { return previous_; }

 private:
  BackoffPolicy policy_;
  sim::Duration previous_;
  std::uint32_t n_ = 0;
};

}  // namespace orchsim::orchestration
