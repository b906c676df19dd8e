// Routing policies: who gets the current context next. This header is the
// manual for writing one; docs/policies.md walks through examples in C++ and
// Python and explains which signals a real router has and which it does not.
//
// A policy serves one call node of one run. The orchestrator asks it for a
// choice every time the node needs an agent (a first attempt, a retry, a
// routed hedge, a cascade's next tier) and tells it how every attempt it
// chose ended, and how every request ended:
//
//   class FastestSoFar final : public RoutingPolicy {
//    public:
//     Choice choose(const DecisionContext& ctx) override {
//       std::size_t best = 0;
//       for (std::size_t i = 1; i < ctx.size(); ++i)
//         if (ctx[i].eligible() && ctx[i].ewma_latency_ms() < ctx[best].ewma_latency_ms()) best =
//         i;
//       return {.candidate = best};               // deterministic: probability 1
//     }
//     void observe(const AttemptOutcome& o) override { /* learn from every attempt */ }
//   };
//   PolicyRegistry::global().add({.name = "fastest_so_far", .summary = "..."},
//       [](PolicyParams& p, const NodeSpec&) { p.finish(); return std::make_unique<FastestSoFar>();
//       });
//
// and a scenario node says `"routing": {"policy": "fastest_so_far", "params": {...}}`.
//
// Contract:
//  - choose() returns a candidate index in [0, ctx.size()) and the probability
//    with which it picked that candidate (its propensity: 1 for a
//    deterministic policy), in (0, 1]. Anything else stops the run with a
//    message naming the policy, the node and the request; the one exception
//    is a NaN probability while !ctx.explain() (a policy whose propensity is
//    costly may skip it when nobody records it: thompson does). It should not pick
//    an ineligible candidate (open breaker) while an eligible one exists; the
//    orchestrator lets it, and the call is then rejected by the breaker.
//  - Randomness comes only from ctx.random(): a stream keyed by (request,
//    node, visit, attempt), so runs are reproducible and two policies compared
//    on one seed face the same world (common random numbers). Never use
//    std::rand, std::random_device or a clock.
//  - observe() is called once for every attempt the policy chose, when it
//    ends: success, invalid (a validator caught a silent failure), error,
//    timeout, or cancelled (a hedge that lost, a step that ended). A failure
//    is an outcome to learn from, not a missing one.
//  - accepts() is asked about every successful answer of an attempt the
//    policy chose; returning false declines it and the step asks choose()
//    again with kind kCascade (cheap-first cascades, FrugalGPT).
//  - request_finished() is called once for every request that visited the
//    node, when the request ends (in any way).
//  - hooks() may leave out the three calls above that a policy does not
//    override (hooks_of<T>() finds them): they are then not made at all.
//  - Fields marked ORACLE are the simulator's ground truth. A deployed router
//    never sees them: use them for upper bounds and for evaluation, not in a
//    policy you mean to compare with realistic ones.
//  - One policy object serves one node of one run, on one thread: no locking.
//    Replications and sweeps build fresh objects through the factory.
//
// Reasons: a choice may say why, for the request log and the explorer. Give
// a format and its values; they are formatted only for the few requests a
// log writes out, so a reason costs a few stores, not fmt's work:
//
//   return {.candidate = c,
//           .reason = Reason::format("cheapest with EWMA confidence >= {}", min_confidence_)};
//
// A text still works: a literal (`.reason = "first eligible"`) or a
// std::string the policy keeps until its next choose() (`.reason = reason_`).
//
// Cost: a decision builds no strings and allocates nothing unless
// ctx.explain() is true (someone logs the reasons and scores), and then only
// its scores cost real work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/circuit_breaker.hpp"
#include "orchestration/events.hpp"
#include "orchestration/reason.hpp"
#include "orchestration/workflow.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration {

// What the orchestrator has learned about an agent from its calls (all
// nodes): exponentially weighted moving averages with the scenario's
// resilience.ewma_alpha. Latency, cost and confidence follow answered calls
// and errors (timeouts excluded, for compatibility with earlier results);
// the error rate follows every ended call, timeouts included.
struct AgentSignals {
  double ewma_latency_ms = 0.0;
  double ewma_confidence = 1.0;  // optimistic until observed; successes only
  double ewma_cost_usd = 0.0;
  double ewma_error_rate = 0.0;   // share of failed calls (error, invalid excluded, timeout)
  std::uint64_t samples = 0;      // calls that updated the latency average
  std::uint32_t outstanding = 0;  // this orchestrator's calls in flight to it
};

class DecisionContext;

// One candidate agent as a router can see it, at decision time. A view into
// the orchestrator's state: valid only during choose().
class Candidate {
 public:
  AgentIndex agent() const;  // index among the scenario's agents
  std::string_view name() const;
  bool eligible() const;         // false while its circuit breaker is open
  BreakerState breaker() const;  // kClosed when the scenario has no breakers
  // Load, as a load balancer observes it.
  std::uint32_t in_flight() const;  // this orchestrator's calls to it, not yet ended
  std::uint32_t in_service() const;
  std::uint32_t queued() const;
  std::uint32_t servers() const;
  // Learned from its ended calls (AgentSignals).
  double ewma_latency_ms() const;
  double ewma_error_rate() const;
  double ewma_confidence() const;
  double ewma_cost_usd() const;
  std::uint64_t observations() const;
  // Published facts.
  double usd_per_1k_input_tokens() const;
  double usd_per_1k_output_tokens() const;
  std::int64_t context_window_tokens() const;
  // Share of its rate limits' buckets available now, in [0, 1]; 1 without limits.
  double rate_limit_headroom() const;

 private:
  friend class DecisionContext;
  Candidate(const DecisionContext& ctx, std::size_t i) : ctx_(&ctx), i_(i) {}
  const DecisionContext* ctx_;
  std::size_t i_;
};

// The step before this one on the same flow (the same branch).
struct PreviousStep {
  bool exists = false;
  bool failed = false;
  ErrorKind error = ErrorKind::kNone;
  std::uint32_t label = 0;  // output class index of the agent that answered
  double confidence = 0.0;
  bool verdict_pass = false;  // of a judge or critic
};

// Everything a real router could know when it decides, plus a random stream.
class DecisionContext {
 public:
  // The request.
  sim::Time now;
  RequestId request = 0;
  std::uint32_t class_index = 0;
  std::uint32_t class_count = 1;
  std::int64_t input_tokens = 0;    // the request's query
  std::int64_t context_tokens = 0;  // the flow's context now, before fitting
  sim::Time deadline = sim::Time::max();
  double cost_usd = 0.0;  // money spent on the request so far
  // The step.
  NodeId node = kNoNode;
  std::string_view node_name;
  std::uint32_t visit = 1;                 // 1 on the request's first visit of the node
  std::uint32_t attempt = 0;               // attempts this step has started so far
  AttemptKind kind = AttemptKind::kFirst;  // kFirst, kRetry, kHedge or kCascade
  std::uint32_t escalations = 0;           // answers declined by accepts() in this step
  PreviousStep previous;

  sim::Duration time_left() const {
    return deadline == sim::Time::max() ? sim::Duration::max() : deadline - now;
  }
  std::size_t size() const { return candidates_ ? candidates_->size() : 0; }
  Candidate operator[](std::size_t i) const { return Candidate(*this, i); }
  // The decision's own random stream; made on first use.
  sim::RandomStream& random() const;
  // Another stream of this decision, independent of random() and of every
  // other draw: for work that must not change the simulation when it is
  // done or skipped (estimating a propensity only when explaining).
  sim::RandomStream side_stream(std::string_view purpose) const;
  // Whether someone reads reasons and scores: build them only then.
  bool explain() const { return explain_; }

  // --- Set by the orchestrator -----------------------------------------------
  struct Sources {
    const std::vector<AgentIndex>* candidates = nullptr;
    const std::vector<bool>* eligible = nullptr;  // per candidate
    const std::vector<mock_agents::Agent*>* agents = nullptr;
    const std::vector<AgentSignals>* signals = nullptr;
    const std::vector<const CircuitBreaker*>* breakers = nullptr;  // per agent, or empty
    const sim::RandomSource* rng = nullptr;
    std::uint32_t stream_variant = 0;  // 0 for a first attempt, 1 otherwise
    std::uint64_t scope = 0;           // the sub-workflow run deciding (CallRequest::scope)
  };
  void set_sources(const Sources& s, bool explain) {
    candidates_ = s.candidates;
    sources_ = s;
    explain_ = explain;
    stream_.reset();
  }
  // A context kept for one node's decisions: set_sources() once, then this
  // before each decision, with what changes between them.
  void next_decision(const std::vector<bool>* eligible, std::uint32_t stream_variant,
                     std::uint64_t scope) {
    sources_.eligible = eligible;
    sources_.stream_variant = stream_variant;
    sources_.scope = scope;
    stream_.reset();
  }

 private:
  friend class Candidate;
  const std::vector<AgentIndex>* candidates_ = nullptr;
  Sources sources_;
  bool explain_ = false;
  mutable std::optional<sim::RandomStream> stream_;
};

// Inline: policies read these for every candidate of every decision.
inline AgentIndex Candidate::agent() const { return (*ctx_->candidates_)[i_]; }
inline std::string_view Candidate::name() const {
  return (*ctx_->sources_.agents)[agent()]->name();
}
inline bool Candidate::eligible() const { return (*ctx_->sources_.eligible)[i_]; }
inline BreakerState Candidate::breaker() const {
  const auto& b = *ctx_->sources_.breakers;
  return b.empty() ? BreakerState::kClosed : b[agent()]->state();
}
inline std::uint32_t Candidate::in_flight() const {
  return (*ctx_->sources_.signals)[agent()].outstanding;
}
inline std::uint32_t Candidate::in_service() const {
  return (*ctx_->sources_.agents)[agent()]->in_service();
}
inline std::uint32_t Candidate::queued() const {
  return (*ctx_->sources_.agents)[agent()]->queued();
}
inline std::uint32_t Candidate::servers() const {
  return (*ctx_->sources_.agents)[agent()]->servers();
}
inline double Candidate::ewma_latency_ms() const {
  return (*ctx_->sources_.signals)[agent()].ewma_latency_ms;
}
inline double Candidate::ewma_error_rate() const {
  return (*ctx_->sources_.signals)[agent()].ewma_error_rate;
}
inline double Candidate::ewma_confidence() const {
  return (*ctx_->sources_.signals)[agent()].ewma_confidence;
}
inline double Candidate::ewma_cost_usd() const {
  return (*ctx_->sources_.signals)[agent()].ewma_cost_usd;
}
inline std::uint64_t Candidate::observations() const {
  return (*ctx_->sources_.signals)[agent()].samples;
}
inline double Candidate::usd_per_1k_input_tokens() const {
  return (*ctx_->sources_.agents)[agent()]->usd_per_1k_input_tokens();
}
inline double Candidate::usd_per_1k_output_tokens() const {
  return (*ctx_->sources_.agents)[agent()]->usd_per_1k_output_tokens();
}
inline std::int64_t Candidate::context_window_tokens() const {
  return (*ctx_->sources_.agents)[agent()]->context_window_tokens();
}
inline double Candidate::rate_limit_headroom() const {
  return (*ctx_->sources_.agents)[agent()]->rate_limit_headroom(ctx_->now);
}

// A policy's answer.
struct Choice {
  std::size_t candidate = 0;  // index into the DecisionContext's candidates
  double probability = 1.0;   // with which it was picked (propensity), in (0, 1]
  // Optional, for the decision and request logs: one score per candidate
  // (policy-owned storage, valid until the next call), and a reason: best a
  // Reason::format("...", values...) (formatted only if the request is
  // written out), or a text valid until the next call (reason.hpp).
  std::span<const double> scores = {};
  Reason reason = {};
};

// How one attempt the policy chose ended.
struct AttemptOutcome {
  sim::Time at;
  RequestId request = 0;
  std::uint32_t class_index = 0;
  std::int64_t request_input_tokens = 0;  // the request's query, as in DecisionContext
  NodeId node = kNoNode;
  std::uint64_t decision = 0;  // the RoutingDecision::id that chose it
  std::size_t candidate = 0;
  AgentIndex agent = 0;
  std::uint32_t attempt = 0;
  AttemptKind kind = AttemptKind::kFirst;
  std::uint32_t escalations = 0;
  CallEnd end = CallEnd::kSuccess;
  ErrorKind error = ErrorKind::kNone;  // for kError
  sim::Duration latency;               // from the call's start to its end
  sim::Duration queue_wait;
  std::int64_t input_tokens = 0, output_tokens = 0;
  double cost_usd = 0.0;
  // What the output showed (kSuccess and kInvalid only).
  double confidence = 0.0;
  std::uint32_t label = 0;
  bool verdict_pass = false;
  // ORACLE: the true quality of the output and whether it was a silent failure.
  double oracle_quality = 0.0;
  bool oracle_silent_failure = false;

  bool ok() const { return end == CallEnd::kSuccess; }
};

// How a request that visited the node ended.
struct RequestOutcome {
  sim::Time at;
  RequestId request = 0;
  std::uint32_t class_index = 0;
  bool success = false;
  std::string_view outcome;  // the terminal's outcome, or the failure cause
  sim::Duration latency;
  double cost_usd = 0.0;
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::uint32_t calls = 0;
  // The last judge or critic verdict on the request's main path, if any.
  bool judged = false;
  bool verdict_pass = false;
  double answer_confidence = 0.0;  // what the orchestrator saw of its answer
  // ORACLE: the true quality of the answer (0 on failure), and whether it was
  // an undetected silent failure.
  double oracle_quality = 0.0;
  bool oracle_silent_failure = false;
};

// Which of a policy's optional calls the orchestrator makes (see hooks()).
struct PolicyHooks {
  bool observe = true;
  bool accepts = true;
  bool request_finished = true;
  // The policy always chooses the first eligible candidate (the first of all
  // when none is), with probability 1, whatever else the context holds: the
  // built-in `static`. The orchestrator may then choose for it without
  // building the DecisionContext or calling choose() (about 80 instructions
  // a decision), when no observer reads the context and none wants
  // explanations. Only for a policy whose choose() has no side effects.
  bool first_eligible = false;
};

class RoutingPolicy {
 public:
  virtual ~RoutingPolicy() = default;
  virtual Choice choose(const DecisionContext& ctx) = 0;
  virtual void observe(const AttemptOutcome&) {}
  virtual bool accepts(const AttemptOutcome&) { return true; }
  virtual void request_finished(const RequestOutcome&) {}
  // Which of observe(), accepts() and request_finished() to call. Asked once,
  // when the node is set up; for a call left out the orchestrator builds no
  // outcome (about 200 instructions an attempt).
  // The default, all three, is always right. A final class can let the
  // compiler name exactly the ones it overrides, so the answer cannot drift:
  //   PolicyHooks hooks() const override { return hooks_of<MyPolicy>(); }
  virtual PolicyHooks hooks() const { return {}; }
};

// The calls a final policy class overrides (its handlers must be public, as
// RoutingPolicy's are): &T::observe has RoutingPolicy's own member type when T
// inherits the no-op.
template <class T>
constexpr PolicyHooks hooks_of() {
  static_assert(std::is_final_v<T>, "a derived class could override what T does not");
  return {.observe = !std::is_same_v<decltype(&T::observe), decltype(&RoutingPolicy::observe)>,
          .accepts = !std::is_same_v<decltype(&T::accepts), decltype(&RoutingPolicy::accepts)>,
          .request_finished = !std::is_same_v<decltype(&T::request_finished),
                                              decltype(&RoutingPolicy::request_finished)>};
}

}  // namespace orchsim::orchestration
