#include "eval/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <span>
#include <string_view>

#include "eval/json_number.hpp"
#include "eval/run_metrics_json.hpp"
#include "eval/statistics.hpp"

namespace orchsim::eval {
namespace {

using Json = nlohmann::ordered_json;
using orchestration::AgentIndex;
using orchestration::kNoNode;
using orchestration::NodeId;

// Precision of each kind of number in the exports.
constexpr int kMsDecimals = 4;
constexpr int kRateDecimals = 6;
constexpr int kUsdDecimals = 8;
constexpr int kMeanDecimals = 4;

std::optional<double> ratio(double numerator, std::uint64_t denominator) {
  if (denominator == 0) return std::nullopt;
  return numerator / static_cast<double>(denominator);
}

std::optional<double> quantile_ms(const LogLinearHistogram& h, double q) {
  if (h.empty()) return std::nullopt;
  return h.quantile(q) * 1e-6;
}

std::optional<double> mean_ms(const LogLinearHistogram& h) {
  if (h.empty()) return std::nullopt;
  return h.mean() * 1e-6;
}

}  // namespace

std::string_view MetricsCollector::to_string(orchestration::BudgetExhausted::Kind kind) {
  using Kind = orchestration::BudgetExhausted::Kind;
  switch (kind) {
    case Kind::kRetryBudget:
      return "retry_budget";
    case Kind::kDeadline:
      return "deadline";
    case Kind::kLoopBound:
      return "loop_bound";
    case Kind::kBreakerOpen:
      return "breaker_open";
  }
  return "unknown";
}

MetricsCollector::MetricsCollector(const orchestration::Workflow& workflow,
                                   std::vector<std::string> agent_names,
                                   std::vector<std::string> class_names, double quality_threshold)
    : quality_threshold_(quality_threshold),
      // Edges: rows from + 1 (0 is the entry), columns to; decisions: node x agent.
      edges_(workflow.nodes.size() + 1, workflow.nodes.size()),
      decisions_(workflow.nodes.size(), agent_names.size()) {
  node_names_.reserve(workflow.nodes.size());
  for (const auto& n : workflow.nodes) node_names_.push_back(n.name);
  node_scopes_.assign(workflow.nodes.size(), std::string());
  node_calls_.assign(workflow.nodes.size(), std::string());
  for (const orchestration::SubWorkflow& sub : workflow.sub_workflows) {
    SubWorkflowStats st;
    st.name = sub.name;
    for (NodeId i = sub.first; i < sub.first + sub.count && i < workflow.nodes.size(); ++i) {
      node_scopes_[i] = sub.name;
      st.nodes.push_back(workflow.nodes[i].name);
    }
    sub_workflows_.push_back(std::move(st));
  }
  for (NodeId i = 0; i < workflow.nodes.size(); ++i) {
    const orchestration::Node& n = workflow.nodes[i];
    if (n.kind != orchestration::NodeKind::kCall) continue;
    for (std::size_t v = 0; v <= n.on_revisit.size(); ++v) {
      const orchestration::CallNode& c = v == 0 ? n.call : n.on_revisit[v - 1].call;
      if (c.sub_workflow >= sub_workflows_.size()) continue;
      node_calls_[i] = sub_workflows_[c.sub_workflow].name;
      std::vector<std::string>& by = sub_workflows_[c.sub_workflow].called_by;
      if (std::find(by.begin(), by.end(), n.name) == by.end()) by.push_back(n.name);
    }
  }
  agents_.resize(agent_names.size());
  for (std::size_t i = 0; i < agent_names.size(); ++i) agents_[i].name = std::move(agent_names[i]);
  classes_.resize(class_names.size());
  for (std::size_t i = 0; i < class_names.size(); ++i) classes_[i].name = std::move(class_names[i]);
}

MetricsCollector::AgentStats& MetricsCollector::add_agents_through(AgentIndex index) {
  while (agents_.size() <= index) {
    agents_.emplace_back();
    agents_.back().name = fmt::format("agent{}", agents_.size() - 1);
  }
  return agents_[index];
}

MetricsCollector::ClassStats& MetricsCollector::add_classes_through(std::uint32_t index) {
  while (classes_.size() <= index) {
    classes_.emplace_back();
    classes_.back().name = fmt::format("class{}", classes_.size() - 1);
  }
  return classes_[index];
}

std::string MetricsCollector::node_name(NodeId node) const {
  if (node == kNoNode) return "start";
  if (node < node_names_.size()) return node_names_[node];
  return fmt::format("node{}", node);
}

// --- Events ----------------------------------------------------------------

void MetricsCollector::on_request_arrived(const orchestration::RequestArrived& e) {
  if (e.at < sim::Time::zero() + warmup_) {
    // Counted now: one still in flight at the end is excluded all the same
    // (every request is measured or excluded).
    ++excluded_warmup_;
    warmup_in_flight_.insert(e.request);
    return;
  }
  ++requests_.arrived;
}

void MetricsCollector::add_to_series(double latency_ms) {
  pending_sum_ += latency_ms;
  if (++pending_count_ < series_batch_) return;
  series_.push_back(pending_sum_ / static_cast<double>(series_batch_));
  pending_sum_ = 0.0;
  pending_count_ = 0;
  if (series_.size() == kSeriesMax) {
    for (std::size_t i = 0; i < kSeriesMax / 2; ++i) {
      series_[i] = 0.5 * (series_[2 * i] + series_[2 * i + 1]);
    }
    series_.resize(kSeriesMax / 2);
    series_batch_ *= 2;
  }
}

std::uint64_t& MetricsCollector::NamedCounter::count(NamedCounts& counts, std::string_view name) {
  if (last_name_ != nullptr && *last_name_ == name) return *last_count_;
  auto it = counts.find(name);
  if (it == counts.end()) it = counts.emplace(std::string(name), 0).first;
  last_name_ = &it->first;
  last_count_ = &it->second;
  return it->second;
}

void MetricsCollector::on_request_finished(const orchestration::RequestFinished& e) {
  if (e.at - e.latency < sim::Time::zero() + warmup_) {
    warmup_in_flight_.erase(e.request);
    return;
  }
  add_to_series(e.latency.milliseconds_f());
  RequestStats& r = requests_;
  ++r.finished;
  const std::int64_t latency = e.latency.count_ns();
  r.latency_all.record(latency);
  ClassStats& c = klass(e.class_index);
  ++c.finished;
  c.latency.record(latency);
  c.cost_usd += e.cost_usd;
  if (e.success) {
    ++r.completed;
    ++completed_outcomes_.count(r.completed_by_outcome, e.outcome);
    r.latency_success.record(latency);
    r.quality_sum += e.quality;
    if (e.quality >= quality_threshold_) ++r.quality_pass;
    if (e.answer_silent_failure) ++r.silent_answers;
    ++c.completed;
    c.quality_sum += e.quality;
  } else {
    ++r.failed;
    ++failed_causes_.count(r.failed_by_cause, e.outcome);
    if (e.outcome == "stuck") ++coordination_.stuck;
  }
  r.input_tokens += e.input_tokens;
  r.output_tokens += e.output_tokens;
  r.cost_usd += e.cost_usd;
  r.calls += e.calls;
  r.retries += e.retries;
  r.hedges += e.hedges;
  r.timeouts += e.timeouts;
  r.fallbacks += e.fallbacks;
  r.redirects += e.redirects;
}

void MetricsCollector::on_call_started(const orchestration::CallStarted& e) {
  if (in_warmup(e.request)) return;
  ++agent(e.agent).calls_started;
  ++node_stats(e.node).calls_started;
}

void MetricsCollector::on_call_ended(const orchestration::CallEnded& e) {
  if (in_warmup(e.request)) return;
  AgentStats& a = agent(e.agent);
  const auto end = static_cast<std::size_t>(e.end);
  if (end < kCallEnds) ++a.calls_ended[end];
  const auto error = static_cast<std::size_t>(e.error);
  if (error != 0 && error < kErrorKinds) ++a.errors[error];
  a.queue_wait.record(e.queue_wait.count_ns());
  a.duration.record(e.duration.count_ns());
  a.input_tokens += e.input_tokens;
  a.output_tokens += e.output_tokens;
  a.cost_usd += e.cost_usd;
  NodeStats& n = node_stats(e.node);
  if (end < kCallEnds) ++n.calls_ended[end];
  n.duration_sum_ns = sim::add_saturating(n.duration_sum_ns, e.duration.count_ns());
  CoordinationStats& c = coordination_;
  c.all_calls_cost_usd += e.cost_usd;
  if (e.redundant) {
    ++c.duplicated_calls;
    c.duplicated_cost_usd += e.cost_usd;
  }
  if (e.silent) ++c.silent_outputs;
  if (e.caught_silent) ++c.silent_caught;
}

void MetricsCollector::on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) {
  if (in_warmup(e.request)) return;
  ++node_stats(e.node).runs_started;
  if (e.sub_workflow < sub_workflows_.size()) ++sub_workflows_[e.sub_workflow].runs_started;
}

void MetricsCollector::on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) {
  if (in_warmup(e.request)) return;
  const auto end = static_cast<std::size_t>(e.end);
  NodeStats& n = node_stats(e.node);
  if (end < kCallEnds) ++n.runs_ended[end];
  n.run_duration_sum_ns = sim::add_saturating(n.run_duration_sum_ns, e.duration.count_ns());
  if (e.sub_workflow >= sub_workflows_.size()) return;
  SubWorkflowStats& w = sub_workflows_[e.sub_workflow];
  if (end < kCallEnds) ++w.runs_ended[end];
  w.duration_sum_ns = sim::add_saturating(w.duration_sum_ns, e.duration.count_ns());
  w.calls += e.calls;
  w.cost_usd += e.cost_usd;
}

void MetricsCollector::on_routing_decision(const orchestration::RoutingDecision& e) {
  if (in_warmup(e.request)) return;
  decisions_.add(e.node, e.choice);
}

void MetricsCollector::on_node_entered(const orchestration::NodeEntered& e) {
  if (in_warmup(e.request)) return;
  const std::uint64_t from = e.from == kNoNode ? 0 : std::uint64_t{e.from} + 1;
  edges_.add(from, e.to);
}

void MetricsCollector::on_retry_scheduled(const orchestration::RetryScheduled& e) {
  if (in_warmup(e.request)) return;
  ++events_.retries_scheduled;
}

void MetricsCollector::on_hedge_launched(const orchestration::HedgeLaunched& e) {
  if (in_warmup(e.request)) return;
  ++events_.hedges_launched;
}

void MetricsCollector::on_breaker_changed(const orchestration::BreakerChanged& e) {
  AgentStats& a = agent(e.agent);
  ++a.breaker_transitions;
  if (a.open_since && e.to != orchestration::BreakerState::kOpen) {
    a.breaker_open_time += e.at - *a.open_since;
    a.open_since.reset();
  }
  if (e.to == orchestration::BreakerState::kOpen && !a.open_since) a.open_since = e.at;
}

void MetricsCollector::on_context_fitted(const orchestration::ContextFitted& e) {
  if (in_warmup(e.request)) return;
  ++events_.context_fits;
  if (e.tokens_after < e.tokens_before) ++events_.context_truncated;
  if (e.summarized) ++events_.context_summarized;
  events_.context_retained_sum += e.retained;
}

void MetricsCollector::on_budget_exhausted(const orchestration::BudgetExhausted& e) {
  if (in_warmup(e.request)) return;
  const auto kind = static_cast<std::size_t>(e.kind);
  if (kind < kBudgetKinds) ++budget_[kind];
}

void MetricsCollector::finalize(sim::Time end, std::vector<AgentUsage> usage) {
  end_ = end;
  for (std::size_t i = 0; i < usage.size(); ++i) agent(static_cast<AgentIndex>(i));
  for (std::size_t i = 0; i < agents_.size(); ++i) {
    AgentStats& a = agents_[i];
    if (a.open_since) {
      if (end > *a.open_since) a.breaker_open_time += end - *a.open_since;
      a.open_since.reset();
    }
    if (i >= usage.size()) continue;
    a.has_usage = true;
    a.servers = usage[i].servers;
    a.busy_server_time = usage[i].busy_server_time;
    a.max_queue_length = usage[i].max_queue_length;
    const std::int64_t capacity_ns = end.count_ns();
    a.utilisation = (a.servers == 0 || capacity_ns <= 0)
                        ? 0.0
                        : static_cast<double>(a.busy_server_time.count_ns()) /
                              (static_cast<double>(a.servers) * static_cast<double>(capacity_ns));
  }
}

std::uint64_t MetricsCollector::edge_count(NodeId from, NodeId to) const {
  const std::uint64_t key = from == kNoNode ? 0 : std::uint64_t{from} + 1;
  return edges_.count(key, to);
}

std::uint64_t MetricsCollector::decision_count(NodeId node, AgentIndex agent_index) const {
  return decisions_.count(node, agent_index);
}

// --- Exports ---------------------------------------------------------------

namespace {

// A number as the report holds it: rounded to `decimals`, nullopt for a
// missing or non-finite value.
std::optional<double> rounded(std::optional<double> v, int decimals) {
  if (!v || !std::isfinite(*v)) return std::nullopt;
  return round_to(*v, decimals);
}

LatencySummary latency_summary(const LogLinearHistogram& h) {
  LatencySummary l;
  l.count = h.count();
  l.mean = rounded(mean_ms(h), kMsDecimals);
  if (!h.empty()) {
    l.min = rounded(static_cast<double>(h.min()) * 1e-6, kMsDecimals);
    l.max = rounded(static_cast<double>(h.max()) * 1e-6, kMsDecimals);
  }
  l.p50 = rounded(quantile_ms(h, 0.50), kMsDecimals);
  l.p90 = rounded(quantile_ms(h, 0.90), kMsDecimals);
  l.p95 = rounded(quantile_ms(h, 0.95), kMsDecimals);
  l.p99 = rounded(quantile_ms(h, 0.99), kMsDecimals);
  l.p999 = rounded(quantile_ms(h, 0.999), kMsDecimals);
  return l;
}

CallEndCounts call_ends(const std::array<std::uint64_t, MetricsCollector::kCallEnds>& counts) {
  // By CallEnd: success, invalid, error, timeout, cancelled.
  return {counts[0], counts[1], counts[2], counts[3], counts[4]};
}

ClassMetrics class_metrics(const MetricsCollector::ClassStats& c) {
  ClassMetrics out;
  out.name = c.name;
  out.count = c.finished;
  out.completed = c.completed;
  out.success_rate = rounded(ratio(static_cast<double>(c.completed), c.finished), kRateDecimals);
  out.latency_p50_ms = rounded(quantile_ms(c.latency, 0.50), kMsDecimals);
  out.latency_p99_ms = rounded(quantile_ms(c.latency, 0.99), kMsDecimals);
  out.quality_mean = rounded(ratio(c.quality_sum, c.completed), kRateDecimals);
  out.cost_mean_usd = rounded(ratio(c.cost_usd, c.finished), kUsdDecimals);
  return out;
}

AgentMetrics agent_metrics(const MetricsCollector::AgentStats& a) {
  AgentMetrics out;
  out.name = a.name;
  out.calls_started = a.calls_started;
  out.calls_ended = call_ends(a.calls_ended);
  for (std::size_t k = 1; k < MetricsCollector::kErrorKinds; ++k)
    out.errors.counts[k - 1] = a.errors[k];
  out.queue_wait_mean_ms = rounded(mean_ms(a.queue_wait), kMsDecimals);
  out.queue_wait_p99_ms = rounded(quantile_ms(a.queue_wait, 0.99), kMsDecimals);
  // P(wait): the share of ended calls that queued at all (zero is a bucket
  // of its own, so this is exact). Erlang C for an M/M/c agent.
  out.p_wait = rounded(
      ratio(static_cast<double>(a.queue_wait.count() - a.queue_wait.zeros()), a.queue_wait.count()),
      kRateDecimals);
  out.duration_p50_ms = rounded(quantile_ms(a.duration, 0.50), kMsDecimals);
  out.duration_p99_ms = rounded(quantile_ms(a.duration, 0.99), kMsDecimals);
  out.input_tokens = a.input_tokens;
  out.output_tokens = a.output_tokens;
  out.cost_usd = round_to(a.cost_usd, kUsdDecimals);
  out.breaker_transitions = a.breaker_transitions;
  out.breaker_open_ms = round_to(a.breaker_open_time.milliseconds_f(), kMsDecimals);
  if (a.has_usage) {
    out.servers = a.servers;
    out.busy_ms = rounded(a.busy_server_time.milliseconds_f(), kMsDecimals);
    out.utilisation = rounded(a.utilisation, kRateDecimals);
    out.max_queue_length = a.max_queue_length;
  }
  return out;
}

}  // namespace

RequestMetrics MetricsCollector::request_metrics() const {
  const RequestStats& r = requests_;
  RequestMetrics out;
  out.arrived = r.arrived;
  out.finished = r.finished;
  out.completed = r.completed;
  out.failed = r.failed;
  out.in_flight = r.arrived >= r.finished ? r.arrived - r.finished : 0;
  out.success_rate = rounded(ratio(static_cast<double>(r.completed), r.finished), kRateDecimals);
  if (end_ && end_->count_ns() > 0) {
    out.throughput_rps =
        rounded(static_cast<double>(r.completed) / end_->seconds_f(), kRateDecimals);
  }
  out.completed_by_outcome.assign(r.completed_by_outcome.begin(), r.completed_by_outcome.end());
  out.failed_by_cause.assign(r.failed_by_cause.begin(), r.failed_by_cause.end());
  return out;
}

void MetricsCollector::add_structure(RunMetrics& m) const {
  for (std::size_t node = 0; node < nodes_.size(); ++node) {
    const NodeStats& n = nodes_[node];
    if (n.calls_started == 0 && n.runs_started == 0) continue;  // only nodes that did something
    NodeMetrics out;
    out.name = node_name(static_cast<NodeId>(node));
    out.calls_started = n.calls_started;
    out.calls_ended = call_ends(n.calls_ended);
    out.duration_mean_ms = rounded(
        ratio(static_cast<double>(n.duration_sum_ns) * 1e-6, out.calls_ended.total()), kMsDecimals);
    if (node < node_scopes_.size()) out.workflow = node_scopes_[node];
    if (node < node_calls_.size() && !node_calls_[node].empty()) {
      out.sub_workflow = node_calls_[node];
      out.runs_started = n.runs_started;
      out.runs_ended = call_ends(n.runs_ended);
      out.run_duration_mean_ms =
          rounded(ratio(static_cast<double>(n.run_duration_sum_ns) * 1e-6, out.runs_ended.total()),
                  kMsDecimals);
    }
    m.nodes.push_back(std::move(out));
  }
  for (const SubWorkflowStats& w : sub_workflows_) {
    SubWorkflowMetrics out;
    out.name = w.name;
    out.runs_started = w.runs_started;
    out.runs_ended = call_ends(w.runs_ended);
    const std::uint64_t runs = out.runs_ended.total();
    out.duration_mean_ms =
        rounded(ratio(static_cast<double>(w.duration_sum_ns) * 1e-6, runs), kMsDecimals);
    out.calls_per_run = rounded(ratio(static_cast<double>(w.calls), runs), kMeanDecimals);
    out.cost_per_run_usd = rounded(ratio(w.cost_usd, runs), kUsdDecimals);
    out.called_by = w.called_by;
    out.nodes = w.nodes;
    m.sub_workflows.push_back(std::move(out));
  }
  edges_.for_each([&](std::uint64_t row, std::uint64_t to, std::uint64_t n) {
    const NodeId from = row == 0 ? kNoNode : static_cast<NodeId>(row - 1);
    m.edges.push_back({node_name(from), node_name(static_cast<NodeId>(to)), n});
  });
  decisions_.for_each([&](std::uint64_t node, std::uint64_t agent, std::uint64_t n) {
    std::string agent_name =
        agent < agents_.size() ? agents_[agent].name : fmt::format("agent{}", agent);
    m.decisions.push_back({node_name(static_cast<NodeId>(node)), std::move(agent_name), n});
  });
}

// One long run's own error bar: MSER-5 picks the warm-up to drop from the
// latency series (in finish order), batch means give the interval.
SteadyStateMetrics MetricsCollector::steady_state() const {
  SteadyStateMetrics s;
  s.warmup_ms = round_to(warmup_.milliseconds_f(), kMsDecimals);
  s.excluded_warmup = excluded_warmup_;
  s.series_batch = series_batch_;
  if (series_.size() >= 40) {  // 20 batches of at least 2 points after truncation
    const std::size_t drop_points = stats::mser_truncation(series_, 5);
    s.mser5_warmup_requests = static_cast<std::uint64_t>(drop_points) * series_batch_;
    const std::span<const double> kept(series_.data() + drop_points, series_.size() - drop_points);
    if (kept.size() >= 40) {
      const stats::BatchMeansResult bm = stats::batch_means(kept, 20);
      s.latency_mean_ms = rounded(bm.ci.mean, kMsDecimals);
      s.ci95_low_ms = rounded(bm.ci.low(), kMsDecimals);
      s.ci95_high_ms = rounded(bm.ci.high(), kMsDecimals);
    }
  }
  return s;
}

RunMetrics MetricsCollector::result() const {
  const RequestStats& r = requests_;
  RunMetrics m;
  m.quality_threshold = quality_threshold_;
  if (end_) m.end_ms = rounded(static_cast<double>(end_->count_ns()) * 1e-6, kMsDecimals);
  m.requests = request_metrics();
  m.latency_all = latency_summary(r.latency_all);
  m.latency_success = latency_summary(r.latency_success);
  m.quality.mean = rounded(ratio(r.quality_sum, r.completed), kRateDecimals);
  m.quality.pass_rate =
      rounded(ratio(static_cast<double>(r.quality_pass), r.completed), kRateDecimals);
  m.quality.pass_rate_of_finished =
      rounded(ratio(static_cast<double>(r.quality_pass), r.finished), kRateDecimals);
  m.quality.silent_failure_rate =
      rounded(ratio(static_cast<double>(r.silent_answers), r.completed), kRateDecimals);
  const auto per_request = [&](double sum, int decimals) {
    return rounded(ratio(sum, r.finished), decimals);
  };
  PerRequestMetrics& p = m.per_request;
  p.input_tokens = per_request(static_cast<double>(r.input_tokens), kMeanDecimals);
  p.output_tokens = per_request(static_cast<double>(r.output_tokens), kMeanDecimals);
  p.cost_usd = per_request(r.cost_usd, kUsdDecimals);
  p.calls = per_request(static_cast<double>(r.calls), kMeanDecimals);
  p.retries = per_request(static_cast<double>(r.retries), kMeanDecimals);
  p.hedges = per_request(static_cast<double>(r.hedges), kMeanDecimals);
  p.timeouts = per_request(static_cast<double>(r.timeouts), kMeanDecimals);
  p.fallbacks = per_request(static_cast<double>(r.fallbacks), kMeanDecimals);
  p.redirects = per_request(static_cast<double>(r.redirects), kMeanDecimals);
  for (const ClassStats& c : classes_) m.classes.push_back(class_metrics(c));
  for (const AgentStats& a : agents_) m.agents.push_back(agent_metrics(a));
  add_structure(m);
  using Kind = orchestration::BudgetExhausted::Kind;
  m.budget_exhausted = {budget_exhausted(Kind::kRetryBudget), budget_exhausted(Kind::kDeadline),
                        budget_exhausted(Kind::kLoopBound), budget_exhausted(Kind::kBreakerOpen)};
  m.events = {events_.retries_scheduled,
              events_.hedges_launched,
              events_.context_fits,
              events_.context_truncated,
              events_.context_summarized,
              rounded(ratio(events_.context_retained_sum, events_.context_fits), kRateDecimals)};
  m.steady_state = steady_state();
  const CoordinationStats& c = coordination_;
  m.coordination = CoordinationMetrics{
      .duplicated_calls = c.duplicated_calls,
      .duplicated_cost_usd = round_to(c.duplicated_cost_usd, kUsdDecimals),
      .silent_outputs = c.silent_outputs,
      .silent_caught = c.silent_caught,
      .silent_caught_rate =
          rounded(ratio(static_cast<double>(c.silent_caught), c.silent_outputs), kRateDecimals),
      .stuck_requests = c.stuck,
      .cost_per_request_usd = rounded(ratio(c.all_calls_cost_usd, r.finished), kUsdDecimals)};
  return m;
}

nlohmann::ordered_json MetricsCollector::to_json() const { return eval::to_json(result()); }

}  // namespace orchsim::eval
