#include "eval/invariant_checker.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string_view>

#include "eval/metrics.hpp"
#include "eval/runner.hpp"

namespace orchsim::eval {

using orchestration::AttemptKind;
using orchestration::kNoNode;
using orchestration::NodeId;
using orchestration::NodeKind;

InvariantChecker::InvariantChecker(const orchestration::Workflow& workflow, bool choreography)
    : choreography_(choreography) {
  const auto add = [this](NodeId from, NodeId to) {
    if (to != kNoNode) edges_.emplace(from, to);
  };
  add(kNoNode, workflow.entry);
  for (NodeId i = 0; i < workflow.nodes.size(); ++i) {
    const orchestration::Node& n = workflow.nodes[i];
    add(i, n.next);
    add(i, n.on_failure);
    add(i, n.on_exhausted);
    switch (n.kind) {
      case NodeKind::kGate:
        for (const auto& rule : n.gate.rules) add(i, rule.then);
        add(i, n.gate.otherwise);
        break;
      case NodeKind::kFanOut:
        for (const NodeId b : n.fan_out.branches) add(i, b);
        add(i, n.fan_out.map_entry);
        break;
      case NodeKind::kJoin:
        add(i, n.join.on_failure);
        break;
      case NodeKind::kCall:
        // An invocation's main flow enters its sub-workflow from the calling node.
        for (std::size_t v = 0; v <= n.on_revisit.size(); ++v) {
          const orchestration::CallNode& c = v == 0 ? n.call : n.on_revisit[v - 1].call;
          if (c.sub_workflow < workflow.sub_workflows.size()) {
            add(i, workflow.sub_workflows[c.sub_workflow].entry);
          }
        }
        break;
      case NodeKind::kTerminal:
        break;
    }
  }
}

void InvariantChecker::check_inside(const RequestState& r, orchestration::RequestId request,
                                    std::uint32_t invocation, const char* event) {
  if (invocation != 0 && !r.open_invocations.contains(invocation)) {
    violation("request {}: {} in invocation {}, which is not open", request, event, invocation);
  }
}

template <class... Args>
void InvariantChecker::violation(const char* format, Args&&... args) {
  ++violation_count_;
  if (violations_.size() < kMaxKept) {
    violations_.push_back(fmt::format(fmt::runtime(format), std::forward<Args>(args)...));
  }
}

void InvariantChecker::tick(sim::Time at) {
  if (at < last_) violation("time went back from {} ns to {} ns", last_.count_ns(), at.count_ns());
  last_ = at;
}

InvariantChecker::RequestState* InvariantChecker::live(orchestration::RequestId request,
                                                       sim::Time at, const char* event,
                                                       bool keep_burst) {
  tick(at);
  const auto it = requests_.find(request);
  if (it != requests_.end()) {
    if (!keep_burst) it->second.decomposing = kNoNode;
    return &it->second;
  }
  // A choreography's calls may go on after their request ended.
  const bool call_event = std::string_view(event).starts_with("a call");
  if (choreography_ && call_event) {
    const auto ended = ended_.find(request);
    if (ended != ended_.end()) return &ended->second;
    if (finished_.contains(request)) return &ended_[request];
  }
  violation("request {}: {} at {} ns while it is not in flight", request, event, at.count_ns());
  return nullptr;
}

void InvariantChecker::on_request_arrived(const orchestration::RequestArrived& e) {
  tick(e.at);
  if (!requests_.emplace(e.request, RequestState{}).second) {
    violation("request {}: arrived twice", e.request);
  }
}

void InvariantChecker::on_request_finished(const orchestration::RequestFinished& e) {
  RequestState* r = live(e.request, e.at, "finished");
  if (!r) return;
  const auto expect = [&](const char* what, std::uint64_t reported, std::uint64_t happened) {
    if (reported != happened) {
      violation("request {}: reported {} {}, but {} happened", e.request, reported, what, happened);
    }
  };
  expect("calls", e.calls, r->calls);
  expect("retries", e.retries, r->retries);
  expect("hedges", e.hedges, r->hedges);
  expect("hedges (HedgeLaunched events)", e.hedges, r->hedges_launched);
  expect("fallbacks", e.fallbacks, r->fallbacks);
  if (!choreography_) expect("timeouts", e.timeouts, r->timeouts);
  expect("redirects", e.redirects, r->redirects + r->decompositions);
  if (r->open_calls != 0 && !choreography_) {
    violation("request {}: ended with {} calls still open", e.request, r->open_calls);
  }
  if (!r->open_invocations.empty()) {
    violation("request {}: ended with {} sub-workflow invocations still open", e.request,
              r->open_invocations.size());
  }
  if (e.input_tokens != r->input_tokens || e.output_tokens != r->output_tokens) {
    violation("request {}: reported {} + {} tokens, its calls add up to {} + {}", e.request,
              e.input_tokens, e.output_tokens, r->input_tokens, r->output_tokens);
  }
  if (std::abs(e.cost_usd - r->cost) > 1e-9 * std::max(1.0, std::abs(r->cost))) {
    violation("request {}: reported cost {} USD, its calls add up to {}", e.request, e.cost_usd,
              r->cost);
  }
  if (e.latency < sim::Duration::zero()) violation("request {}: negative latency", e.request);
  if (choreography_) {
    finished_.insert(e.request);
    if (r->open_calls > 0) {
      RequestState rest;
      rest.open_calls = r->open_calls;
      ended_.emplace(e.request, std::move(rest));
    }
  }
  requests_.erase(e.request);
}

void InvariantChecker::on_call_started(const orchestration::CallStarted& e) {
  RequestState* r = live(e.request, e.at, "a call started", /*keep_burst=*/true);
  if (!r) return;
  check_inside(*r, e.request, e.invocation, "a call started");
  if (!calls_.emplace(std::make_pair(e.agent, e.call), OpenCall{e.request, e.at, e.invocation})
           .second) {
    violation("request {}: call {} of agent {} started twice", e.request, e.call, e.agent);
    return;
  }
  ++r->open_calls;
  if (e.invocation != 0) ++r->open_calls_in[e.invocation];
  ++r->calls;
  switch (e.kind) {
    case AttemptKind::kRetry:
      ++r->retries;
      break;
    case AttemptKind::kHedge:
      ++r->hedges;
      break;
    case AttemptKind::kFallback:
      ++r->fallbacks;
      break;
    case AttemptKind::kRedirect:
      ++r->redirects;
      break;
    case AttemptKind::kDecompose:
      if (r->decomposing != e.node) ++r->decompositions;
      break;
    case AttemptKind::kFirst:
    case AttemptKind::kCascade:
    case AttemptKind::kSummarize:
      break;
  }
  r->decomposing = e.kind == AttemptKind::kDecompose ? e.node : kNoNode;
  const bool routed = e.kind == AttemptKind::kFirst || e.kind == AttemptKind::kRetry ||
                      e.kind == AttemptKind::kCascade;
  const auto pending = r->pending_choices.find({e.node, e.agent});
  if (routed && pending == r->pending_choices.end() && !choreography_) {
    std::string chosen;  // what the decisions pending at this node chose instead
    for (auto it = r->pending_choices.lower_bound({e.node, 0});
         it != r->pending_choices.end() && it->first.first == e.node; ++it) {
      chosen += fmt::format("{}{}", chosen.empty() ? "" : ", ", it->first.second);
    }
    if (chosen.empty()) {
      violation("request {}: {} attempt at node {} started on agent {} with no routing decision",
                e.request, orchestration::to_string(e.kind), e.node, e.agent);
    } else {
      violation("request {}: {} attempt at node {} started on agent {}, the decision chose {}",
                e.request, orchestration::to_string(e.kind), e.node, e.agent, chosen);
    }
  }
  // The decision is taken by this attempt (a routed hedge takes its own).
  if (pending != r->pending_choices.end() && (routed || e.kind == AttemptKind::kHedge)) {
    if (--pending->second == 0) r->pending_choices.erase(pending);
  }
}

void InvariantChecker::on_call_ended(const orchestration::CallEnded& e) {
  RequestState* r = live(e.request, e.at, "a call ended");
  const auto it = calls_.find({e.agent, e.call});
  if (it == calls_.end()) {
    violation("request {}: call {} of agent {} ended twice or never started", e.request, e.call,
              e.agent);
    return;
  }
  if (it->second.request != e.request) {
    violation("call {} of agent {}: started for request {}, ended for request {}", e.call, e.agent,
              it->second.request, e.request);
  }
  if (e.started != it->second.started || e.duration != e.at - e.started) {
    violation(
        "request {}: call {} of agent {} ended with start {} ns and duration {} ns, "
        "expected start {} ns and duration {} ns",
        e.request, e.call, e.agent, e.started.count_ns(), e.duration.count_ns(),
        it->second.started.count_ns(), (e.at - it->second.started).count_ns());
  }
  calls_.erase(it);
  if (!orchestration::produced_answer(e.end) &&
      (e.quality != 0.0 || e.confidence != 0.0 || e.silent)) {
    violation(
        "request {}: call {} of agent {} ended {} with no answer, yet reports quality {}, "
        "confidence {}, silent {}",
        e.request, e.call, e.agent, orchestration::to_string(e.end), e.quality, e.confidence,
        e.silent);
  }
  if (!r) return;
  check_inside(*r, e.request, e.invocation, "a call ended");
  --r->open_calls;
  if (e.invocation != 0 && --r->open_calls_in[e.invocation] == 0) {
    r->open_calls_in.erase(e.invocation);
  }
  if (e.end == orchestration::CallEnd::kTimeout) ++r->timeouts;
  r->cost += e.cost_usd;
  r->input_tokens += e.input_tokens;
  r->output_tokens += e.output_tokens;
  if (r->open_calls == 0 && !requests_.contains(e.request)) ended_.erase(e.request);
}

void InvariantChecker::on_routing_decision(const orchestration::RoutingDecision& e) {
  RequestState* r = live(e.request, e.at, "a routing decision");
  if (r) ++r->pending_choices[{e.node, e.choice}];
}

void InvariantChecker::on_node_entered(const orchestration::NodeEntered& e) {
  if (RequestState* r = live(e.request, e.at, "a node entered")) {
    check_inside(*r, e.request, e.invocation, "a node entered");
  }
  if (!edges_.contains({e.from, e.to})) {
    violation("request {}: took {} -> {}, which is not an edge of the workflow", e.request,
              e.from == kNoNode ? std::string("start") : std::to_string(e.from), e.to);
  }
}

void InvariantChecker::on_flow_decision(const orchestration::FlowDecision& e) {
  live(e.request, e.at, "a flow decision");
}
void InvariantChecker::on_retry_scheduled(const orchestration::RetryScheduled& e) {
  live(e.request, e.at, "a retry scheduled");
}
void InvariantChecker::on_hedge_launched(const orchestration::HedgeLaunched& e) {
  if (RequestState* r = live(e.request, e.at, "a hedge launched")) ++r->hedges_launched;
}
void InvariantChecker::on_context_fitted(const orchestration::ContextFitted& e) {
  live(e.request, e.at, "a context fitted");
}
void InvariantChecker::on_budget_exhausted(const orchestration::BudgetExhausted& e) {
  live(e.request, e.at, "a budget exhausted", /*keep_burst=*/true);
}

void InvariantChecker::on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) {
  RequestState* r = live(e.request, e.at, "a sub-workflow invocation started");
  if (!r) return;
  check_inside(*r, e.request, e.parent, "a sub-workflow invocation started");
  if (!r->open_invocations.emplace(e.invocation, std::make_pair(e.at, e.parent)).second) {
    violation("request {}: invocation {} started twice", e.request, e.invocation);
  }
  if (e.kind == AttemptKind::kRetry) ++r->retries;
  if (e.kind == AttemptKind::kHedge) ++r->hedges;
}

void InvariantChecker::on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) {
  RequestState* r = live(e.request, e.at, "a sub-workflow invocation ended");
  if (!r) return;
  const auto it = r->open_invocations.find(e.invocation);
  if (it == r->open_invocations.end()) {
    violation("request {}: invocation {} ended twice or never started", e.request, e.invocation);
    return;
  }
  if (e.started != it->second.first || e.duration != e.at - e.started) {
    violation("request {}: invocation {} ended with start {} ns and duration {} ns, expected {} ns",
              e.request, e.invocation, e.started.count_ns(), e.duration.count_ns(),
              it->second.first.count_ns());
  }
  r->open_invocations.erase(it);
  // What ran inside it ended first (a cancellation cancels the inside first).
  if (const auto calls = r->open_calls_in.find(e.invocation); calls != r->open_calls_in.end()) {
    violation("request {}: invocation {} ended with {} calls inside still open", e.request,
              e.invocation, calls->second);
  }
  for (const auto& [id, open] : r->open_invocations) {
    if (open.second == e.invocation) {
      violation("request {}: invocation {} ended while invocation {} inside it is open", e.request,
                e.invocation, id);
    }
  }
  if (e.end == orchestration::CallEnd::kTimeout) ++r->timeouts;
}

void InvariantChecker::finish(const RunResult& result, sim::Duration drain) {
  if (result.arrived != result.completed + result.failed + result.in_flight) {
    violation("run: arrived {} != completed {} + failed {} + in flight {}", result.arrived,
              result.completed, result.failed, result.in_flight);
  }
  if (result.in_flight != requests_.size()) {
    violation("run: {} requests in flight, {} never finished", result.in_flight, requests_.size());
  }
  if (result.arrivals_end != sim::Time::max() && result.end > result.arrivals_end + drain) {
    violation("run: ended at {} ns, after its drain limit {} ns (arrivals over at {} ns + {} ns)",
              result.end.count_ns(), (result.arrivals_end + drain).count_ns(),
              result.arrivals_end.count_ns(), drain.count_ns());
  }
  if (result.metrics) {
    const MetricsCollector& m = *result.metrics;
    if (m.requests().arrived + m.excluded_warmup() != result.arrived) {
      violation("run: {} requests arrived, the metrics measured {} and excluded {} as warm-up",
                result.arrived, m.requests().arrived, m.excluded_warmup());
    }
    check_totals(m, result.in_flight == 0);
  }
  for (const auto& [key, call] : calls_) {
    if (!requests_.contains(call.request)) {
      violation("call {} of agent {}: still open after its request {} ended", key.second, key.first,
                call.request);
    }
  }
}

void InvariantChecker::check_totals(const MetricsCollector& m, bool drained) {
  // Every call belongs to a request: once nothing is in flight, the agents'
  // sums equal the requests' and the classes'. Before that, agents also hold
  // the calls of unfinished requests, so they can only be larger.
  double agent_cost = 0.0, class_cost = 0.0;
  std::int64_t agent_in = 0, agent_out = 0;
  std::uint64_t agent_calls = 0, class_finished = 0;
  for (const auto& a : m.agents()) {
    agent_cost += a.cost_usd;
    agent_in += a.input_tokens;
    agent_out += a.output_tokens;
    agent_calls += a.calls_started;
  }
  for (const auto& c : m.classes()) {
    class_cost += c.cost_usd;
    class_finished += c.finished;
  }
  const auto& r = m.requests();
  const auto near = [](double a, double b) {
    return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
  };
  if (class_finished != r.finished || !near(class_cost, r.cost_usd)) {
    violation("totals: classes hold {} finished requests costing {} USD, requests {} costing {}",
              class_finished, class_cost, r.finished, r.cost_usd);
  }
  // A choreography's calls may end after their request did, outside its sums.
  drained = drained && !choreography_;
  const bool calls_ok = drained ? agent_calls == r.calls : agent_calls >= r.calls;
  const bool tokens_ok = drained ? agent_in == r.input_tokens && agent_out == r.output_tokens
                                 : agent_in >= r.input_tokens && agent_out >= r.output_tokens;
  const bool cost_ok = drained ? near(agent_cost, r.cost_usd) : agent_cost >= r.cost_usd - 1e-9;
  if (!calls_ok || !tokens_ok || !cost_ok) {
    violation(
        "totals: agents hold {} calls, {} + {} tokens, {} USD; requests {} calls, {} + {} "
        "tokens, {} USD ({})",
        agent_calls, agent_in, agent_out, agent_cost, r.calls, r.input_tokens, r.output_tokens,
        r.cost_usd, drained ? "drained" : "requests still in flight");
  }
}

}  // namespace orchsim::eval
