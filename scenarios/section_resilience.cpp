// The "resilience" section: the retry budget, circuit breakers and the
// orchestrator's per-agent bulkhead.
#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace orch = orchestration;

// Every kind's parameters are read whatever the kind, so that --set can
// switch the kind of a file that keeps them all; only the chosen kind's are
// kept, the others stay at their defaults.
void keep_the_kinds_parameters(ReadContext&, ObjectReader&, orch::RetryBudgetConfig& c) {
  switch (c.kind) {
    case orch::RetryBudgetConfig::Kind::kUnlimited:
      c = orch::RetryBudgetConfig::unlimited();
      break;
    case orch::RetryBudgetConfig::Kind::kTokenBucket:
      c = orch::RetryBudgetConfig::grpc(c.max_tokens, c.token_ratio);
      break;
    case orch::RetryBudgetConfig::Kind::kConcurrency:
      c = orch::RetryBudgetConfig::envoy(c.budget_percent, c.min_retry_concurrency);
      break;
  }
}

const Fields<orch::RetryBudgetConfig>& retry_budget_fields() {
  using B = orch::RetryBudgetConfig;
  static const Fields<B> t{
      .doc =
          "Caps retries and hedges across all requests. Every kind's parameters may be given "
          "whatever the kind (so that --set can switch the kind); only the chosen kind's are "
          "used.",
      .fields =
          {
              choice("kind", &B::kind, orch::kRetryBudgetKindNames, "Which limit applies.")
                  .required(),
              number("max_tokens", &B::max_tokens, {1e-3, 1000}, "", "token_bucket: bucket size."),
              number("token_ratio", &B::token_ratio, {1e-3, 1}, "",
                     "token_bucket: tokens earned per success."),
              number("budget_percent", &B::budget_percent, {0, 100}, "%",
                     "concurrency: retries allowed as a percent of active requests."),
              integer("min_retry_concurrency", &B::min_retry_concurrency, {0, 1e7}, "",
                      "concurrency: retries always allowed."),
          },
      .after = keep_the_kinds_parameters,
  };
  return t;
}

const Preset<orch::CircuitBreakerConfig> kBreakerPresets[] = {
    {"resilience4j", orch::CircuitBreakerConfig::resilience4j, "Resilience4j's defaults"},
    {"polly", orch::CircuitBreakerConfig::polly, "Polly v8's defaults"},
};

const Fields<orch::CircuitBreakerConfig>& breaker_fields() {
  using C = orch::CircuitBreakerConfig;
  static const Fields<C> t{
      .doc = "One circuit breaker per agent.",
      .fields = {
          preset("preset", kBreakerPresets, "Defaults to start from; the keys below adjust them."),
          choice("window", &C::window, orch::kBreakerWindowNames,
                 "Sliding window by call count or by time."),
          integer("window_size", &C::window_size, {1, 1e6}, "", "Window size, calls or seconds."),
          integer("minimum_calls", &C::minimum_calls, {1, 1e9}, "",
                  "Calls before the breaker may open."),
          number("failure_rate_percent", &C::failure_rate_threshold, {0, 100}, "%",
                 "Failure rate that opens the breaker."),
          number("slow_call_rate_percent", &C::slow_call_rate_threshold, {0, 100}, "%",
                 "Slow-call rate that opens the breaker."),
          duration("slow_call_ms", &C::slow_call_duration, TimeUnit::kMilliseconds,
                   Range::non_negative(), "A call slower than this is slow."),
          duration("open_ms", &C::open_duration, TimeUnit::kMilliseconds, Range::non_negative(),
                   "Time open before half-open."),
          integer("half_open_calls", &C::half_open_calls, {1, 1e6}, "",
                  "Trial calls while half-open."),
      }};
  return t;
}

}  // namespace

const Fields<orch::OrchestratorConfig>& resilience_fields() {
  using O = orch::OrchestratorConfig;
  static const Fields<O> t{
      .doc = "Resilience policies shared by the workflow.",
      .fields =
          {
              section("retry_budget", &O::retry_budget, retry_budget_fields, ""),
              optional_section("circuit_breaker", &O::breaker, breaker_fields, ""),
              integer("max_concurrency_per_agent", &O::max_concurrency_per_agent, {0, 1e9}, "",
                      "Most calls in flight per agent from the orchestrator; 0 = no limit."),
          },
      .def = "resilience",
  };
  return t;
}

}  // namespace orchsim::scenarios
