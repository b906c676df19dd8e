// Internal to the orchestrator (not a public header): the state it keeps per
// request, per flow, per step and per attempt. engine.hpp explains how they
// relate; every struct resets itself for reuse from a pool (keeping buffers).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/backoff.hpp"
#include "orchestration/context.hpp"
#include "orchestration/events.hpp"
#include "orchestration/orchestrator.hpp"
#include "orchestration/slot_pool.hpp"
#include "orchestration/workflow.hpp"
#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration::detail {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct Request;
struct Step;
struct Attempt;

// The best answer so far of a request or of one sub-workflow invocation, by
// the confidence the orchestrator saw.
struct BestAnswer {
  bool has = false;
  double quality = 0.0, confidence = -1.0;
  bool silent = false;
};

// One line of execution through the graph: the request's main path, a branch
// of a fan-out (`group` names the join group it belongs to), or a
// sub-workflow invocation's path (`invocation`; branches inherit it). A flow
// that reached a fan-out waits at it (`child_group`) until its branches are
// joined.
struct FlowFields {
  bool active = false;
  NodeId node = kNoNode;
  Handle<Step> step;
  std::uint32_t id = 0;               // per request, from 0 (the main path): what events carry
  std::uint32_t group = kNone;        // the join group it is a branch of
  std::uint32_t child_group = kNone;  // the join group it waits on
  std::uint32_t invocation = kNone;   // the invocation it runs in; kNone: the top level
  double evidence = 1.0;  // quality of the evidence gathered (1: nothing to retrieve)
  double answer = 0.0;
  bool answer_silent = false;
  bool has_answer = false;
  double answer_confidence = 0.0;
  // Share of the information this flow's context has kept through every
  // fitting so far: what one step drops stays lost for the next.
  double retained = 1.0;
  // The last call step, for gates and routers.
  bool has_previous = false;
  AgentIndex last_agent = 0;
  std::uint32_t label = 0;
  bool verdict = false;
  bool judged = false;
  double confidence = 0.0;
  bool last_failed = false;
  ErrorKind last_error = ErrorKind::kNone;
  std::int64_t last_output_tokens = 0;
};

// A flow keeps its context's buffer across reuse: the plain fields reset in
// one assignment, the context is emptied in place (as Step does).
struct Flow : FlowFields {
  Context context;

  void reset() {
    static_cast<FlowFields&>(*this) = FlowFields{};
    context.clear();
  }
};

// The branches of one fan-out and how they are doing.
struct JoinGroup {
  bool active = false;
  std::uint32_t generation = 0;  // for its deadline timer
  NodeId join = kNoNode;
  NodeId fan_out = kNoNode;
  std::uint32_t parent_flow = kNone;
  std::vector<std::uint32_t> branches;  // flows, in the order they start
  std::uint32_t total = 0, done = 0, ok = 0;
  std::uint32_t started = 0;  // branches entered (max_concurrency holds back the rest)
  std::vector<double> evidence;
  std::vector<double> answers;
  std::vector<Segment> added;       // context the successful branches added
  std::size_t parent_segments = 0;  // context size when the fan-out started
  sim::EventId deadline_timer;

  void reset() {
    const std::uint32_t g = generation + 1;
    std::vector<std::uint32_t> b = std::move(branches);
    std::vector<double> e = std::move(evidence), a = std::move(answers);
    std::vector<Segment> s = std::move(added);
    b.clear();
    e.clear();
    a.clear();
    s.clear();
    *this = JoinGroup{};
    generation = g;
    branches = std::move(b);
    evidence = std::move(e);
    answers = std::move(a);
    added = std::move(s);
  }
};

// One run of a sub-workflow for one attempt of a call step (the caller): its
// own main flow and visit counts, its deadline, and what its calls cost.
struct Invocation {
  bool active = false;
  std::uint32_t id = 0;  // per request, from 1: what events carry
  SubWorkflowIndex sub = 0;
  std::uint32_t parent = kNone;  // the caller's invocation; kNone: the top level
  std::uint32_t root = kNone;    // its main flow
  Handle<Attempt> attempt;       // the caller's attempt it is
  // Keys its calls' and decisions' random draws apart from another
  // invocation's (a retry of the caller runs into a fresh world).
  std::uint64_t key = 0;
  sim::Time started;
  sim::Time deadline = sim::Time::max();  // the caller's limits and its own timeout
  std::vector<std::uint32_t> visits;      // per node of the workflow
  BestAnswer best;
  std::int64_t input_tokens = 0;  // sent to it
  // What happened inside, nested invocations included.
  double cost = 0.0;
  std::int64_t call_input_tokens = 0, call_output_tokens = 0;
  std::uint32_t calls = 0;

  void reset() {
    std::vector<std::uint32_t> kept = std::move(visits);
    kept.clear();
    *this = Invocation{};
    visits = std::move(kept);
  }
};

struct Request {
  RequestInput in;
  sim::Time arrival;
  std::uint32_t root = 0;  // the main flow
  IndexPool<Flow> flows;
  IndexPool<JoinGroup> groups;
  IndexPool<Invocation> invocations;
  std::uint32_t next_flow_id = 1;        // flow ids handed out so far (0: the main path)
  std::uint32_t next_invocation_id = 1;  // invocation ids handed out so far
  // Per node: its visits by the top level; a sub-workflow's nodes count the
  // visits of every invocation (each invocation keeps its own, too).
  std::vector<std::uint32_t> visits;
  double cost = 0.0;
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::uint32_t calls = 0, retries = 0, hedges = 0, timeouts = 0, fallbacks = 0, redirects = 0;
  BestAnswer best;

  void reset() {
    flows.clear();
    groups.clear();
    invocations.clear();
    next_flow_id = next_invocation_id = 1;
    cost = 0.0;
    input_tokens = output_tokens = 0;
    calls = retries = hedges = timeouts = fallbacks = redirects = 0;
    best = BestAnswer{};
  }
};

// What a step starts from, apart from its buffer: a Step resets these in one
// assignment of plain values (a step begins on almost every node a request
// enters; assigning a whole Step{} moved its vector in and out each time).
struct StepFields {
  Handle<Request> req;
  std::uint32_t flow = 0;
  NodeId node = kNoNode;
  // The node's configuration for this visit (its own, or an on_revisit one),
  // and which: 0 its own, i + 1 on_revisit[i].
  const CallNode* call = nullptr;
  std::uint32_t variant = 0;
  // The node's visit count when this step began: what its draws are keyed
  // by. Frozen here because other flows (map fan-out copies, branches that
  // meet at one node) visit the same node while this step is running.
  std::uint32_t visit = 0;
  std::uint32_t attempts_started = 0;
  std::uint32_t retries = 0;
  std::optional<Backoff> backoff;
  // With RetryConfig::rules: each rule's retries so far and last delay.
  std::array<std::uint32_t, kMaxRetryRules> rule_retries{};
  std::array<sim::Duration, kMaxRetryRules> rule_previous{};
  sim::EventId hedge_timer, budget_timer, retry_timer;
  std::uint32_t hedges = 0;
  std::uint32_t fallback_pos = 0;
  std::uint32_t escalations = 0;  // answers the policy declined (cascades)
  bool budget_fired = false;
  std::uint32_t decompose_total = 0, decompose_ok = 0;
  double decompose_quality = 0.0, decompose_confidence = 0.0;
  AgentIndex agent = 0;  // the last routed agent
  std::int64_t input_tokens = 0;
  double retained = 1.0;
  sim::Time started;
  bool summarizing = false;      // a summarizer call has been made for this step
  AgentIndex pending_agent = 0;  // the attempt waiting for the summary
  AttemptKind pending_kind = AttemptKind::kFirst;
  std::size_t pending_candidate = kNone;
  std::uint64_t pending_decision = 0;
  // How the last sub-workflow run that failed ended (its failure cause), to
  // name the step's failure after it; empty after an agent's attempt.
  std::string_view run_cause;
};

// One visit of a call node by one flow: its attempts, timers and progress.
struct Step : StepFields {
  std::vector<Handle<Attempt>> outstanding;

  void reset() {
    static_cast<StepFields&>(*this) = StepFields{};
    outstanding.clear();
  }
};

// One call to an agent on behalf of a step, or one invocation of the step's
// sub-workflow (`invocation` set, `agent` kNoAgent).
struct Attempt {
  Handle<Step> step;
  AgentIndex agent = 0;
  std::uint32_t invocation = kNone;  // index into the request's invocations
  std::size_t candidate = kNone;     // position among the node's candidates, when routed
  std::uint64_t decision = 0;        // the routing decision that chose it (0: none)
  mock_agents::CallId call = 0;
  std::uint32_t number = 0;
  AttemptKind kind = AttemptKind::kFirst;
  sim::EventId timeout;
  sim::Time started;
  std::int64_t input_tokens = 0;

  void reset() { *this = Attempt{}; }
};

}  // namespace orchsim::orchestration::detail
