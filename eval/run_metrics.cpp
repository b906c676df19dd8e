#include "eval/run_metrics.hpp"

#include <fmt/format.h>

#include "mock_agents/agent.hpp"

namespace orchsim::eval {
namespace {

using Flat = std::vector<std::pair<std::string, double>>;

// Appends "prefix.key" for each present value, as flatten_numeric walks the JSON.
class Flattener {
 public:
  explicit Flattener(Flat& out) : out_(out) {}

  void add(const std::string& name, std::optional<double> v) {
    if (v) out_.emplace_back(name, *v);
  }
  void add(const std::string& name, double v) { out_.emplace_back(name, v); }
  void count(const std::string& name, std::uint64_t v) {
    out_.emplace_back(name, static_cast<double>(v));
  }
  void ends(const std::string& prefix, const CallEndCounts& e) {
    count(prefix + ".success", e.success);
    count(prefix + ".invalid", e.invalid);
    count(prefix + ".error", e.error);
    count(prefix + ".timeout", e.timeout);
    count(prefix + ".cancelled", e.cancelled);
  }
  void latency(const std::string& prefix, const LatencySummary& l) {
    count(prefix + ".count", l.count);
    add(prefix + ".mean", l.mean);
    add(prefix + ".min", l.min);
    add(prefix + ".p50", l.p50);
    add(prefix + ".p90", l.p90);
    add(prefix + ".p95", l.p95);
    add(prefix + ".p99", l.p99);
    add(prefix + ".p999", l.p999);
    add(prefix + ".max", l.max);
  }

 private:
  Flat& out_;
};

void flatten_requests(Flattener& f, const RequestMetrics& r) {
  f.count("requests.arrived", r.arrived);
  f.count("requests.finished", r.finished);
  f.count("requests.completed", r.completed);
  f.count("requests.failed", r.failed);
  f.count("requests.in_flight", r.in_flight);
  f.add("requests.success_rate", r.success_rate);
  f.add("requests.throughput_rps", r.throughput_rps);
  for (const auto& [name, n] : r.completed_by_outcome)
    f.count("requests.completed_by_outcome." + name, n);
  for (const auto& [name, n] : r.failed_by_cause) f.count("requests.failed_by_cause." + name, n);
}

void flatten_agent(Flattener& f, const AgentMetrics& a) {
  const std::string p = "agents." + a.name;
  f.count(p + ".calls_started", a.calls_started);
  f.ends(p + ".calls_ended", a.calls_ended);
  for (std::size_t k = 0; k < ErrorCounts::kKinds; ++k)
    f.count(fmt::format("{}.errors.{}", p, ErrorCounts::name(k)), a.errors.counts[k]);
  f.add(p + ".queue_wait_ms.mean", a.queue_wait_mean_ms);
  f.add(p + ".queue_wait_ms.p99", a.queue_wait_p99_ms);
  f.add(p + ".p_wait", a.p_wait);
  f.add(p + ".duration_ms.p50", a.duration_p50_ms);
  f.add(p + ".duration_ms.p99", a.duration_p99_ms);
  f.add(p + ".input_tokens", static_cast<double>(a.input_tokens));
  f.add(p + ".output_tokens", static_cast<double>(a.output_tokens));
  f.add(p + ".cost_usd", a.cost_usd);
  f.count(p + ".breaker.transitions", a.breaker_transitions);
  f.add(p + ".breaker.open_ms", a.breaker_open_ms);
  if (a.servers) f.count(p + ".servers", *a.servers);
  f.add(p + ".busy_ms", a.busy_ms);
  f.add(p + ".utilisation", a.utilisation);
  if (a.max_queue_length) f.count(p + ".max_queue_length", *a.max_queue_length);
}

void flatten_node(Flattener& f, const NodeMetrics& n) {
  // An array element is keyed by its string fields joined with "->".
  std::string p = "nodes." + n.name;
  if (!n.workflow.empty()) p += "->" + n.workflow;
  if (!n.sub_workflow.empty()) p += "->" + n.sub_workflow;
  f.count(p + ".calls_started", n.calls_started);
  f.ends(p + ".calls_ended", n.calls_ended);
  f.add(p + ".duration_mean_ms", n.duration_mean_ms);
  if (n.sub_workflow.empty()) return;
  f.count(p + ".runs_started", n.runs_started);
  f.ends(p + ".runs_ended", n.runs_ended);
  f.add(p + ".run_duration_mean_ms", n.run_duration_mean_ms);
}

void flatten_sub_workflow(Flattener& f, const SubWorkflowMetrics& w) {
  const std::string p = "sub_workflows." + w.name;
  f.count(p + ".runs_started", w.runs_started);
  f.ends(p + ".runs_ended", w.runs_ended);
  f.add(p + ".duration_mean_ms", w.duration_mean_ms);
  f.add(p + ".calls_per_run", w.calls_per_run);
  f.add(p + ".cost_per_run_usd", w.cost_per_run_usd);
}

void flatten_tail(Flattener& f, const RunMetrics& m) {
  for (const EdgeCount& e : m.edges)
    f.count(fmt::format("routing.edges.{}->{}.count", e.from, e.to), e.count);
  for (const DecisionCount& d : m.decisions)
    f.count(fmt::format("routing.decisions.{}->{}.count", d.node, d.agent), d.count);
  f.count("budget_exhausted.retry_budget", m.budget_exhausted.retry_budget);
  f.count("budget_exhausted.deadline", m.budget_exhausted.deadline);
  f.count("budget_exhausted.loop_bound", m.budget_exhausted.loop_bound);
  f.count("budget_exhausted.breaker_open", m.budget_exhausted.breaker_open);
  const EventMetrics& e = m.events;
  f.count("events.retries_scheduled", e.retries_scheduled);
  f.count("events.hedges_launched", e.hedges_launched);
  f.count("events.context_fits", e.context_fits);
  f.count("events.context_truncated", e.context_truncated);
  f.count("events.context_summarized", e.context_summarized);
  f.add("events.context_retained_mean", e.context_retained_mean);
  if (m.steady_state) {
    const SteadyStateMetrics& s = *m.steady_state;
    f.add("steady_state.warmup_ms", s.warmup_ms);
    f.count("steady_state.excluded_warmup", s.excluded_warmup);
    f.count("steady_state.series_batch", s.series_batch);
    f.count("steady_state.mser5_warmup_requests", s.mser5_warmup_requests);
    f.add("steady_state.latency_mean_ms", s.latency_mean_ms);
    f.add("steady_state.ci95_low_ms", s.ci95_low_ms);
    f.add("steady_state.ci95_high_ms", s.ci95_high_ms);
  }
  if (m.coordination) {
    const CoordinationMetrics& c = *m.coordination;
    f.count("coordination.duplicated_calls", c.duplicated_calls);
    f.add("coordination.duplicated_cost_usd", c.duplicated_cost_usd);
    f.count("coordination.silent_outputs", c.silent_outputs);
    f.count("coordination.silent_caught", c.silent_caught);
    f.add("coordination.silent_caught_rate", c.silent_caught_rate);
    f.count("coordination.stuck_requests", c.stuck_requests);
    f.add("coordination.cost_per_request_usd", c.cost_per_request_usd);
  }
}

}  // namespace

std::string_view ErrorCounts::name(std::size_t kind) {
  return mock_agents::to_string(static_cast<mock_agents::ErrorKind>(kind + 1));
}

const AgentMetrics* RunMetrics::agent(std::string_view name) const {
  for (const AgentMetrics& a : agents) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const NodeMetrics* RunMetrics::node(std::string_view name) const {
  for (const NodeMetrics& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

std::vector<std::pair<std::string, double>> flatten(const RunMetrics& m) {
  Flat out;
  out.reserve(256);
  Flattener f(out);
  f.add("quality_threshold", m.quality_threshold);
  f.add("end_ms", m.end_ms);
  flatten_requests(f, m.requests);
  f.latency("latency_ms.all", m.latency_all);
  f.latency("latency_ms.success", m.latency_success);
  f.add("quality.mean", m.quality.mean);
  f.add("quality.pass_rate", m.quality.pass_rate);
  f.add("quality.pass_rate_of_finished", m.quality.pass_rate_of_finished);
  f.add("quality.silent_failure_rate", m.quality.silent_failure_rate);
  const PerRequestMetrics& p = m.per_request;
  f.add("per_request.input_tokens", p.input_tokens);
  f.add("per_request.output_tokens", p.output_tokens);
  f.add("per_request.cost_usd", p.cost_usd);
  f.add("per_request.calls", p.calls);
  f.add("per_request.retries", p.retries);
  f.add("per_request.hedges", p.hedges);
  f.add("per_request.timeouts", p.timeouts);
  f.add("per_request.fallbacks", p.fallbacks);
  f.add("per_request.redirects", p.redirects);
  for (const ClassMetrics& c : m.classes) {
    const std::string pre = "classes." + c.name;
    f.count(pre + ".count", c.count);
    f.count(pre + ".completed", c.completed);
    f.add(pre + ".success_rate", c.success_rate);
    f.add(pre + ".latency_p50_ms", c.latency_p50_ms);
    f.add(pre + ".latency_p99_ms", c.latency_p99_ms);
    f.add(pre + ".quality_mean", c.quality_mean);
    f.add(pre + ".cost_mean_usd", c.cost_mean_usd);
  }
  for (const AgentMetrics& a : m.agents) flatten_agent(f, a);
  for (const NodeMetrics& n : m.nodes) flatten_node(f, n);
  for (const SubWorkflowMetrics& w : m.sub_workflows) flatten_sub_workflow(f, w);
  flatten_tail(f, m);
  return out;
}

}  // namespace orchsim::eval
