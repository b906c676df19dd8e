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
// Cost: O(1) amortised per event; requests, steps and attempts live in pools
// reused across requests. Not thread-safe: one orchestrator per simulation.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/circuit_breaker.hpp"
#include "orchestration/events.hpp"
#include "orchestration/retry_budget.hpp"
#include "orchestration/routing.hpp"
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
};

class Orchestrator final : public mock_agents::CallListener {
 public:
  // `workflow` must validate; `agents` are borrowed and must outlive this.
  Orchestrator(sim::Simulation& sim, const sim::RandomSource& rng, const Workflow& workflow,
               std::vector<mock_agents::Agent*> agents, OrchestratorConfig config);
  ~Orchestrator() override;
  Orchestrator(const Orchestrator&) = delete;
  Orchestrator& operator=(const Orchestrator&) = delete;

  // Attach after the observer is fully set up (an ObserverList with all its
  // members): whether to build decision explanations is decided here.
  void set_observer(Observer* observer) {
    observer_ = observer;
    explain_ = observer != nullptr && observer->wants_explanations();
  }

  // A request arrives now.
  void submit(const RequestInput& request);

  std::uint64_t arrived() const { return arrived_; }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t in_flight() const { return arrived_ - completed_ - failed_; }
  std::uint64_t calls_in_flight() const { return calls_in_flight_; }
  const std::vector<AgentSignals>& signals() const { return signals_; }
  const RetryBudget& retry_budget() const { return budget_; }
  const CircuitBreaker* breaker(AgentIndex agent) const;

  void on_call_finished(mock_agents::CallId id, std::uint64_t tag,
                        const mock_agents::CallOutcome& outcome) override;

 private:
  struct Flow;
  struct Request;
  struct Step;
  struct Attempt;
  struct JoinGroup;

  // Flow through the graph.
  void enter(std::uint32_t req, std::uint32_t flow, NodeId node);
  NodeId evaluate_gate(const Request& r, const Flow& f, const Node& node, std::string* why) const;
  void start_fan_out(std::uint32_t req, std::uint32_t flow, NodeId node);
  void branch_done(std::uint32_t req, std::uint32_t flow, bool success);
  void finish_join(std::uint32_t req, bool success, std::string_view why);
  void finish_request(std::uint32_t req, bool success, std::string_view outcome);

  // Call steps.
  void start_step(std::uint32_t req, std::uint32_t flow, NodeId node);
  std::optional<AgentIndex> route(std::uint32_t step, bool retry);
  // What one attempt sends: its input tokens and the share of the
  // information its context kept through fitting.
  struct AttemptInput {
    std::int64_t tokens = 0;
    double retained = 1.0;
  };
  void prepare_and_launch(std::uint32_t step, AgentIndex agent, AttemptKind kind);
  std::optional<AttemptInput> parallel_input(std::uint32_t step, AgentIndex agent) const;
  bool launch(std::uint32_t step, AgentIndex agent, AttemptKind kind, std::int64_t input_tokens,
              double retained, std::uint32_t variant_extra = 0);
  void arm_hedge_timer(std::uint32_t step);
  void attempt_ended(std::uint32_t attempt, CallEnd end, const mock_agents::CallOutcome* outcome);
  void on_attempt_timeout(std::uint32_t attempt);
  void step_succeeded(std::uint32_t step, const Attempt& winner, const mock_agents::CallOutcome& o);
  void step_failed(std::uint32_t step, std::string_view cause, ErrorKind error);
  void retry_or_fall_back(std::uint32_t step, CallEnd end, ErrorKind error,
                          sim::Duration retry_after);
  void on_hedge_timer(std::uint32_t step);
  void on_time_budget(std::uint32_t step);
  void cancel_attempt(std::uint32_t attempt, CallEnd as);
  void end_step(std::uint32_t step);
  void cancel_flow(std::uint32_t req, std::uint32_t flow);

  // Pools.
  std::uint32_t new_request();
  std::uint32_t new_step();
  std::uint32_t new_attempt();
  bool validator_flags(const Step& s, const Attempt& a, const mock_agents::CallOutcome& o);
  void record_signals(AgentIndex agent, const mock_agents::CallOutcome& o, bool success);
  sim::RandomStream step_stream(const Step& s, std::string_view purpose) const;

  sim::Simulation& sim_;
  sim::RandomSource rng_;
  const Workflow& workflow_;
  std::vector<mock_agents::Agent*> agents_;
  OrchestratorConfig config_;
  Observer* observer_ = nullptr;
  bool explain_ = false;  // build reasons and candidate scores for decisions
  // A reason string only when someone reads it.
  template <class... Args>
  std::string explain(fmt::format_string<Args...> format, Args&&... args) const {
    return explain_ ? fmt::format(format, std::forward<Args>(args)...) : std::string();
  }

  std::vector<std::unique_ptr<RoutingPolicy>> routing_;  // per node (call nodes only)
  // The policies the orchestrator itself treats specially, resolved once per
  // node so the per-call path compares a byte, not a policy name.
  enum class RouteKind : std::uint8_t { kOther, kCascade, kLinUcb };
  std::vector<RouteKind> route_kind_;  // per node
  // Per node, a mask with every candidate eligible: what routing reads when
  // no candidate's breaker is open.
  std::vector<std::vector<bool>> all_eligible_;
  std::vector<AgentSignals> signals_;
  std::vector<std::unique_ptr<CircuitBreaker>> breakers_;  // per agent, or empty
  RetryBudget budget_;

  std::vector<Request> requests_;
  std::vector<std::uint32_t> free_requests_;
  std::vector<Step> steps_;
  std::vector<std::uint32_t> free_steps_;
  std::vector<Attempt> attempts_;
  std::vector<std::uint32_t> free_attempts_;

  std::uint64_t arrived_ = 0, completed_ = 0, failed_ = 0;
  std::uint64_t calls_in_flight_ = 0;
  // Scratch for decision events (only filled when explaining) and routing
  // (the eligibility mask when some breaker is open).
  std::vector<RoutingCandidate> scratch_candidates_;
  std::string scratch_reason_;
  std::vector<bool> scratch_eligible_;
};

}  // namespace orchsim::orchestration
