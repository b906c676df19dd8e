#include "orchestration/resilience.hpp"

namespace orchsim::orchestration::detail {

Resilience::Resilience(const OrchestratorConfig& config, std::size_t agents)
    : config_(config), signals_(agents), budget_(config.retry_budget) {
  if (config_.breaker) {
    for (std::size_t a = 0; a < agents; ++a) {
      breakers_.push_back(std::make_unique<CircuitBreaker>(*config_.breaker));
      views_.push_back(breakers_.back().get());
    }
  }
}

void Resilience::on_breaker_change(
    std::function<void(AgentIndex, BreakerState, BreakerState, sim::Time)> f) {
  for (AgentIndex a = 0; a < breakers_.size(); ++a) {
    breakers_[a]->on_transition = [f, a](BreakerState from, BreakerState to, sim::Time t) {
      f(a, from, to, t);
    };
  }
}

void Resilience::track_error(AgentIndex agent, bool failed) {
  AgentSignals& sig = signals_[agent];
  const double x = failed ? 1.0 : 0.0;
  sig.ewma_error_rate += config_.ewma_alpha * (x - sig.ewma_error_rate);
}

void Resilience::call_answered(AgentIndex agent, const mock_agents::CallOutcome& o, sim::Time now,
                               RetryBudget& budget) {
  const bool success = o.status == mock_agents::CallStatus::kSuccess;
  AgentSignals& sig = signals_[agent];
  const double alpha = config_.ewma_alpha;
  const double ms = (o.finished - o.submitted).milliseconds_f();
  if (sig.samples == 0) {
    sig.ewma_latency_ms = ms;
    sig.ewma_cost_usd = o.cost_usd;
    if (success) sig.ewma_confidence = o.confidence;
  } else {
    sig.ewma_latency_ms += alpha * (ms - sig.ewma_latency_ms);
    sig.ewma_cost_usd += alpha * (o.cost_usd - sig.ewma_cost_usd);
    if (success) sig.ewma_confidence += alpha * (o.confidence - sig.ewma_confidence);
  }
  ++sig.samples;
  track_error(agent, !success);
  if (!breakers_.empty())
    breakers_[agent]->on_result(now, !success, o.finished - o.service_started);
  success ? budget.on_success() : budget.on_failure();
}

void Resilience::call_timed_out(AgentIndex agent, sim::Duration waited, sim::Time now,
                                RetryBudget& budget) {
  track_error(agent, true);
  if (!breakers_.empty()) breakers_[agent]->on_result(now, true, waited);
  budget.on_failure();
}

}  // namespace orchsim::orchestration::detail
