// The orchestrator: the central control layer of the orchestration pattern.
//
// For every request it keeps the workflow state (where each branch is, the
// context and memory accumulated so far, the qualities seen, the money and
// time spent), decides which agent gets the current context next, watches
// each call (timeouts, validators, hedges, breakers, retry budget), recovers
// (retries with backoff, fallback, redirect to a faster agent, decomposition)
// and logs every decision as a typed observer event. It does no domain work:
// agents do, through the mock_agents::Agent interface.
//
//   Orchestrator orch(sim, rng, workflow, agents, OrchestratorConfig{});
//   orch.set_observer(&metrics);                 // optional
//   orch.submit(RequestInput{.id = 0, .input_tokens = 300});
//   sim.run();
//   orch.completed() + orch.failed() + orch.in_flight() == orch.arrived();
//
// Invariants (checked by the tests): every request that arrives ends exactly
// once; every call started ends exactly once (answered, failed, timed out or
// cancelled); no call outlives its request's deadline.
//
// Routing is a plug-in: each call node names a RoutingPolicy
// (orchestration/policy.hpp) that the orchestrator asks for every choice and
// tells every outcome; it does no routing of its own.
//
// Cost: O(1) amortised per event; requests, steps and attempts live in pools
// reused across requests. Not thread-safe: one orchestrator per simulation.
// The implementation is in orchestration/engine.hpp and the files it lists.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/circuit_breaker.hpp"
#include "orchestration/events.hpp"
#include "orchestration/policy.hpp"
#include "orchestration/retry_budget.hpp"
#include "orchestration/workflow.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::orchestration {

struct OrchestratorConfig {
  RetryBudgetConfig retry_budget;               // shared by all retries and hedges
  std::optional<CircuitBreakerConfig> breaker;  // one per agent; nullopt = none
  std::uint32_t max_concurrency_per_agent = 0;  // orchestrator-side bulkhead; 0 = none
  std::uint32_t class_count = 1;                // request classes (bandit features)
  double ewma_alpha = 0.2;                      // for the agent signals routers read
};

struct RequestInput {
  RequestId id = 0;
  std::uint32_t class_index = 0;
  double difficulty = 0.5;
  std::int64_t input_tokens = 0;
  sim::Time deadline = sim::Time::max();
  // The request's own output-token count (a replayed production trace),
  // passed to every call; -1 = none. Agents with output_tokens_from_request
  // produce exactly this many.
  std::int64_t output_tokens = -1;
};

namespace detail {
class Engine;
}

class Orchestrator {
 public:
  // `workflow` must validate, and its routing policies must build (each
  // node's policy is made fresh for this orchestrator through its factory);
  // throws std::invalid_argument listing every problem otherwise. `agents`
  // are borrowed and must outlive this; so must `workflow`.
  Orchestrator(sim::Simulation& sim, const sim::RandomSource& rng, const Workflow& workflow,
               std::vector<mock_agents::Agent*> agents, OrchestratorConfig config);
  ~Orchestrator();
  Orchestrator(const Orchestrator&) = delete;
  Orchestrator& operator=(const Orchestrator&) = delete;

  // Attach after the observer is fully set up (an ObserverList with all its
  // members): whether to build decision explanations is decided here.
  void set_observer(Observer* observer);

  // A request arrives now.
  void submit(const RequestInput& request);

  std::uint64_t arrived() const;
  std::uint64_t completed() const;
  std::uint64_t failed() const;
  std::uint64_t in_flight() const { return arrived() - completed() - failed(); }
  std::uint64_t calls_in_flight() const;
  const std::vector<AgentSignals>& signals() const;
  const RetryBudget& retry_budget() const;
  const CircuitBreaker* breaker(AgentIndex agent) const;

 private:
  std::unique_ptr<detail::Engine> engine_;
};

}  // namespace orchsim::orchestration
