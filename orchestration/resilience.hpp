// Internal to the orchestrator: what it keeps per agent to protect itself and
// its agents: circuit breakers, the orchestrator-side bulkhead, the shared
// retry budget, and the moving averages routers read (AgentSignals).
//
//   Resilience res(config, agent_count);
//   switch (res.admit(agent, now)) { case Admission::kAdmitted: ...; }
//   res.call_started(agent);
//   ... res.call_answered(agent, outcome, now); res.call_closed(agent);
//
// One per orchestrator; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/circuit_breaker.hpp"
#include "orchestration/orchestrator.hpp"
#include "orchestration/policy.hpp"
#include "orchestration/retry_budget.hpp"

namespace orchsim::orchestration::detail {

class Resilience {
 public:
  enum class Admission : std::uint8_t { kAdmitted, kBreakerOpen, kBulkheadFull };

  Resilience(const OrchestratorConfig& config, std::size_t agents);

  // Called on every breaker state change (for the observer).
  void on_breaker_change(std::function<void(AgentIndex, BreakerState, BreakerState, sim::Time)> f);

  bool has_breakers() const { return !breakers_.empty(); }
  const CircuitBreaker* breaker(AgentIndex agent) const {
    return breakers_.empty() ? nullptr : breakers_[agent].get();
  }
  const std::vector<const CircuitBreaker*>& breaker_views() const { return views_; }
  // Open, and not yet due for a half-open probe: routing leaves it out.
  bool shut(AgentIndex agent, sim::Time now) const {
    if (breakers_.empty()) return false;
    const CircuitBreaker& b = *breakers_[agent];
    return b.state() == BreakerState::kOpen && now < b.open_until();
  }
  // Whether a call may go out now (a breaker's half-open probe is counted).
  // Inline: asked for every attempt.
  Admission admit(AgentIndex agent, sim::Time now) {
    // The breaker is always asked (asking a half-open breaker counts a
    // probe); a full bulkhead names the rejection whatever the breaker said.
    const bool bulkhead_full = config_.max_concurrency_per_agent > 0 &&
                               signals_[agent].outstanding >= config_.max_concurrency_per_agent;
    const bool breaker_lets = breakers_.empty() || breakers_[agent]->try_acquire(now);
    if (bulkhead_full) return Admission::kBulkheadFull;
    return breaker_lets ? Admission::kAdmitted : Admission::kBreakerOpen;
  }

  void call_started(AgentIndex agent) { ++signals_[agent].outstanding; }
  void call_closed(AgentIndex agent) { --signals_[agent].outstanding; }
  // An answer or an error arrived: signals, breaker, and `budget` (the retry
  // budget of the layer that made the call: the orchestrator's, or a
  // sub-workflow's own).
  void call_answered(AgentIndex agent, const mock_agents::CallOutcome& o, sim::Time now,
                     RetryBudget& budget);
  // The attempt's timeout fired: the breaker and budget count a failure.
  void call_timed_out(AgentIndex agent, sim::Duration waited, sim::Time now, RetryBudget& budget);

  RetryBudget& budget() { return budget_; }
  const RetryBudget& budget() const { return budget_; }
  const std::vector<AgentSignals>& signals() const { return signals_; }

 private:
  void track_error(AgentIndex agent, bool failed);

  OrchestratorConfig config_;
  std::vector<AgentSignals> signals_;
  std::vector<std::unique_ptr<CircuitBreaker>> breakers_;  // per agent, or empty
  std::vector<const CircuitBreaker*> views_;
  RetryBudget budget_;
};

}  // namespace orchsim::orchestration::detail
