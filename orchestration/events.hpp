// Typed observer events: everything the orchestrator does, as it happens.
//
// Metrics, the decision log, traces and tests learn what happened only
// through these. An orchestrator with no observer attached builds none of
// them (one pointer test per site), so observers cost nothing when absent.
//
//   class MyObserver : public Observer {
//     void on_call_ended(const CallEnded& e) override { latencies.add(e.duration); }
//   };
//   orchestrator.set_observer(&my_observer);
//
// Events are passed by reference and valid only during the call; string
// views point into the workflow and live as long as it does.
//
// Nesting: `flow` numbers a request's lines of execution (0 its main path;
// fan-out branches and sub-workflow invocations get the next numbers, see
// FlowDecision and SubWorkflowStarted), and `invocation` names the
// sub-workflow invocation an event happened in (0: the top level), so a
// request's events rebuild into a tree at any depth.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/circuit_breaker.hpp"
#include "orchestration/context.hpp"
#include "orchestration/reason.hpp"
#include "orchestration/workflow.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration {

using mock_agents::ErrorKind;
using RequestId = std::uint64_t;

struct RequestArrived {
  sim::Time at;
  RequestId request;
  std::uint32_t class_index;
  std::int64_t input_tokens;
  sim::Time deadline;
};

// How a request ended. `outcome` names it: the terminal's outcome on
// success, or a failure cause (an error kind, "deadline_exceeded",
// "loop_exhausted", "join_failed", a failure terminal's name).
struct RequestFinished {
  sim::Time at;
  RequestId request;
  std::uint32_t class_index;
  bool success;
  std::string_view outcome;
  sim::Duration latency;
  double quality;              // true answer quality (ground truth), 0 on failure
  bool answer_silent_failure;  // the answer came from an undetected silent failure
  double cost_usd;
  std::int64_t input_tokens;
  std::int64_t output_tokens;
  std::uint32_t calls, retries, hedges, timeouts, fallbacks, redirects;
};

enum class AttemptKind : std::uint8_t {
  kFirst,
  kRetry,
  kHedge,
  kFallback,
  kRedirect,
  kDecompose,
  kCascade,
  kSummarize
};
std::string_view to_string(AttemptKind kind);

enum class CallEnd : std::uint8_t {
  kSuccess,    // accepted
  kInvalid,    // answered, but a validator rejected it
  kError,      // explicit error
  kTimeout,    // the attempt timeout or the request deadline fired; the call was cancelled
  kCancelled,  // lost a race (hedge, redirect) or its step ended: cancelled
};
std::string_view to_string(CallEnd end);
// Whether a call that ended so produced an answer: one accepted, or one a
// validator rejected. Only then do an output's quality, confidence, label,
// verdict and silent flag exist; every event reports them as 0 and false for
// the other ends (an error carries no output, a cancelled call none yet).
// The one definition the orchestrator, the invocations and the choreographer
// share, so that no two of them disagree on what an errored call scored.
constexpr bool produced_answer(CallEnd end) {
  return end == CallEnd::kSuccess || end == CallEnd::kInvalid;
}

struct CallStarted {
  sim::Time at;
  RequestId request;
  NodeId node;
  AgentIndex agent;
  std::uint32_t attempt;  // per step, counting retries, hedges and fallbacks
  mock_agents::CallId call;
  AttemptKind kind;
  std::int64_t input_tokens;
  std::uint64_t decision = 0;    // the RoutingDecision::id that chose it; 0 when not routed
  std::uint32_t flow = 0;        // the request's flow that made it
  std::uint32_t invocation = 0;  // the sub-workflow invocation it is in; 0: the top level
};

struct CallEnded {
  sim::Time at;
  RequestId request;
  NodeId node;
  AgentIndex agent;
  std::uint32_t attempt;
  mock_agents::CallId call;
  AttemptKind kind;
  CallEnd end;
  ErrorKind error;
  sim::Time started;
  sim::Duration duration;
  sim::Duration queue_wait;
  std::int64_t input_tokens;
  std::int64_t output_tokens;
  double cost_usd;
  // Of its answer; 0, 0 and false unless produced_answer(end).
  double quality;              // ground truth
  double confidence;           // what the orchestrator saw
  bool silent;                 // ground truth: a silent failure
  std::uint64_t decision = 0;  // as in CallStarted
  std::uint32_t flow = 0;
  std::uint32_t invocation = 0;
  // Its output was not needed: it lost a race to an attempt of the same step
  // that succeeded (a hedge, a redirect), or, in a choreography, its request
  // had already completed or its output repeated a publication already made
  // for the request (choreographer.hpp). Duplicated work.
  bool redundant = false;
  // It caught a silent failure: a validator rejected its silent output, or,
  // judging an answer that was a silent failure, its verdict failed it.
  bool caught_silent = false;
};

// A call node that runs a sub-workflow started one attempt of it: an
// invocation, with its own main flow (`root_flow`, entered from `node`).
// Everything that happens inside carries `invocation`; it ends exactly once
// (SubWorkflowEnded), before its request does.
struct SubWorkflowStarted {
  sim::Time at;
  RequestId request;
  NodeId node;  // the calling node
  SubWorkflowIndex sub_workflow;
  std::uint32_t attempt;  // per step, as a call's
  AttemptKind kind;       // kFirst, kRetry or kHedge
  std::uint32_t invocation;
  std::uint32_t parent;  // the caller's invocation; 0: the top level
  std::uint32_t flow;    // the caller's flow
  std::uint32_t root_flow;
  std::int64_t input_tokens;  // the context it was given
  sim::Time deadline;         // its limit: the caller's and its own; Time::max(): none
};

// How an invocation ended, as a call would (success, invalid, error, timeout,
// cancelled), with `outcome` its terminal's outcome or its failure cause. Its
// calls were billed as they ended: calls, tokens and cost here are their sums
// (nested invocations included), to read, never to add to a request's.
struct SubWorkflowEnded {
  sim::Time at;
  RequestId request;
  NodeId node;
  SubWorkflowIndex sub_workflow;
  std::uint32_t attempt;
  AttemptKind kind;
  std::uint32_t invocation;
  std::uint32_t parent;
  CallEnd end;
  ErrorKind error;
  std::string_view outcome;
  sim::Time started;
  sim::Duration duration;
  std::uint32_t calls;
  std::int64_t input_tokens;  // of its calls
  std::int64_t output_tokens;
  double cost_usd;
  double quality;     // what it returned (ground truth)
  double confidence;  // what the caller saw
  bool silent;
};

struct RoutingCandidate {
  AgentIndex agent;
  double score;   // the policy's score for it (lower or higher is better: see reason)
  bool eligible;  // false: its breaker is open
};

class DecisionContext;

// A routing policy chose an agent. `id` numbers the decisions of a run from
// 1; the calls it started carry it (CallStarted::decision), so outcomes join
// to decisions. `candidates` and `reason` are filled only for observers that
// want explanations.
struct RoutingDecision {
  sim::Time at;
  RequestId request;
  NodeId node;
  std::string_view policy;
  const std::vector<RoutingCandidate>* candidates;  // the inputs looked at
  AgentIndex choice;
  Reason reason;  // a view: valid during the call (reason.hpp says what to keep)
  std::uint64_t id = 0;
  double probability = 1.0;                // the propensity of the choice (NaN: not estimated)
  AttemptKind kind = AttemptKind::kFirst;  // what the choice is for
  // What the policy saw (valid during the call). Null when no attached
  // observer reads it (reads_decision_context()) and the policy's choice
  // needed no context (PolicyHooks::first_eligible).
  const DecisionContext* context = nullptr;
  std::uint32_t visit = 1;  // the node's visit by the request (1: the first), as the context's
};

// The request (one of its branches) moves along an edge of the workflow.
// `from` is kNoNode for the entry, and the calling node for a sub-workflow
// invocation's entry.
struct NodeEntered {
  sim::Time at;
  RequestId request;
  NodeId from;
  NodeId to;
  std::uint32_t flow = 0;
  std::uint32_t invocation = 0;
};

// A gate's choice, or a join's, or a loop bound: the non-agent routing. A
// fan-out's names the branches it started: flows first_branch,
// first_branch + 1, ..., of `branches`, children of `flow`.
struct FlowDecision {
  sim::Time at;
  RequestId request;
  NodeId node;
  NodeId next;
  Reason reason;  // a view: valid during the call (reason.hpp says what to keep)
  std::uint32_t flow = 0;
  std::uint32_t invocation = 0;
  std::uint32_t first_branch = 0;
  std::uint32_t branches = 0;
};

struct RetryScheduled {
  sim::Time at;
  RequestId request;
  NodeId node;
  AgentIndex agent;
  std::uint32_t next_attempt;
  sim::Duration delay;
  ErrorKind after_error;  // kNone after a timeout or an invalid output
  CallEnd after;
};

struct HedgeLaunched {
  sim::Time at;
  RequestId request;
  NodeId node;
  AgentIndex agent;
  std::uint32_t attempt;
};

struct BreakerChanged {
  sim::Time at;
  AgentIndex agent;
  BreakerState from;
  BreakerState to;
};

struct ContextFitted {
  sim::Time at;
  RequestId request;
  NodeId node;
  AgentIndex agent;
  FitPolicy policy;
  std::int64_t tokens_before;
  std::int64_t tokens_after;
  double retained;
  std::uint32_t segments_dropped;
  bool summarized;
};

struct BudgetExhausted {
  enum class Kind : std::uint8_t { kRetryBudget, kDeadline, kLoopBound, kBreakerOpen };
  sim::Time at;
  RequestId request;
  NodeId node;
  Kind kind;
};

// The kinds of event, in the order of Observer's handlers below: what
// ObserverList keeps a list of observers for, and what a forwarder that
// copies events (eval/observer_thread.hpp) tags them with.
enum class EventKind : std::uint8_t {
  kRequestArrived,
  kRequestFinished,
  kCallStarted,
  kCallEnded,
  kRoutingDecision,
  kNodeEntered,
  kFlowDecision,
  kRetryScheduled,
  kHedgeLaunched,
  kBreakerChanged,
  kContextFitted,
  kBudgetExhausted,
  kSubWorkflowStarted,
  kSubWorkflowEnded,
};
inline constexpr std::size_t kEventKinds = 14;
static_assert(static_cast<std::size_t>(EventKind::kSubWorkflowEnded) + 1 == kEventKinds,
              "a new kind of event: count it in kEventKinds");

class Observer {
 public:
  virtual ~Observer() = default;
  // Whether this observer reads the reasons and candidate scores of decisions.
  // Scores cost the policies work on every decision and reasons a few stores
  // (they are formatted only when read: Reason::text()), so the orchestrator
  // builds them only when some observer says yes.
  virtual bool wants_explanations() const { return false; }
  // Whether on_routing_decision() reads the event's DecisionContext. Yes
  // unless said otherwise: when no observer does, a `static` node's decision
  // is made without building one.
  virtual bool reads_decision_context() const { return true; }
  virtual void on_request_arrived(const RequestArrived&) {}
  virtual void on_request_finished(const RequestFinished&) {}
  virtual void on_call_started(const CallStarted&) {}
  virtual void on_call_ended(const CallEnded&) {}
  virtual void on_routing_decision(const RoutingDecision&) {}
  virtual void on_node_entered(const NodeEntered&) {}
  virtual void on_flow_decision(const FlowDecision&) {}
  virtual void on_retry_scheduled(const RetryScheduled&) {}
  virtual void on_hedge_launched(const HedgeLaunched&) {}
  virtual void on_breaker_changed(const BreakerChanged&) {}
  virtual void on_context_fitted(const ContextFitted&) {}
  virtual void on_budget_exhausted(const BudgetExhausted&) {}
  virtual void on_sub_workflow_started(const SubWorkflowStarted&) {}
  virtual void on_sub_workflow_ended(const SubWorkflowEnded&) {}
};

// Forwards every event to several observers, in the order added.
//
// Each event goes only to the observers that handle it: an observer whose
// class is final and does not override a handler inherits the no-op, so it is
// left out of that event's list (found at compile time from its static type,
// nothing to declare). Observers added through a pointer to a non-final class
// (a class derived from it may override what it does not) get every event.
// A final observer's handlers must be public (as Observer's are): add() names
// them to find out which it overrides.
//
// Add every observer before handing the list to an orchestrator: it asks
// once, in set_observer(), whether any wants explanations or reads decision
// contexts, and an observer added later would miss them.
class ObserverList final : public Observer {
 public:
  template <class T>
  void add(T* o) {
    static_assert(std::is_base_of_v<Observer, T>);
    all_.push_back(o);
    add_if<T>(EventKind::kRequestArrived, o, &T::on_request_arrived, &Observer::on_request_arrived);
    add_if<T>(EventKind::kRequestFinished, o, &T::on_request_finished,
              &Observer::on_request_finished);
    add_if<T>(EventKind::kCallStarted, o, &T::on_call_started, &Observer::on_call_started);
    add_if<T>(EventKind::kCallEnded, o, &T::on_call_ended, &Observer::on_call_ended);
    add_if<T>(EventKind::kRoutingDecision, o, &T::on_routing_decision,
              &Observer::on_routing_decision);
    add_if<T>(EventKind::kNodeEntered, o, &T::on_node_entered, &Observer::on_node_entered);
    add_if<T>(EventKind::kFlowDecision, o, &T::on_flow_decision, &Observer::on_flow_decision);
    add_if<T>(EventKind::kRetryScheduled, o, &T::on_retry_scheduled, &Observer::on_retry_scheduled);
    add_if<T>(EventKind::kHedgeLaunched, o, &T::on_hedge_launched, &Observer::on_hedge_launched);
    add_if<T>(EventKind::kBreakerChanged, o, &T::on_breaker_changed, &Observer::on_breaker_changed);
    add_if<T>(EventKind::kContextFitted, o, &T::on_context_fitted, &Observer::on_context_fitted);
    add_if<T>(EventKind::kBudgetExhausted, o, &T::on_budget_exhausted,
              &Observer::on_budget_exhausted);
    add_if<T>(EventKind::kSubWorkflowStarted, o, &T::on_sub_workflow_started,
              &Observer::on_sub_workflow_started);
    add_if<T>(EventKind::kSubWorkflowEnded, o, &T::on_sub_workflow_ended,
              &Observer::on_sub_workflow_ended);
  }
  bool empty() const { return all_.empty(); }
  // Whether an observer added handles events of this kind.
  bool handles(EventKind kind) const { return !list(kind).empty(); }
  bool reads_decision_context() const override {
    for (const Observer* o : list(EventKind::kRoutingDecision)) {
      if (o->reads_decision_context()) return true;
    }
    return false;
  }
  bool wants_explanations() const override {
    for (const Observer* o : all_) {
      if (o->wants_explanations()) return true;
    }
    return false;
  }
  void on_request_arrived(const RequestArrived& e) override {
    for (auto* o : list(EventKind::kRequestArrived)) o->on_request_arrived(e);
  }
  void on_request_finished(const RequestFinished& e) override {
    for (auto* o : list(EventKind::kRequestFinished)) o->on_request_finished(e);
  }
  void on_call_started(const CallStarted& e) override {
    for (auto* o : list(EventKind::kCallStarted)) o->on_call_started(e);
  }
  void on_call_ended(const CallEnded& e) override {
    for (auto* o : list(EventKind::kCallEnded)) o->on_call_ended(e);
  }
  void on_routing_decision(const RoutingDecision& e) override {
    for (auto* o : list(EventKind::kRoutingDecision)) o->on_routing_decision(e);
  }
  void on_node_entered(const NodeEntered& e) override {
    for (auto* o : list(EventKind::kNodeEntered)) o->on_node_entered(e);
  }
  void on_flow_decision(const FlowDecision& e) override {
    for (auto* o : list(EventKind::kFlowDecision)) o->on_flow_decision(e);
  }
  void on_retry_scheduled(const RetryScheduled& e) override {
    for (auto* o : list(EventKind::kRetryScheduled)) o->on_retry_scheduled(e);
  }
  void on_hedge_launched(const HedgeLaunched& e) override {
    for (auto* o : list(EventKind::kHedgeLaunched)) o->on_hedge_launched(e);
  }
  void on_breaker_changed(const BreakerChanged& e) override {
    for (auto* o : list(EventKind::kBreakerChanged)) o->on_breaker_changed(e);
  }
  void on_context_fitted(const ContextFitted& e) override {
    for (auto* o : list(EventKind::kContextFitted)) o->on_context_fitted(e);
  }
  void on_budget_exhausted(const BudgetExhausted& e) override {
    for (auto* o : list(EventKind::kBudgetExhausted)) o->on_budget_exhausted(e);
  }
  void on_sub_workflow_started(const SubWorkflowStarted& e) override {
    for (auto* o : list(EventKind::kSubWorkflowStarted)) o->on_sub_workflow_started(e);
  }
  void on_sub_workflow_ended(const SubWorkflowEnded& e) override {
    for (auto* o : list(EventKind::kSubWorkflowEnded)) o->on_sub_workflow_ended(e);
  }

 private:
  // &T::handler has the type of a pointer to a member of the class that
  // declares it: Observer's own type means T inherits the no-op.
  template <class T, class Handler, class Default>
  void add_if(EventKind kind, Observer* o, Handler, Default) {
    if (!std::is_final_v<T> || !std::is_same_v<Handler, Default>) lists_[index(kind)].push_back(o);
  }
  static constexpr std::size_t index(EventKind kind) { return static_cast<std::size_t>(kind); }
  const std::vector<Observer*>& list(EventKind kind) const { return lists_[index(kind)]; }

  std::vector<Observer*> all_;
  std::array<std::vector<Observer*>, kEventKinds> lists_;  // by EventKind
};

}  // namespace orchsim::orchestration
