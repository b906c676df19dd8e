// Internal to the orchestrator (orchestrator.hpp is the public face): the
// engine that walks each request through the workflow. Its work is split by
// concern, one file each:
//
//   engine.cpp       construction, requests arriving and ending, policies
//   flow_walk.cpp    the graph walk: entering nodes, gates, fan-out and joins
//                    at any depth, cancelling flows
//   invocation.cpp   sub-workflow invocations: one attempt of a call step that
//                    runs a sub-workflow, its start, result and cancellation
//   step.cpp         a call step: context fitting, hedges, time budgets,
//                    retries and fallback, success and failure
//   attempt.cpp      one attempt: launch, the agent's answer, the timeout, and
//                    the one path that closes an attempt
//   routing_step.cpp asking the node's routing policy and telling it outcomes
//   resilience.cpp   breakers, bulkhead, retry budget, agent signals
//
// State: requests, steps and attempts live in SlotPools and are named by
// generation-checked handles (timers and agent callbacks carry handles, so a
// stale one is ignored). A request owns its flows, join groups and
// sub-workflow invocations. A flow is in at most one step; a step has the
// attempts in `outstanding`; an attempt is an agent call or an invocation,
// whose flows belong to the same request; every attempt ends through
// close_attempt(), whether it was answered, timed out or cancelled, and
// cancelling an invocation cancels everything inside it first.
//
// Layers: a flow outside any invocation is the top level (flat workflows
// never leave it, and pay one comparison per lookup below for the others).
// Inside one, visits, the deadline, the best answer, the retry budget and the
// random keys are the invocation's.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/orchestrator.hpp"
#include "orchestration/orchestrator_state.hpp"
#include "orchestration/policy.hpp"
#include "orchestration/resilience.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::orchestration::detail {

class Engine final : public mock_agents::CallListener {
 public:
  Engine(sim::Simulation& sim, const sim::RandomSource& rng, const Workflow& workflow,
         std::vector<mock_agents::Agent*> agents, OrchestratorConfig config);
  ~Engine() override;

  void set_observer(Observer* observer);
  void submit(const RequestInput& request);
  void on_call_finished(mock_agents::CallId id, std::uint64_t tag,
                        const mock_agents::CallOutcome& outcome) override;

  std::uint64_t arrived_ = 0, completed_ = 0, failed_ = 0;
  std::uint64_t calls_in_flight_ = 0;
  // Set while a step that succeeded cancels its other attempts (CallEnded::redundant).
  bool cancelling_losers_ = false;
  Resilience res_;

 private:
  // What closes an attempt: how it ended and what it cost.
  struct Closing {
    CallEnd end = CallEnd::kSuccess;
    ErrorKind error = ErrorKind::kNone;
    sim::Duration queue_wait = sim::Duration::zero();
    std::int64_t input_tokens = 0, output_tokens = 0;
    double cost_usd = 0.0;
    const mock_agents::CallOutcome* outcome = nullptr;  // when the agent answered
    // Invocations: how it ended (its outcome or cause), and the agent of its
    // last call step (what the caller's gates read labels of).
    std::string_view cause = {};
    AgentIndex answered_by = kNoAgent;
    bool redundant = false;  // a loser of a race the step won (CallEnded::redundant)
  };
  // A routing policy's answer, resolved.
  struct Routed {
    AgentIndex agent = 0;
    std::size_t candidate = 0;
    std::uint64_t decision = 0;
  };
  struct AttemptInput {
    std::int64_t tokens = 0;
    double retained = 1.0;
  };
  struct NodePolicy {
    std::unique_ptr<RoutingPolicy> policy;
    PolicyHooks hooks;  // policy->hooks(), asked once
    std::vector<AgentIndex> candidates;
    std::vector<bool> all_eligible;
    // What the policy sees, kept per node: the node's own fields and sources
    // are set once (set_context_sources), a decision sets the rest.
    DecisionContext context;
  };
  static bool wants_request_finished(const NodePolicy& p) {
    return p.policy && p.hooks.request_finished;
  }

  // engine.cpp
  void set_context_sources();
  void finish_request(Handle<Request> req, bool success, std::string_view outcome);
  void tell_policies_request_finished(const Request& r, const RequestFinished& e);
  sim::RandomStream step_stream(const Step& s, std::string_view purpose) const;
  NodePolicy& policy_of(const Step& s) {
    return s.variant == 0 ? policies_[s.node] : revisit_policies_[s.node][s.variant - 1];
  }
  NodePolicy make_policy(NodeId node, const CallNode& c, std::vector<std::string>& problems);

  // The layer a flow runs in (engine.cpp): the top level's, or its invocation's.
  std::vector<std::uint32_t>& visits_of(Request& r, const Flow& f) {
    return f.invocation == kNone ? r.visits : r.invocations[f.invocation].visits;
  }
  std::uint32_t invocation_id(const Request& r, const Flow& f) const {
    return f.invocation == kNone ? 0 : r.invocations[f.invocation].id;
  }
  sim::Time deadline_of(const Request& r, const Flow& f) const {
    return f.invocation == kNone ? r.in.deadline : r.invocations[f.invocation].deadline;
  }
  BestAnswer& best_of(Request& r, const Flow& f) {
    return f.invocation == kNone ? r.best : r.invocations[f.invocation].best;
  }
  std::uint64_t scope_key(const Request& r, const Flow& f) const {
    return f.invocation == kNone ? 0 : r.invocations[f.invocation].key;
  }
  RetryBudget& budget_of(const Request& r, const Flow& f) {
    if (f.invocation == kNone) return res_.budget();
    RetryBudget* own = sub_budgets_[r.invocations[f.invocation].sub].get();
    return own ? *own : res_.budget();
  }
  // The context window an attempt on `agent` fits into (kNoAgent: the step's sub-workflow).
  std::int64_t window_of(AgentIndex agent, const CallNode& c) const;

  // flow_walk.cpp
  void enter(Handle<Request> req, std::uint32_t flow, NodeId node);
  void exhausted(Handle<Request> req, std::uint32_t flow, NodeId node);
  void start_fan_out(Handle<Request> req, std::uint32_t flow, NodeId node);
  void fill_branches(Handle<Request> req, std::uint32_t group, std::uint32_t generation);
  void branch_done(Handle<Request> req, std::uint32_t flow, bool success);
  void finish_join(Handle<Request> req, std::uint32_t group, bool success, const Reason& why);
  void flow_failed(Handle<Request> req, std::uint32_t flow, std::string_view cause);
  // A flow that is no branch ended: the request, or its invocation.
  void main_path_ended(Handle<Request> req, std::uint32_t flow, bool success,
                       std::string_view outcome);
  void cancel_flow(Handle<Request> req, std::uint32_t flow);
  void cancel_group(Handle<Request> req, std::uint32_t group);

  // invocation.cpp
  bool launch_invocation(Handle<Step> step, AttemptKind kind, AttemptInput input);
  std::uint32_t open_root_flow(Request& r, std::uint32_t caller, std::uint32_t invocation,
                               NodeId node, const CallNode& c);
  void tell_sub_workflow_started(const Step& s, const Attempt& a, const Invocation& inv);
  void end_invocation(Handle<Request> req, std::uint32_t invocation, bool success,
                      std::string_view outcome);
  void cancel_invocation(Handle<Request> req, std::uint32_t invocation);
  void close_invocation(Handle<Request> req, const Attempt& a, const Closing& c);
  void charge_invocations(Request& r, std::uint32_t invocation, const Closing& c);

  // step.cpp
  void start_step(Handle<Request> req, std::uint32_t flow, NodeId node);
  void prepare_and_launch(Handle<Step> step, AgentIndex agent, AttemptKind kind,
                          std::optional<Routed> routed);
  std::optional<AttemptInput> parallel_input(const Step& s, AgentIndex agent) const;
  void arm_hedge_timer(Handle<Step> step);
  void on_hedge_timer(Handle<Step> step);
  void on_time_budget(Handle<Step> step);
  void retry_or_fall_back(Handle<Step> step, CallEnd end, ErrorKind error,
                          sim::Duration retry_after);
  void schedule_retry(Handle<Step> step, CallEnd end, ErrorKind error, sim::Duration retry_after,
                      std::size_t rule);
  sim::Duration backoff_delay(Step& s, std::size_t rule, sim::Duration retry_after) const;
  void on_retry_timer(Handle<Step> step);
  void step_succeeded(Handle<Step> step, AgentIndex winner, const mock_agents::CallOutcome& o);
  void step_failed(Handle<Step> step, std::string_view cause, ErrorKind error);
  void end_step(Handle<Step> step);

  // attempt.cpp
  bool launch(Handle<Step> step, AgentIndex agent, AttemptKind kind, AttemptInput input,
              std::optional<Routed> routed = std::nullopt, std::uint32_t variant_extra = 0);
  void refused_admission(Handle<Step> step, AttemptKind kind, Resilience::Admission admission);
  // launch()'s parts on every call: defined inline in attempt.cpp, their only
  // user, so that they cost no call.
  mock_agents::CallRequest call_request(const Step& s, const Request& r, const Flow& f,
                                        std::uint32_t number, AttemptInput input,
                                        std::uint32_t variant_extra) const;
  void arm_call_timeout(Handle<Attempt> ah, Attempt& a, const CallNode& c, sim::Time deadline);
  void on_attempt_timeout(Handle<Attempt> attempt);
  void close_attempt(Handle<Attempt> attempt, const Closing& c);
  void close_call(const Step& s, const Attempt& a, const Closing& c);  // close_attempt's agent side
  void attempt_ended(Handle<Attempt> attempt, const Closing& c);
  // attempt_ended()'s cases: a summary, a decomposition's part, a cascade's decline.
  void summary_ended(Handle<Step> step, const Attempt& done, CallEnd end,
                     const mock_agents::CallOutcome& o);
  void decompose_part_ended(Handle<Step> step, AgentIndex agent, CallEnd end,
                            const mock_agents::CallOutcome& o);
  void escalate(Handle<Step> step, const mock_agents::CallOutcome& o);
  void cancel_attempt(Handle<Attempt> attempt);
  // For a node with a validator enabled: whether it rejects the answer.
  bool validator_flags(const Step& s, const Attempt& a, const mock_agents::CallOutcome& o);

  // routing_step.cpp. The callers of tell_policy() and policy_accepts() ask
  // the node's hooks first: most policies want neither, and then no
  // AttemptOutcome is built.
  std::optional<Routed> route(Handle<Step> step, AttemptKind kind);
  // Throws when the policy's choice is bad.
  void check_choice(const Step& s, const NodePolicy& np, const Choice& choice) const;
  // The policy's choice: asked of it with the context filled in, or made for
  // a first_eligible policy when nobody reads the context.
  Choice ask_policy(const Step& s, NodePolicy& np, AttemptKind kind,
                    const std::vector<bool>* eligible);
  static Choice first_eligible(const std::vector<bool>& eligible);
  void tell_policy(const Step& s, const Attempt& a, const Closing& c);
  bool policy_accepts(const Step& s, const Attempt& a, const mock_agents::CallOutcome& o);

  // Tells the observer, if any, that a budget (deadline, retries, breaker,
  // loop bound) stopped something at the node.
  void tell_budget_exhausted(const Request& r, NodeId node, BudgetExhausted::Kind kind) const {
    if (observer_) {
      observer_->on_budget_exhausted(
          {.at = sim_.now(), .request = r.in.id, .node = node, .kind = kind});
    }
  }

  // A reason only when someone reads it (formatted later, if ever).
  template <class... Args>
  Reason explain(fmt::format_string<Args...> format, Args&&... args) const {
    return explain_ ? Reason::format(format, std::forward<Args>(args)...) : Reason();
  }
  const CallNode& call_of(const Step& s) const { return *s.call; }

  sim::Simulation& sim_;
  sim::RandomSource rng_;
  const Workflow& workflow_;
  std::vector<mock_agents::Agent*> agents_;
  OrchestratorConfig config_;
  Observer* observer_ = nullptr;
  bool explain_ = false;
  // No observer reads a decision's context: a first_eligible policy's
  // decision is made without one (route()).
  bool context_unread_ = true;

  std::vector<NodePolicy> policies_;  // per node (call nodes only)
  // Per node, per on_revisit entry: the policy of that configuration.
  std::vector<std::vector<NodePolicy>> revisit_policies_;
  // Nodes whose policy, or one of whose on_revisit policies, wants request_finished().
  std::vector<NodeId> told_requests_;
  // Per sub-workflow: its own retry budget, or null (the orchestrator's).
  std::vector<std::unique_ptr<RetryBudget>> sub_budgets_;
  std::uint64_t decisions_ = 0;  // routing decisions made so far (their ids)

  SlotPool<Request> requests_;
  SlotPool<Step> steps_;
  SlotPool<Attempt> attempts_;

  // Scratch, reused: what the decision log reads.
  std::vector<RoutingCandidate> scratch_candidates_;
  std::vector<bool> scratch_eligible_;
};

}  // namespace orchsim::orchestration::detail
