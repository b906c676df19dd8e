#include "orchestration/orchestrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orchsim::orchestration {

using mock_agents::CallOutcome;
using mock_agents::CallStatus;

namespace {
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

std::uint64_t make_tag(std::uint32_t index, std::uint32_t generation) {
  return (static_cast<std::uint64_t>(generation) << 32) | index;
}
}  // namespace

std::string_view to_string(AttemptKind kind) {
  switch (kind) {
    case AttemptKind::kFirst:
      return "first";
    case AttemptKind::kRetry:
      return "retry";
    case AttemptKind::kHedge:
      return "hedge";
    case AttemptKind::kFallback:
      return "fallback";
    case AttemptKind::kRedirect:
      return "redirect";
    case AttemptKind::kDecompose:
      return "decompose";
    case AttemptKind::kCascade:
      return "cascade";
    case AttemptKind::kSummarize:
      return "summarize";
  }
  return "?";
}

std::string_view to_string(CallEnd end) {
  switch (end) {
    case CallEnd::kSuccess:
      return "success";
    case CallEnd::kInvalid:
      return "invalid";
    case CallEnd::kError:
      return "error";
    case CallEnd::kTimeout:
      return "timeout";
    case CallEnd::kCancelled:
      return "cancelled";
  }
  return "?";
}

// One line of execution through the graph: the main path, or a fan-out branch.
struct Orchestrator::Flow {
  bool active = false;
  bool is_branch = false;
  NodeId node = kNoNode;
  std::uint32_t step = kNone;
  Context context;
  double evidence = 1.0;  // quality of the evidence gathered (1: nothing to retrieve)
  double answer = 0.0;
  bool answer_silent = false;
  bool has_answer = false;
  double answer_confidence = 0.0;
  // Share of the information this flow's context has kept through every
  // fitting so far: what one step drops stays lost for the next.
  double retained = 1.0;
  // The last call step, for gates; kNone until an agent has answered.
  AgentIndex last_agent = kNone;
  std::uint32_t label = 0;
  bool verdict = false;
  double confidence = 0.0;
  bool last_failed = false;
  ErrorKind last_error = ErrorKind::kNone;
};

struct Orchestrator::JoinGroup {
  bool active = false;
  NodeId join = kNoNode;
  std::uint32_t total = 0, done = 0, ok = 0;
  std::vector<double> evidence;
  std::vector<double> answers;
  std::vector<Segment> added;       // context the successful branches added
  std::size_t parent_segments = 0;  // context size when the fan-out started
  sim::EventId deadline_timer;
};

struct Orchestrator::Request {
  bool active = false;
  std::uint32_t generation = 0;
  RequestInput in;
  sim::Time arrival;
  std::vector<Flow> flows;  // [0] is the main path
  JoinGroup group;
  std::vector<std::uint32_t> visits;  // per node
  // Fan-outs started so far: tells a fan-out still starting its branches
  // that its group ended meanwhile and another began.
  std::uint32_t fan_outs = 0;
  double cost = 0.0;
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::uint32_t calls = 0, retries = 0, hedges = 0, timeouts = 0, fallbacks = 0, redirects = 0;
  // Best answer so far, by the confidence the orchestrator saw.
  bool has_best = false;
  double best_quality = 0.0, best_confidence = -1.0;
  bool best_silent = false;
};

struct Orchestrator::Step {
  bool active = false;
  // Counts the slot's uses: a step ended and its slot taken by the next one
  // during a call (a refusal fails a step at once) is not mistaken for the
  // step that was starting.
  std::uint32_t generation = 0;
  std::uint32_t req = 0, flow = 0;
  NodeId node = kNoNode;
  // The node's visit count when this step began: what its draws are keyed
  // by. Frozen here because other flows (map fan-out copies, branches that
  // meet at one node) visit the same node while this step is running.
  std::uint32_t visit = 0;
  std::uint32_t attempts_started = 0;
  std::uint32_t retries = 0;
  std::optional<Backoff> backoff;
  std::vector<std::uint32_t> outstanding;
  sim::EventId hedge_timer, budget_timer, retry_timer;
  std::uint32_t hedges = 0;
  std::uint32_t fallback_pos = 0;
  std::uint32_t cascade_tier = 0;
  bool budget_fired = false;
  std::uint32_t decompose_total = 0, decompose_ok = 0;
  double decompose_quality = 0.0, decompose_confidence = 0.0;
  bool decompose_failed = false;
  AgentIndex agent = 0;
  std::size_t route_position = 0;
  std::int64_t input_tokens = 0;
  double retained = 1.0;
  sim::Time started;
  double cost_at_start = 0.0;
  bool summarizing = false;      // a summarizer call has been made for this step
  AgentIndex pending_agent = 0;  // the attempt waiting for the summary
  AttemptKind pending_kind = AttemptKind::kFirst;
};

struct Orchestrator::Attempt {
  bool active = false;
  std::uint32_t generation = 0;
  std::uint32_t step = 0;
  AgentIndex agent = 0;
  mock_agents::CallId call = 0;
  std::uint32_t number = 0;
  AttemptKind kind = AttemptKind::kFirst;
  sim::EventId timeout;
  sim::Time started;
  std::int64_t input_tokens = 0;
};

Orchestrator::Orchestrator(sim::Simulation& sim, const sim::RandomSource& rng,
                           const Workflow& workflow, std::vector<mock_agents::Agent*> agents,
                           OrchestratorConfig config)
    : sim_(sim),
      rng_(rng),
      workflow_(workflow),
      agents_(std::move(agents)),
      config_(std::move(config)),
      signals_(agents_.size()),
      budget_(config_.retry_budget) {
  if (auto problems = workflow_.validate(agents_.size()); !problems.empty()) {
    std::string msg = fmt::format("workflow '{}' is invalid:", workflow_.name);
    for (const auto& p : problems) msg += "\n  " + p;
    throw std::invalid_argument(msg);
  }
  routing_.resize(workflow_.nodes.size());
  route_kind_.assign(workflow_.nodes.size(), RouteKind::kOther);
  all_eligible_.resize(workflow_.nodes.size());
  for (NodeId i = 0; i < workflow_.nodes.size(); ++i) {
    const Node& n = workflow_.nodes[i];
    if (n.kind == NodeKind::kCall) {
      routing_[i] = make_routing_policy(n.call.routing, n.call.agents.size(), config_.class_count);
      all_eligible_[i].assign(n.call.agents.size(), true);
      if (n.call.routing.policy == "cascade") route_kind_[i] = RouteKind::kCascade;
      if (n.call.routing.policy == "linucb") route_kind_[i] = RouteKind::kLinUcb;
    }
  }
  if (config_.breaker) {
    for (AgentIndex a = 0; a < agents_.size(); ++a) {
      breakers_.push_back(std::make_unique<CircuitBreaker>(*config_.breaker));
      breakers_.back()->on_transition = [this, a](BreakerState from, BreakerState to, sim::Time t) {
        if (observer_) observer_->on_breaker_changed({t, a, from, to});
      };
    }
  }
}

Orchestrator::~Orchestrator() = default;

const CircuitBreaker* Orchestrator::breaker(AgentIndex agent) const {
  return breakers_.empty() ? nullptr : breakers_[agent].get();
}

// --- Pools ---------------------------------------------------------------------------

std::uint32_t Orchestrator::new_request() {
  std::uint32_t i;
  if (!free_requests_.empty()) {
    i = free_requests_.back();
    free_requests_.pop_back();
  } else {
    i = static_cast<std::uint32_t>(requests_.size());
    requests_.emplace_back();
  }
  Request& r = requests_[i];
  r.active = true;
  ++r.generation;
  r.flows.resize(1);
  r.group = JoinGroup{};
  r.visits.assign(workflow_.nodes.size(), 0);
  r.fan_outs = 0;
  r.cost = 0;
  r.input_tokens = r.output_tokens = 0;
  r.calls = r.retries = r.hedges = r.timeouts = r.fallbacks = r.redirects = 0;
  r.has_best = false;
  r.best_quality = 0;
  r.best_confidence = -1;
  r.best_silent = false;
  return i;
}

std::uint32_t Orchestrator::new_step() {
  std::uint32_t i;
  if (!free_steps_.empty()) {
    i = free_steps_.back();
    free_steps_.pop_back();
  } else {
    i = static_cast<std::uint32_t>(steps_.size());
    steps_.emplace_back();
  }
  Step& s = steps_[i];
  std::vector<std::uint32_t> keep = std::move(s.outstanding);
  keep.clear();
  const std::uint32_t generation = s.generation + 1;
  s = Step{};
  s.outstanding = std::move(keep);
  s.generation = generation;
  s.active = true;
  return i;
}

std::uint32_t Orchestrator::new_attempt() {
  std::uint32_t i;
  if (!free_attempts_.empty()) {
    i = free_attempts_.back();
    free_attempts_.pop_back();
  } else {
    i = static_cast<std::uint32_t>(attempts_.size());
    attempts_.emplace_back();
  }
  Attempt& a = attempts_[i];
  const std::uint32_t generation = a.generation + 1;
  a = Attempt{};
  a.generation = generation;
  a.active = true;
  return i;
}

sim::RandomStream Orchestrator::step_stream(const Step& s, std::string_view purpose) const {
  const Request& r = requests_[s.req];
  return rng_.stream("orchestrator", purpose, r.in.id, s.node, s.visit, s.attempts_started);
}

// --- Requests and flow ---------------------------------------------------------------

void Orchestrator::submit(const RequestInput& in) {
  const std::uint32_t req = new_request();
  Request& r = requests_[req];
  r.in = in;
  r.arrival = sim_.now();
  ++arrived_;
  budget_.request_started();
  Flow& main = r.flows[0];
  // Keep the context's buffer: a pooled request reuses it instead of
  // allocating one per request.
  Context context = std::move(main.context);
  main = Flow{};
  main.context = std::move(context);
  main.context.clear();
  main.active = true;
  if (workflow_.system_prompt_tokens > 0) {
    main.context.add({SegmentKind::kSystem, workflow_.system_prompt_tokens, 1.0});
  }
  main.context.add({SegmentKind::kQuery, in.input_tokens, 1.0});
  if (observer_) {
    observer_->on_request_arrived(
        {sim_.now(), in.id, in.class_index, in.input_tokens, in.deadline});
  }
  enter(req, 0, workflow_.entry);
}

void Orchestrator::enter(std::uint32_t req, std::uint32_t flow, NodeId node_id) {
  Request& r = requests_[req];
  const Node& node = workflow_.nodes[node_id];
  if (observer_) observer_->on_node_entered({sim_.now(), r.in.id, r.flows[flow].node, node_id});
  r.flows[flow].node = node_id;
  if (node.max_visits > 0 && r.visits[node_id] >= node.max_visits) {
    if (observer_) {
      observer_->on_budget_exhausted(
          {sim_.now(), r.in.id, node_id, BudgetExhausted::Kind::kLoopBound});
      observer_->on_flow_decision(
          {sim_.now(), r.in.id, node_id, node.on_exhausted, "max_visits reached"});
    }
    if (node.on_exhausted != kNoNode) {
      enter(req, flow, node.on_exhausted);
    } else if (r.flows[flow].is_branch) {
      branch_done(req, flow, false);
    } else if (node.exhausted_is_success && r.has_best) {
      finish_request(req, true, "best_so_far");
    } else {
      finish_request(req, false, "loop_exhausted");
    }
    return;
  }
  ++r.visits[node_id];
  switch (node.kind) {
    case NodeKind::kCall:
      start_step(req, flow, node_id);
      return;
    case NodeKind::kGate: {
      scratch_reason_.clear();
      std::string* why = explain_ ? &scratch_reason_ : nullptr;
      const NodeId next = evaluate_gate(r, r.flows[flow], node, why);
      if (observer_)
        observer_->on_flow_decision({sim_.now(), r.in.id, node_id, next, scratch_reason_});
      enter(req, flow, next);
      return;
    }
    case NodeKind::kFanOut:
      if (r.flows[flow].is_branch || r.group.active) {
        finish_request(req, false, "nested_fan_out");  // documented limitation
        return;
      }
      start_fan_out(req, flow, node_id);
      return;
    case NodeKind::kJoin:
      if (r.flows[flow].is_branch) {
        branch_done(req, flow, true);
      } else {
        enter(req, flow, node.next);  // a join reached without a fan-out: pass through
      }
      return;
    case NodeKind::kTerminal:
      if (r.flows[flow].is_branch) {
        branch_done(req, flow, node.terminal.success);
      } else {
        finish_request(req, node.terminal.success, node.terminal.outcome);
      }
      return;
  }
}

NodeId Orchestrator::evaluate_gate(const Request& r, const Flow& f, const Node& node,
                                   std::string* why) const {
  using W = Condition::What;
  for (std::size_t i = 0; i < node.gate.rules.size(); ++i) {
    const Condition& c = node.gate.rules[i].when;
    bool hit = false;
    switch (c.what) {
      case W::kAlways:
        hit = true;
        break;
      case W::kLabelIs:
        // No answer yet (or a failed step): no label to match.
        if (f.last_failed || f.last_agent == kNone) break;
        hit = c.label_by_agent.empty()
                  ? f.label == c.label
                  : f.last_agent < c.label_by_agent.size() &&
                        c.label_by_agent[f.last_agent] == static_cast<std::int32_t>(f.label);
        break;
      case W::kConfidenceBelow:
        hit = f.confidence < c.value;
        break;
      case W::kConfidenceAtLeast:
        hit = f.confidence >= c.value;
        break;
      case W::kVerdictPass:
        hit = !f.last_failed && f.verdict;
        break;
      case W::kVerdictFail:
        hit = f.last_failed || !f.verdict;
        break;
      case W::kLastFailed:
        hit = f.last_failed;
        break;
      case W::kErrorIs:
        hit = f.last_failed && f.last_error == c.error;
        break;
      case W::kClassIs:
        hit = r.in.class_index == c.class_index;
        break;
      case W::kCostAbove:
        hit = r.cost > c.value;
        break;
      case W::kTimeLeftBelow:
        hit = r.in.deadline != sim::Time::max() && r.in.deadline - sim_.now() < c.duration;
        break;
      case W::kVisitsAtLeast:
        hit = r.visits[c.node] >= c.count;
        break;
    }
    if (hit) {
      if (why) {
        *why = fmt::format("rule {} matched (label={}, confidence={:.3f}, verdict={}, failed={})",
                           i, f.label, f.confidence, f.verdict ? "pass" : "fail", f.last_failed);
      }
      return node.gate.rules[i].then;
    }
  }
  if (why) *why = fmt::format("no rule matched (confidence={:.3f})", f.confidence);
  return node.gate.otherwise;
}

void Orchestrator::start_fan_out(std::uint32_t req, std::uint32_t flow, NodeId node_id) {
  Request& r = requests_[req];
  const FanOutNode& fo = workflow_.nodes[node_id].fan_out;
  std::vector<NodeId> entries = fo.branches;
  if (fo.map_entry != kNoNode) {
    const std::uint32_t n = fo.count_from_label ? r.flows[flow].label + 1 : fo.map_count;
    entries.insert(entries.end(), std::max<std::uint32_t>(1, n), fo.map_entry);
  }
  JoinGroup& g = r.group;
  g = JoinGroup{};
  g.active = true;
  const std::uint32_t fan_out = ++r.fan_outs;
  g.join = fo.join;
  g.total = static_cast<std::uint32_t>(entries.size());
  const JoinNode& jn = workflow_.nodes[fo.join].join;
  if (jn.policy == JoinPolicy::kDeadline) {
    const RequestId id = r.in.id;
    const std::uint32_t gen = r.generation;
    g.deadline_timer = sim_.schedule_after(jn.deadline, [this, req, id, gen] {
      Request& rr = requests_[req];
      if (!rr.active || rr.generation != gen || rr.in.id != id || !rr.group.active) return;
      finish_join(req, rr.group.ok > 0, "join deadline");
    });
  }
  g.parent_segments = r.flows[flow].context.segments().size();
  const Flow parent = r.flows[flow];
  r.flows.resize(1 + entries.size());
  for (std::size_t b = 0; b < entries.size(); ++b) {
    Flow& f = r.flows[1 + b];
    f = parent;
    f.is_branch = true;
    f.active = true;
    f.step = kNone;
  }
  if (observer_) {
    observer_->on_flow_decision(
        {sim_.now(), r.in.id, node_id, fo.join, explain("fan out to {} branches", entries.size())});
  }
  for (std::size_t b = 0; b < entries.size(); ++b) {
    // A branch may end the join (first success through a gate, no call) or
    // the whole request: stop then. The request may even have gone on to
    // another fan-out, whose branches now own the flows.
    const Request& now = requests_[req];
    if (!now.active || !now.group.active || now.fan_outs != fan_out) return;
    enter(req, static_cast<std::uint32_t>(1 + b), entries[b]);
  }
}

void Orchestrator::branch_done(std::uint32_t req, std::uint32_t flow, bool success) {
  Request& r = requests_[req];
  Flow& f = r.flows[flow];
  if (!f.active) return;
  f.active = false;
  JoinGroup& g = r.group;
  ++g.done;
  if (success) {
    ++g.ok;
    g.evidence.push_back(f.evidence);
    if (f.has_answer) g.answers.push_back(f.answer);
    const auto& segs = f.context.segments();
    for (std::size_t i = std::min(g.parent_segments, segs.size()); i < segs.size(); ++i) {
      g.added.push_back(segs[i]);
    }
  }
  const JoinNode& jn = workflow_.nodes[g.join].join;
  const std::uint32_t remaining = g.total - g.done;
  switch (jn.policy) {
    case JoinPolicy::kAll:
      if (!success) return finish_join(req, false, "a branch failed (join: all)");
      if (remaining == 0) return finish_join(req, true, "all branches succeeded");
      return;
    case JoinPolicy::kFirstSuccess:
      if (success) return finish_join(req, true, "first success");
      if (remaining == 0) return finish_join(req, false, "every branch failed");
      return;
    case JoinPolicy::kFirstK:
      if (g.ok >= jn.k) return finish_join(req, true, explain("first {} successes", jn.k));
      if (g.ok + remaining < jn.k) return finish_join(req, false, "too few successes possible");
      return;
    case JoinPolicy::kQuorum: {
      const std::uint32_t quorum = g.total / 2 + 1;
      if (g.ok >= quorum) return finish_join(req, true, explain("quorum of {}", quorum));
      if (g.ok + remaining < quorum) return finish_join(req, false, "quorum impossible");
      return;
    }
    case JoinPolicy::kDeadline:
      if (remaining == 0)
        return finish_join(req, g.ok > 0, "all branches done before the deadline");
      return;
  }
}

void Orchestrator::finish_join(std::uint32_t req, bool success, std::string_view why) {
  Request& r = requests_[req];
  JoinGroup& g = r.group;
  if (!g.active) return;
  g.active = false;
  sim_.cancel(g.deadline_timer);
  for (std::uint32_t b = 1; b < r.flows.size(); ++b) cancel_flow(req, b);
  const Node& join_node = workflow_.nodes[g.join];
  Flow& main = r.flows[0];
  if (success && !g.evidence.empty()) {
    double merged = 0.0;
    switch (join_node.join.merge) {
      case Merge::kMax:
        merged = *std::max_element(g.evidence.begin(), g.evidence.end());
        break;
      case Merge::kMean:
        for (double q : g.evidence) merged += q;
        merged /= static_cast<double>(g.evidence.size());
        break;
      case Merge::kUnion: {
        double miss = 1.0;
        for (double q : g.evidence) miss *= 1.0 - q;
        merged = 1.0 - miss;
        break;
      }
    }
    main.evidence = merged;
    if (!g.answers.empty()) {
      main.answer = *std::max_element(g.answers.begin(), g.answers.end());
      main.has_answer = true;
    }
    // What successful branches added (retrieved documents, tool results, ...)
    // joins the main context: memory accumulates across the fan-out.
    for (const Segment& seg : g.added) main.context.add(seg);
  }
  const NodeId next = success ? join_node.next : join_node.join.on_failure;
  if (observer_) observer_->on_flow_decision({sim_.now(), r.in.id, g.join, next, why});
  r.flows.resize(1);
  main.last_failed = !success;
  // The main path leaves from the join (it was parked at the fan-out while
  // the branches ran): the edge taken next is join -> next.
  main.node = g.join;
  if (next != kNoNode) {
    enter(req, 0, next);
  } else {
    finish_request(req, false, "join_failed");
  }
}

void Orchestrator::cancel_flow(std::uint32_t req, std::uint32_t flow) {
  Flow& f = requests_[req].flows[flow];
  if (f.step != kNone) {
    const std::uint32_t s = f.step;
    f.step = kNone;
    end_step(s);
  }
  f.active = false;
}

void Orchestrator::finish_request(std::uint32_t req, bool success, std::string_view outcome) {
  Request& r = requests_[req];
  if (!r.active) return;
  if (r.group.active) {
    r.group.active = false;
    sim_.cancel(r.group.deadline_timer);
  }
  for (std::uint32_t f = 0; f < r.flows.size(); ++f) cancel_flow(req, f);
  r.active = false;
  budget_.request_finished();
  success ? ++completed_ : ++failed_;
  if (observer_) {
    const Flow& main = r.flows[0];
    double quality = 0.0;
    bool silent = false;
    if (success) {
      if (outcome == "best_so_far") {
        quality = r.best_quality;
        silent = r.best_silent;
      } else {
        quality = main.has_answer ? main.answer : 0.0;
        silent = main.answer_silent;
      }
    }
    observer_->on_request_finished({sim_.now(), r.in.id, r.in.class_index, success, outcome,
                                    sim_.now() - r.arrival, quality, silent, r.cost, r.input_tokens,
                                    r.output_tokens, r.calls, r.retries, r.hedges, r.timeouts,
                                    r.fallbacks, r.redirects});
  }
  free_requests_.push_back(req);
}

// --- Call steps ---------------------------------------------------------------------

std::optional<AgentIndex> Orchestrator::route(std::uint32_t step, bool retry) {
  Step& s = steps_[step];
  const Request& r = requests_[s.req];
  const Node& node = workflow_.nodes[s.node];
  const CallNode& c = node.call;
  if (route_kind_[s.node] == RouteKind::kCascade) {
    // Every choice is logged, the cascade's current tier included (its
    // escalations are logged where they happen, in attempt_ended).
    const AgentIndex tier = c.routing.cascade.tiers[s.cascade_tier];
    if (observer_) {
      scratch_candidates_.clear();
      observer_->on_routing_decision({sim_.now(), r.in.id, s.node, "cascade", &scratch_candidates_,
                                      tier,
                                      explain("tier {} of {} (cheapest first)", s.cascade_tier,
                                              c.routing.cascade.tiers.size())});
    }
    return tier;
  }
  if (c.agents.empty()) return std::nullopt;
  // Usually no candidate's breaker is open: then the node's all-true mask,
  // and a mask of this call's own only when one is.
  const std::vector<bool>* eligible = &all_eligible_[s.node];
  if (!breakers_.empty()) {
    const auto open = [this](AgentIndex a) {
      const CircuitBreaker& b = *breakers_[a];
      return b.state() == BreakerState::kOpen && sim_.now() < b.open_until();
    };
    std::size_t i = 0;
    while (i < c.agents.size() && !open(c.agents[i])) ++i;
    if (i < c.agents.size()) {
      std::vector<bool>& mask = scratch_eligible_;
      mask.assign(c.agents.size(), true);
      bool any = i > 0;
      for (; i < c.agents.size(); ++i) {
        mask[i] = !open(c.agents[i]);
        any = any || mask[i];
      }
      if (!any) return std::nullopt;
      eligible = &mask;
    }
  }
  RouteInput in{r.in.id,           r.in.class_index, config_.class_count,
                r.in.input_tokens, &c.agents,        eligible,
                &agents_,          &signals_};
  // Keyed by request, node, visit and attempt; only hashed for policies that draw.
  sim::RandomStream stream =
      routing_[s.node]->uses_randomness()
          ? rng_.stream("route", r.in.id, s.node, s.visit, s.attempts_started, retry ? 1 : 0)
          : rng_.stream(sim::StreamId{});
  std::vector<RoutingCandidate>* scores = nullptr;
  std::string* reason = nullptr;
  scratch_candidates_.clear();
  scratch_reason_.clear();
  if (explain_) {
    scores = &scratch_candidates_;
    reason = &scratch_reason_;
  }
  const std::size_t pos = routing_[s.node]->choose(in, stream, scores, reason);
  s.route_position = pos;
  if (observer_) {
    observer_->on_routing_decision({sim_.now(), r.in.id, s.node, routing_[s.node]->name(),
                                    &scratch_candidates_, c.agents[pos], scratch_reason_});
  }
  return c.agents[pos];
}

void Orchestrator::start_step(std::uint32_t req, std::uint32_t flow, NodeId node_id) {
  const std::uint32_t step = new_step();
  Step& s = steps_[step];
  Request& r = requests_[req];
  s.req = req;
  s.flow = flow;
  s.node = node_id;
  s.visit = r.visits[node_id];
  s.started = sim_.now();
  s.cost_at_start = r.cost;
  r.flows[flow].step = step;
  const CallNode& c = workflow_.nodes[node_id].call;
  const auto agent = route(step, false);
  if (!agent) {
    if (observer_) {
      observer_->on_budget_exhausted(
          {sim_.now(), r.in.id, node_id, BudgetExhausted::Kind::kBreakerOpen});
    }
    if (!c.fallback_agents.empty()) {
      s.fallback_pos = 1;
      prepare_and_launch(step, c.fallback_agents[0], AttemptKind::kFallback);
    } else {
      step_failed(step, "breaker_open", ErrorKind::kUnavailable);
    }
    return;
  }
  steps_[step].agent = *agent;
  const std::uint32_t generation = steps_[step].generation;
  prepare_and_launch(step, *agent, AttemptKind::kFirst);
  // A refused first attempt may have ended the step already, and the
  // request's next step may have taken the slot: arm nothing on it.
  if (!steps_[step].active || steps_[step].generation != generation) return;
  // Hedges copy the first attempt, so their clock starts when it is sent:
  // after the summary when its context had to be summarized first.
  if (!steps_[step].summarizing) arm_hedge_timer(step);
  const RequestId id = r.in.id;
  if (c.time_budget.budget > sim::Duration::zero()) {
    steps_[step].budget_timer = sim_.schedule_after(c.time_budget.budget, [this, step, id] {
      if (steps_[step].active && requests_[steps_[step].req].in.id == id) on_time_budget(step);
    });
  }
}

void Orchestrator::arm_hedge_timer(std::uint32_t step) {
  Step& s = steps_[step];
  const CallNode& c = workflow_.nodes[s.node].call;
  if (c.hedge.max_extra_attempts == 0 || s.hedges >= c.hedge.max_extra_attempts) return;
  const RequestId id = requests_[s.req].in.id;
  s.hedge_timer = sim_.schedule_after(c.hedge.delay, [this, step, id] {
    if (steps_[step].active && requests_[steps_[step].req].in.id == id) on_hedge_timer(step);
  });
}

// Fits the flow's context into the agent's window (maybe through a summarizer
// call first), then launches the attempt.
void Orchestrator::prepare_and_launch(std::uint32_t step, AgentIndex agent, AttemptKind kind) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  Flow& f = r.flows[s.flow];
  const CallNode& c = workflow_.nodes[s.node].call;
  const std::int64_t window = agents_[agent]->context_window_tokens();
  std::int64_t tokens = 0;
  if (!c.include_context) {
    for (const Segment& seg : f.context.segments())
      tokens += seg.protected_from_fitting() ? seg.tokens : 0;
    s.retained = 1.0;
  } else if (f.context.tokens() <= window) {
    tokens = f.context.tokens();  // fits as it is: the common case, no plan needed
    s.retained = f.retained;
  } else {
    // A step summarizes once; a later attempt of it that still does not fit
    // (a retry on an agent with a smaller window) is truncated instead.
    const FitPolicy policy =
        c.fit == FitPolicy::kSummarize && s.summarizing ? FitPolicy::kTruncateOldest : c.fit;
    FitPlan plan = plan_fit(f.context, window, policy);
    if (!plan.fits) {
      if (observer_) {
        observer_->on_context_fitted({sim_.now(), r.in.id, s.node, agent, c.fit, plan.tokens_before,
                                      plan.tokens_after, 0.0, 0, false});
      }
      step_failed(step, "context_overflow", ErrorKind::kContextOverflow);
      return;
    }
    if (plan.to_summarize_tokens > 0) {
      s.summarizing = true;
      s.pending_agent = agent;
      s.pending_kind = kind;
      launch(step, c.summarizer, AttemptKind::kSummarize, plan.to_summarize_tokens, s.retained);
      return;
    }
    if (plan.tokens_after != plan.tokens_before) {
      apply_fit(f.context, plan);
      f.retained *= plan.retained;
      if (observer_) {
        observer_->on_context_fitted({sim_.now(), r.in.id, s.node, agent, policy,
                                      plan.tokens_before, plan.tokens_after, plan.retained,
                                      plan.segments_dropped, false});
      }
    }
    tokens = f.context.tokens();
    s.retained = f.retained;
  }
  s.input_tokens = tokens;
  launch(step, agent, kind, tokens, s.retained);
}

// A parallel attempt (hedge, redirect, decomposition part) follows the step's
// context rules like its first attempt: only the protected segments without
// include_context, else the context fitted into *its* agent's window. It
// cannot wait for a summary, so a summarize policy truncates the oldest
// material instead, as a failed summary does. The flow's context is left as
// it is: the attempts already sent have it. nullopt: it cannot fit.
std::optional<Orchestrator::AttemptInput> Orchestrator::parallel_input(std::uint32_t step,
                                                                       AgentIndex agent) const {
  const Step& s = steps_[step];
  const Flow& f = requests_[s.req].flows[s.flow];
  const CallNode& c = workflow_.nodes[s.node].call;
  if (!c.include_context) {
    std::int64_t tokens = 0;
    for (const Segment& seg : f.context.segments())
      tokens += seg.protected_from_fitting() ? seg.tokens : 0;
    return AttemptInput{tokens, 1.0};
  }
  const std::int64_t window = agents_[agent]->context_window_tokens();
  if (f.context.tokens() <= window) return AttemptInput{f.context.tokens(), f.retained};
  const FitPolicy policy = c.fit == FitPolicy::kSummarize ? FitPolicy::kTruncateOldest : c.fit;
  const FitPlan plan = plan_fit(f.context, window, policy);
  if (!plan.fits) return std::nullopt;
  return AttemptInput{plan.tokens_after, f.retained * plan.retained};
}

bool Orchestrator::launch(std::uint32_t step, AgentIndex agent, AttemptKind kind,
                          std::int64_t input_tokens, double retained, std::uint32_t variant_extra) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  const Flow& f = r.flows[s.flow];
  const CallNode& c = workflow_.nodes[s.node].call;
  const sim::Time now = sim_.now();
  if (r.in.deadline <= now) {
    if (observer_) {
      observer_->on_budget_exhausted({now, r.in.id, s.node, BudgetExhausted::Kind::kDeadline});
    }
    if (s.outstanding.empty()) step_failed(step, "deadline_exceeded", ErrorKind::kNone);
    return false;
  }
  // A breaker or the orchestrator's bulkhead rejects without calling: that is
  // not a failure of the agent.
  const bool bulkhead_full = config_.max_concurrency_per_agent > 0 &&
                             signals_[agent].outstanding >= config_.max_concurrency_per_agent;
  if ((!breakers_.empty() && !breakers_[agent]->try_acquire(now)) || bulkhead_full) {
    if (observer_) {
      observer_->on_budget_exhausted({now, r.in.id, s.node, BudgetExhausted::Kind::kBreakerOpen});
    }
    if (s.outstanding.empty() && kind != AttemptKind::kHedge && kind != AttemptKind::kRedirect &&
        kind != AttemptKind::kDecompose) {
      retry_or_fall_back(step, CallEnd::kError,
                         bulkhead_full ? ErrorKind::kOverloaded : ErrorKind::kUnavailable,
                         sim::Duration::zero());
    }
    return false;
  }
  const std::uint32_t ai = new_attempt();
  Attempt& a = attempts_[ai];
  a.step = step;
  a.agent = agent;
  a.number = s.attempts_started++;
  a.kind = kind;
  a.started = now;
  a.input_tokens = input_tokens;
  mock_agents::CallRequest call;
  call.request_id = r.in.id;
  // A revisit of the node (a loop, a map fan-out copy) is a new variant: e.g.
  // different retrieval parameters meet a fresh draw of the world. The step's
  // own visit number, not the node's count now: other copies may have
  // visited since. Layout of `variant`: bits 0-3 a decomposition part, 4-11
  // the visit's low byte, 12-23 the node, 24-31 the visit's second byte; the
  // visit's bits 16-19 (max_visits is at most 10^6 < 2^20) go above the
  // attempt number's 20 bits (at most 1000 retries, 64 parts, a few hedges).
  const std::uint32_t visit = s.visit;
  call.attempt = a.number | ((visit >> 16) << 20);
  call.variant =
      (((visit >> 8) & 255) << 24) | (s.node << 12) | ((visit & 255) << 4) | variant_extra;
  call.caller = s.node;
  call.input_tokens = input_tokens;
  call.difficulty = r.in.difficulty;
  call.input_quality = c.input == QualityChannel::kEvidence ? f.evidence
                       : c.input == QualityChannel::kAnswer ? (f.has_answer ? f.answer : 0.0)
                                                            : 1.0;
  call.context_retained = retained;
  call.judged_quality = f.has_answer ? f.answer : 0.0;
  // Counted here, where the attempt really starts: a retry whose step ended
  // before its backoff did, or a hedge a breaker refused, never ran.
  ++r.calls;
  if (kind == AttemptKind::kRetry) ++r.retries;
  if (kind == AttemptKind::kHedge) ++r.hedges;
  if (kind == AttemptKind::kFallback) ++r.fallbacks;
  ++calls_in_flight_;
  ++signals_[agent].outstanding;
  s.outstanding.push_back(ai);
  const std::uint64_t tag = make_tag(ai, a.generation);
  a.call = agents_[agent]->submit(call, *this, tag);
  // Timeout: the attempt's own, capped by the request deadline (deadline
  // propagation: no call outlives its request). Not armed when the agent
  // already knows the reply comes by then: it would only be cancelled (most
  // calls). Arming it after submit() instead of before changes no order: the
  // agent schedules nothing at late priority, and ties at late priority are
  // only between timeouts, still pushed in the same order.
  sim::Time limit = r.in.deadline;
  if (c.attempt_timeout > sim::Duration::zero() && kind != AttemptKind::kSummarize) {
    limit = std::min(limit, now + c.attempt_timeout);
  }
  if (limit != sim::Time::max()) {
    const std::optional<sim::Time> end = agents_[agent]->end_bound(a.call);
    if (!end || *end > limit) {
      a.timeout = sim_.schedule_at(
          limit,
          [this, ai, tag] {
            if (attempts_[ai].active && make_tag(ai, attempts_[ai].generation) == tag)
              on_attempt_timeout(ai);
          },
          sim::kPriorityLate);
    }
  }
  if (kind == AttemptKind::kRetry || kind == AttemptKind::kHedge) budget_.retry_started();
  if (observer_) {
    observer_->on_call_started({now, r.in.id, s.node, agent, a.number, a.call, kind, input_tokens});
  }
  return true;
}

void Orchestrator::record_signals(AgentIndex agent, const CallOutcome& o, bool success) {
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
}

bool Orchestrator::validator_flags(const Step& s, const Attempt& a, const CallOutcome& o) {
  const ValidatorConfig& v = workflow_.nodes[s.node].call.validator;
  if (!v.enabled) return false;
  const bool bad = o.silent || o.quality < v.bad_below;
  const Request& r = requests_[s.req];
  sim::RandomStream stream = rng_.stream("validator", r.in.id, s.node, s.visit, a.number);
  const double u = stream.uniform01();
  return bad ? u < v.true_positive_rate : u < v.false_positive_rate;
}

void Orchestrator::on_call_finished(mock_agents::CallId, std::uint64_t tag, const CallOutcome& o) {
  const auto ai = static_cast<std::uint32_t>(tag);
  if (ai >= attempts_.size()) return;
  Attempt& a = attempts_[ai];
  if (!a.active || a.generation != static_cast<std::uint32_t>(tag >> 32)) return;
  sim_.cancel(a.timeout);
  const bool success = o.status == CallStatus::kSuccess;
  record_signals(a.agent, o, success);
  if (!breakers_.empty())
    breakers_[a.agent]->on_result(sim_.now(), !success, o.finished - o.service_started);
  success ? budget_.on_success() : budget_.on_failure();
  CallEnd end = success ? CallEnd::kSuccess : CallEnd::kError;
  if (success && validator_flags(steps_[a.step], a, o)) end = CallEnd::kInvalid;
  attempt_ended(ai, end, &o);
}

void Orchestrator::on_attempt_timeout(std::uint32_t ai) {
  Attempt& a = attempts_[ai];
  const auto cancelled = agents_[a.agent]->cancel(a.call);
  CallOutcome o;
  o.status = CallStatus::kError;
  o.submitted = a.started;
  o.service_started = a.started + cancelled.queue_wait;  // how long it had queued
  o.finished = sim_.now();
  o.input_tokens = cancelled.input_tokens;
  o.output_tokens = cancelled.output_tokens;
  o.cost_usd = cancelled.cost_usd;
  if (!breakers_.empty()) breakers_[a.agent]->on_result(sim_.now(), true, sim_.now() - a.started);
  budget_.on_failure();
  ++requests_[steps_[a.step].req].timeouts;
  attempt_ended(ai, CallEnd::kTimeout, &o);
}

void Orchestrator::cancel_attempt(std::uint32_t ai, CallEnd as) {
  Attempt& a = attempts_[ai];
  if (!a.active) return;
  sim_.cancel(a.timeout);
  const auto c = agents_[a.agent]->cancel(a.call);
  Step& s = steps_[a.step];
  Request& r = requests_[s.req];
  r.cost += c.cost_usd;
  r.input_tokens += c.input_tokens;
  r.output_tokens += c.output_tokens;
  --calls_in_flight_;
  --signals_[a.agent].outstanding;
  if (a.kind == AttemptKind::kRetry || a.kind == AttemptKind::kHedge) budget_.retry_finished();
  if (observer_) {
    observer_->on_call_ended({sim_.now(), r.in.id, s.node, a.agent, a.number, a.call, a.kind, as,
                              ErrorKind::kNone, a.started, sim_.now() - a.started, c.queue_wait,
                              c.input_tokens, c.output_tokens, c.cost_usd, 0.0, 0.0, false});
  }
  a.active = false;
  free_attempts_.push_back(ai);
}

// Every attempt ends here exactly once (answered, failed or timed out);
// cancellations by the orchestrator go through cancel_attempt instead.
void Orchestrator::attempt_ended(std::uint32_t ai, CallEnd end, const CallOutcome* o) {
  Attempt& a = attempts_[ai];
  const std::uint32_t step = a.step;
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  r.cost += o->cost_usd;
  r.input_tokens += o->input_tokens;
  r.output_tokens += o->output_tokens;
  --calls_in_flight_;
  --signals_[a.agent].outstanding;
  if (a.kind == AttemptKind::kRetry || a.kind == AttemptKind::kHedge) budget_.retry_finished();
  if (observer_) {
    observer_->on_call_ended({sim_.now(), r.in.id, s.node, a.agent, a.number, a.call, a.kind, end,
                              o->error, a.started, sim_.now() - a.started, o->queue_wait(),
                              o->input_tokens, o->output_tokens, o->cost_usd, o->quality,
                              o->confidence, o->silent});
  }
  const Attempt done = a;
  a.active = false;
  free_attempts_.push_back(ai);
  s.outstanding.erase(std::find(s.outstanding.begin(), s.outstanding.end(), ai));
  const CallNode& c = workflow_.nodes[s.node].call;

  if (done.kind == AttemptKind::kSummarize) {
    Flow& f = r.flows[s.flow];
    const std::int64_t before = f.context.tokens();
    const std::int64_t window = agents_[s.pending_agent]->context_window_tokens();
    double retained;
    if (end == CallEnd::kSuccess) {
      const auto summary = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(
                 std::llround(c.summary_ratio * static_cast<double>(done.input_tokens))));
      retained = apply_summary(f.context, summary, c.summary_fidelity * o->quality, window);
    } else {
      // No summary: fall back to dropping the oldest material.
      const FitPlan plan = plan_fit(f.context, window, FitPolicy::kTruncateOldest);
      apply_fit(f.context, plan);
      retained = plan.retained;
    }
    f.retained *= retained;
    s.retained = f.retained;
    if (observer_) {
      observer_->on_context_fitted({sim_.now(), r.in.id, s.node, s.pending_agent, c.fit, before,
                                    f.context.tokens(), retained, 0, end == CallEnd::kSuccess});
    }
    s.input_tokens = f.context.tokens();
    const bool first = s.pending_kind == AttemptKind::kFirst;
    if (launch(step, s.pending_agent, s.pending_kind, s.input_tokens, s.retained) && first) {
      arm_hedge_timer(step);
    }
    return;
  }

  if (done.kind == AttemptKind::kDecompose) {
    if (end == CallEnd::kSuccess) {
      ++s.decompose_ok;
      s.decompose_quality += o->quality;
      s.decompose_confidence += o->confidence;
      if (s.decompose_ok == s.decompose_total) {
        CallOutcome merged = *o;
        merged.quality = s.decompose_quality / s.decompose_total;
        merged.confidence = s.decompose_confidence / s.decompose_total;
        merged.silent = false;
        step_succeeded(step, done, merged);
      }
      return;
    }
    s.decompose_failed = true;
    // Other parts are pointless now; cancel them, keep waiting for the original.
    for (std::size_t i = s.outstanding.size(); i-- > 0;) {
      const std::uint32_t other = s.outstanding[i];
      if (attempts_[other].kind == AttemptKind::kDecompose) {
        s.outstanding.erase(s.outstanding.begin() + static_cast<std::ptrdiff_t>(i));
        cancel_attempt(other, CallEnd::kCancelled);
      }
    }
    if (!s.outstanding.empty()) return;
    retry_or_fall_back(step, end, o->error, o->retry_after);
    return;
  }

  if (end == CallEnd::kSuccess) {
    if (route_kind_[s.node] == RouteKind::kCascade &&
        o->confidence < c.routing.cascade.accept_confidence &&
        s.cascade_tier + 1 < c.routing.cascade.tiers.size() && s.outstanding.empty()) {
      // Not confident enough: escalate to the next tier (the answer so far is kept as best).
      Flow& f = r.flows[s.flow];
      f.answer = o->quality;
      f.answer_silent = o->silent;
      f.has_answer = true;
      ++s.cascade_tier;
      if (observer_) {
        scratch_candidates_.clear();
        observer_->on_routing_decision(
            {sim_.now(), r.in.id, s.node, "cascade", &scratch_candidates_,
             c.routing.cascade.tiers[s.cascade_tier],
             explain("confidence {:.3f} < {:.3f}: escalate to tier {}", o->confidence,
                     c.routing.cascade.accept_confidence, s.cascade_tier)});
      }
      prepare_and_launch(step, c.routing.cascade.tiers[s.cascade_tier], AttemptKind::kCascade);
      return;
    }
    step_succeeded(step, done, *o);
    return;
  }
  // A failed attempt while others are still out (hedges, a redirect): wait for them.
  if (!s.outstanding.empty()) return;
  retry_or_fall_back(step, end, o->error, o->retry_after);
}

void Orchestrator::retry_or_fall_back(std::uint32_t step, CallEnd end, ErrorKind error,
                                      sim::Duration retry_after) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  const CallNode& c = workflow_.nodes[s.node].call;
  const RetryConfig& rc = c.retry;
  bool retryable = false;
  switch (end) {
    case CallEnd::kTimeout:
      retryable = rc.retry_on_timeout;
      break;
    case CallEnd::kInvalid:
      retryable = rc.retry_on_invalid;
      break;
    case CallEnd::kError:
      retryable = std::find(rc.retry_on.begin(), rc.retry_on.end(), error) != rc.retry_on.end();
      break;
    default:
      break;
  }
  // A retry-after of "never" (the call needs more than the provider's whole
  // per-minute limit) admits no retry: on to the fallback.
  if (retry_after == sim::Duration::max()) retryable = false;
  const bool in_fallback = s.fallback_pos > 0;
  if (retryable && !in_fallback && s.retries + 1 < rc.max_attempts) {
    if (!budget_.admit_retry()) {
      if (observer_) {
        observer_->on_budget_exhausted(
            {sim_.now(), r.in.id, s.node, BudgetExhausted::Kind::kRetryBudget});
      }
    } else {
      sim::RandomStream stream = step_stream(s, "backoff");
      if (!s.backoff) s.backoff.emplace(rc.backoff);  // made on the step's first retry
      const sim::Duration delay = s.backoff->next(stream, retry_after);
      if (sim_.now() + delay >= r.in.deadline) {
        if (observer_) {
          observer_->on_budget_exhausted(
              {sim_.now(), r.in.id, s.node, BudgetExhausted::Kind::kDeadline});
        }
        step_failed(step, "deadline_exceeded", error);
        return;
      }
      ++s.retries;
      if (observer_) {
        observer_->on_retry_scheduled(
            {sim_.now(), r.in.id, s.node, s.agent, s.attempts_started, delay, error, end});
      }
      const RequestId id = r.in.id;
      s.retry_timer = sim_.schedule_after(delay, [this, step, id] {
        Step& st = steps_[step];
        if (!st.active || requests_[st.req].in.id != id) return;
        const auto agent = route(step, true);
        if (!agent) {
          retry_or_fall_back(step, CallEnd::kError, ErrorKind::kUnavailable, sim::Duration::zero());
          return;
        }
        st.agent = *agent;
        prepare_and_launch(step, *agent, AttemptKind::kRetry);
      });
      return;
    }
  }
  if (s.fallback_pos < c.fallback_agents.size()) {
    const AgentIndex agent = c.fallback_agents[s.fallback_pos++];
    if (observer_) {
      observer_->on_flow_decision(
          {sim_.now(), r.in.id, s.node, s.node, explain("fall back to agent {}", agent)});
    }
    prepare_and_launch(step, agent, AttemptKind::kFallback);
    return;
  }
  std::string_view cause = end == CallEnd::kTimeout   ? "timeout"
                           : end == CallEnd::kInvalid ? "invalid_output"
                                                      : mock_agents::to_string(error);
  step_failed(step, cause, error);
}

void Orchestrator::on_hedge_timer(std::uint32_t step) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  const CallNode& c = workflow_.nodes[s.node].call;
  if (s.outstanding.empty() || s.hedges >= c.hedge.max_extra_attempts) return;
  if (!budget_.admit_retry()) {
    if (observer_) {
      observer_->on_budget_exhausted(
          {sim_.now(), r.in.id, s.node, BudgetExhausted::Kind::kRetryBudget});
    }
    return;
  }
  AgentIndex agent = s.agent;
  if (s.hedges < c.hedge.agents.size()) {
    agent = c.hedge.agents[s.hedges];
  } else if (const auto routed = route(step, true)) {
    agent = *routed;
  }
  ++s.hedges;
  const std::uint32_t number = s.attempts_started;
  const std::optional<AttemptInput> input = parallel_input(step, agent);
  if (input && launch(step, agent, AttemptKind::kHedge, input->tokens, input->retained)) {
    if (observer_) observer_->on_hedge_launched({sim_.now(), r.in.id, s.node, agent, number});
  }
  if (steps_[step].active) arm_hedge_timer(step);
}

void Orchestrator::on_time_budget(std::uint32_t step) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  const TimeBudgetConfig& tb = workflow_.nodes[s.node].call.time_budget;
  if (s.budget_fired) return;
  s.budget_fired = true;
  const bool redirect = tb.action == TimeBudgetConfig::Action::kRedirect;
  const AgentIndex agent = redirect ? tb.fast_agent : tb.decompose_agent;
  if (observer_) {
    observer_->on_flow_decision(
        {sim_.now(), r.in.id, s.node, s.node,
         redirect ? explain("over time budget: redirect to agent {}", agent)
                  : explain("over time budget: decompose into {} parts", tb.parts)});
  }
  const std::optional<AttemptInput> input = parallel_input(step, agent);
  if (!input) {
    // Not even the protected context fits that agent: keep waiting for the
    // attempts already out.
    if (observer_) {
      const Flow& f = r.flows[s.flow];
      observer_->on_context_fitted({sim_.now(), r.in.id, s.node, agent,
                                    workflow_.nodes[s.node].call.fit, f.context.tokens(),
                                    f.context.tokens(), 0.0, 0, false});
    }
    return;
  }
  if (redirect) {
    if (launch(step, agent, AttemptKind::kRedirect, input->tokens, input->retained)) {
      ++requests_[steps_[step].req].redirects;
    }
    return;
  }
  s.decompose_total = tb.parts;
  bool launched = false;
  // A part refused at the deadline may end the step (and free its slot).
  const std::uint32_t generation = s.generation;
  for (std::uint32_t p = 0;
       p < tb.parts && steps_[step].active && steps_[step].generation == generation; ++p) {
    launched |= launch(step, agent, AttemptKind::kDecompose,
                       (input->tokens + tb.parts - 1) / tb.parts, input->retained,
                       /*variant_extra=*/1 + (p % 15));
  }
  if (launched) ++r.redirects;  // the slot may hold another step by now
}

void Orchestrator::end_step(std::uint32_t step) {
  Step& s = steps_[step];
  if (!s.active) return;
  s.active = false;
  sim_.cancel(s.hedge_timer);
  sim_.cancel(s.budget_timer);
  sim_.cancel(s.retry_timer);
  // Losers of a race, or calls of a step that ended: cancelled; the tokens
  // they spent are still billed (cancel_attempt).
  while (!s.outstanding.empty()) {
    const std::uint32_t ai = s.outstanding.back();
    s.outstanding.pop_back();
    cancel_attempt(ai, CallEnd::kCancelled);
  }
  Request& r = requests_[s.req];
  if (s.flow < r.flows.size() && r.flows[s.flow].step == step) r.flows[s.flow].step = kNone;
  free_steps_.push_back(step);
}

void Orchestrator::step_succeeded(std::uint32_t step, const Attempt& winner, const CallOutcome& o) {
  Step& s = steps_[step];
  const std::uint32_t req = s.req, flow = s.flow;
  const NodeId node_id = s.node;
  Request& r = requests_[req];
  Flow& f = r.flows[flow];
  const Node& node = workflow_.nodes[node_id];
  const CallNode& c = node.call;
  switch (c.output) {
    case QualityChannel::kEvidence:
      f.evidence = o.quality;
      break;
    case QualityChannel::kAnswer:
      f.answer = o.quality;
      f.answer_silent = o.silent;
      f.has_answer = true;
      f.answer_confidence = o.confidence;
      if (o.confidence > r.best_confidence) {
        r.has_best = true;
        r.best_confidence = o.confidence;
        r.best_quality = o.quality;
        r.best_silent = o.silent;
      }
      break;
    case QualityChannel::kNone:
      break;
  }
  f.last_agent = winner.agent;
  f.label = o.label;
  f.verdict = o.verdict_pass;
  f.confidence = o.confidence;
  f.last_failed = false;
  f.last_error = ErrorKind::kNone;
  if (c.output_to_context && o.output_tokens > 0) {
    f.context.add({c.output_segment, o.output_tokens, c.output_relevance});
  }
  // Learning routers hear how the step went on the agent they chose.
  if (route_kind_[node_id] == RouteKind::kLinUcb && winner.kind != AttemptKind::kFallback) {
    RouteInput in{r.in.id,           r.in.class_index, config_.class_count,
                  r.in.input_tokens, &c.agents,        &all_eligible_[node_id],
                  &agents_,          &signals_};
    const double step_cost = r.cost - s.cost_at_start;
    // Credit the candidate that actually answered (a hedge or a retry may
    // have gone elsewhere than the last routing choice).
    const auto it = std::find(c.agents.begin(), c.agents.end(), winner.agent);
    if (it != c.agents.end()) {
      routing_[node_id]->learn(in, static_cast<std::size_t>(it - c.agents.begin()),
                               o.confidence - c.routing.cost_weight * step_cost);
    }
  }
  end_step(step);
  enter(req, flow, node.next);
}

void Orchestrator::step_failed(std::uint32_t step, std::string_view cause, ErrorKind error) {
  Step& s = steps_[step];
  if (!s.active) return;
  const std::uint32_t req = s.req, flow = s.flow;
  const NodeId node_id = s.node;
  const Node& node = workflow_.nodes[node_id];
  Flow& f = requests_[req].flows[flow];
  f.last_failed = true;
  f.last_error = error;
  f.confidence = 0.0;
  // A failed retrieval leaves no evidence: steps after it work without any.
  if (node.call.output == QualityChannel::kEvidence) f.evidence = 0.0;
  end_step(step);
  if (node.on_failure != kNoNode) {
    if (observer_) {
      observer_->on_flow_decision({sim_.now(), requests_[req].in.id, node_id, node.on_failure,
                                   explain("step failed ({})", cause)});
    }
    enter(req, flow, node.on_failure);
  } else if (f.is_branch) {
    branch_done(req, flow, false);
  } else {
    finish_request(req, false, cause);
  }
}

}  // namespace orchsim::orchestration
