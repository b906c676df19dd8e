#include "eval/invariant_checker.hpp"

#include <fmt/format.h>

#include <cmath>

#include "eval/metrics.hpp"
#include "eval/runner.hpp"

namespace orchsim::eval {

using orchestration::AttemptKind;
using orchestration::kNoNode;
using orchestration::NodeId;
using orchestration::NodeKind;

InvariantChecker::InvariantChecker(const orchestration::Workflow& workflow) {
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
      case NodeKind::kTerminal:
        break;
    }
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
  if (it == requests_.end()) {
    violation("request {}: {} at {} ns while it is not in flight", request, event, at.count_ns());
    return nullptr;
  }
  if (!keep_burst) it->second.decomposing = kNoNode;
  return &it->second;
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
  expect("timeouts", e.timeouts, r->timeouts);
  expect("redirects", e.redirects, r->redirects + r->decompositions);
  if (r->open_calls != 0) {
    violation("request {}: ended with {} calls still open", e.request, r->open_calls);
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
  requests_.erase(e.request);
}

void InvariantChecker::on_call_started(const orchestration::CallStarted& e) {
  RequestState* r = live(e.request, e.at, "a call started", /*keep_burst=*/true);
  if (!r) return;
  if (!calls_.emplace(std::make_pair(e.agent, e.call), OpenCall{e.request, e.at}).second) {
    violation("request {}: call {} of agent {} started twice", e.request, e.call, e.agent);
    return;
  }
  ++r->open_calls;
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
  if (routed && pending == r->pending_choices.end()) {
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
  if (!r) return;
  --r->open_calls;
  if (e.end == orchestration::CallEnd::kTimeout) ++r->timeouts;
  r->cost += e.cost_usd;
  r->input_tokens += e.input_tokens;
  r->output_tokens += e.output_tokens;
}

void InvariantChecker::on_routing_decision(const orchestration::RoutingDecision& e) {
  RequestState* r = live(e.request, e.at, "a routing decision");
  if (r) ++r->pending_choices[{e.node, e.choice}];
}

void InvariantChecker::on_node_entered(const orchestration::NodeEntered& e) {
  live(e.request, e.at, "a node entered");
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
