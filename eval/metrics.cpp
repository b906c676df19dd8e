#include "eval/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <span>
#include <string_view>

#include "eval/json_number.hpp"
#include "eval/statistics.hpp"

namespace orchsim::eval {
namespace {

using Json = nlohmann::ordered_json;
using orchestration::AgentIndex;
using orchestration::kNoNode;
using orchestration::NodeId;

constexpr std::array<orchestration::CallEnd, MetricsCollector::kCallEnds> kEnds = {
    orchestration::CallEnd::kSuccess, orchestration::CallEnd::kInvalid,
    orchestration::CallEnd::kError, orchestration::CallEnd::kTimeout,
    orchestration::CallEnd::kCancelled};
// Precision of each kind of number in the exports.
constexpr int kMsDecimals = 4;
constexpr int kRateDecimals = 6;
constexpr int kUsdDecimals = 8;
constexpr int kMeanDecimals = 4;

Json number(std::optional<double> v, int decimals) { return json_number(v, decimals); }

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

Json latency_summary(const LogLinearHistogram& h) {
  Json j;
  j["count"] = h.count();
  j["mean"] = number(mean_ms(h), kMsDecimals);
  j["min"] =
      number(h.empty() ? std::nullopt : std::optional<double>(static_cast<double>(h.min()) * 1e-6),
             kMsDecimals);
  j["p50"] = number(quantile_ms(h, 0.50), kMsDecimals);
  j["p90"] = number(quantile_ms(h, 0.90), kMsDecimals);
  j["p95"] = number(quantile_ms(h, 0.95), kMsDecimals);
  j["p99"] = number(quantile_ms(h, 0.99), kMsDecimals);
  j["p999"] = number(quantile_ms(h, 0.999), kMsDecimals);
  j["max"] =
      number(h.empty() ? std::nullopt : std::optional<double>(static_cast<double>(h.max()) * 1e-6),
             kMsDecimals);
  return j;
}

std::string_view error_name(std::size_t kind) {
  return mock_agents::to_string(static_cast<mock_agents::ErrorKind>(kind));
}

// --- Text output helpers ---------------------------------------------------

// A JSON number as text: integers as they are, doubles in shortest
// round-trip form (fmt's, locale-free); null as "".
std::string value_text(const Json& v) {
  if (v.is_null()) return {};
  if (v.is_number_unsigned()) return fmt::format("{}", v.get<std::uint64_t>());
  if (v.is_number_integer()) return fmt::format("{}", v.get<std::int64_t>());
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A number for the table: fixed decimals, "-" for null.
std::string fixed(const Json& v, int decimals) {
  if (v.is_null()) return "-";
  if (v.is_number_integer()) return fmt::format("{}", v.get<std::int64_t>());
  return fmt::format("{:.{}f}", v.get<double>(), decimals);
}
std::string percent(const Json& v) {
  if (v.is_null()) return "-";
  return fmt::format("{:.2f}%", 100.0 * v.get<double>());
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
  auto bump = [](auto& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), 0).first;
    ++it->second;
  };
  ClassStats& c = klass(e.class_index);
  ++c.finished;
  c.latency.record(latency);
  c.cost_usd += e.cost_usd;
  if (e.success) {
    ++r.completed;
    bump(r.completed_by_outcome, e.outcome);
    r.latency_success.record(latency);
    r.quality_sum += e.quality;
    if (e.quality >= quality_threshold_) ++r.quality_pass;
    if (e.answer_silent_failure) ++r.silent_answers;
    ++c.completed;
    c.quality_sum += e.quality;
  } else {
    ++r.failed;
    bump(r.failed_by_cause, e.outcome);
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
  n.duration_sum_ns += e.duration.count_ns();
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
  n.run_duration_sum_ns += e.duration.count_ns();
  if (e.sub_workflow >= sub_workflows_.size()) return;
  SubWorkflowStats& w = sub_workflows_[e.sub_workflow];
  if (end < kCallEnds) ++w.runs_ended[end];
  w.duration_sum_ns += e.duration.count_ns();
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

nlohmann::ordered_json MetricsCollector::to_json() const {
  const RequestStats& r = requests_;
  Json j;
  j["quality_threshold"] = quality_threshold_;
  j["end_ms"] = number(
      end_ ? std::optional<double>(static_cast<double>(end_->count_ns()) * 1e-6) : std::nullopt,
      kMsDecimals);

  Json req;
  req["arrived"] = r.arrived;
  req["finished"] = r.finished;
  req["completed"] = r.completed;
  req["failed"] = r.failed;
  req["in_flight"] = r.arrived >= r.finished ? r.arrived - r.finished : 0;
  req["success_rate"] = number(ratio(static_cast<double>(r.completed), r.finished), kRateDecimals);
  std::optional<double> throughput;
  if (end_ && end_->count_ns() > 0)
    throughput = static_cast<double>(r.completed) / end_->seconds_f();
  req["throughput_rps"] = number(throughput, kRateDecimals);
  req["completed_by_outcome"] = Json::object();
  for (const auto& [name, n] : r.completed_by_outcome) req["completed_by_outcome"][name] = n;
  req["failed_by_cause"] = Json::object();
  for (const auto& [name, n] : r.failed_by_cause) req["failed_by_cause"][name] = n;
  j["requests"] = std::move(req);

  j["latency_ms"] = {{"all", latency_summary(r.latency_all)},
                     {"success", latency_summary(r.latency_success)}};

  Json quality;
  quality["mean"] = number(ratio(r.quality_sum, r.completed), kRateDecimals);
  quality["pass_rate"] =
      number(ratio(static_cast<double>(r.quality_pass), r.completed), kRateDecimals);
  quality["pass_rate_of_finished"] =
      number(ratio(static_cast<double>(r.quality_pass), r.finished), kRateDecimals);
  quality["silent_failure_rate"] =
      number(ratio(static_cast<double>(r.silent_answers), r.completed), kRateDecimals);
  j["quality"] = std::move(quality);

  Json per;
  const auto per_request = [&](double sum, int decimals) {
    return number(ratio(sum, r.finished), decimals);
  };
  per["input_tokens"] = per_request(static_cast<double>(r.input_tokens), kMeanDecimals);
  per["output_tokens"] = per_request(static_cast<double>(r.output_tokens), kMeanDecimals);
  per["cost_usd"] = per_request(r.cost_usd, kUsdDecimals);
  per["calls"] = per_request(static_cast<double>(r.calls), kMeanDecimals);
  per["retries"] = per_request(static_cast<double>(r.retries), kMeanDecimals);
  per["hedges"] = per_request(static_cast<double>(r.hedges), kMeanDecimals);
  per["timeouts"] = per_request(static_cast<double>(r.timeouts), kMeanDecimals);
  per["fallbacks"] = per_request(static_cast<double>(r.fallbacks), kMeanDecimals);
  per["redirects"] = per_request(static_cast<double>(r.redirects), kMeanDecimals);
  j["per_request"] = std::move(per);

  Json classes = Json::array();
  for (const ClassStats& c : classes_) {
    Json cj;
    cj["name"] = c.name;
    cj["count"] = c.finished;
    cj["completed"] = c.completed;
    cj["success_rate"] = number(ratio(static_cast<double>(c.completed), c.finished), kRateDecimals);
    cj["latency_p50_ms"] = number(quantile_ms(c.latency, 0.50), kMsDecimals);
    cj["latency_p99_ms"] = number(quantile_ms(c.latency, 0.99), kMsDecimals);
    cj["quality_mean"] = number(ratio(c.quality_sum, c.completed), kRateDecimals);
    cj["cost_mean_usd"] = number(ratio(c.cost_usd, c.finished), kUsdDecimals);
    classes.push_back(std::move(cj));
  }
  j["classes"] = std::move(classes);

  Json agents = Json::array();
  for (const AgentStats& a : agents_) {
    Json aj;
    aj["name"] = a.name;
    aj["calls_started"] = a.calls_started;
    Json ended;
    for (std::size_t k = 0; k < kCallEnds; ++k) {
      ended[std::string(orchestration::to_string(kEnds[k]))] = a.calls_ended[k];
    }
    aj["calls_ended"] = std::move(ended);
    Json errors;
    for (std::size_t k = 1; k < kErrorKinds; ++k) errors[std::string(error_name(k))] = a.errors[k];
    aj["errors"] = std::move(errors);
    aj["queue_wait_ms"] = {{"mean", number(mean_ms(a.queue_wait), kMsDecimals)},
                           {"p99", number(quantile_ms(a.queue_wait, 0.99), kMsDecimals)}};
    // P(wait): the share of ended calls that queued at all (zero is a bucket
    // of its own, so this is exact). Erlang C for an M/M/c agent.
    aj["p_wait"] = number(ratio(static_cast<double>(a.queue_wait.count() - a.queue_wait.zeros()),
                                a.queue_wait.count()),
                          kRateDecimals);
    aj["duration_ms"] = {{"p50", number(quantile_ms(a.duration, 0.50), kMsDecimals)},
                         {"p99", number(quantile_ms(a.duration, 0.99), kMsDecimals)}};
    aj["input_tokens"] = a.input_tokens;
    aj["output_tokens"] = a.output_tokens;
    aj["cost_usd"] = number(a.cost_usd, kUsdDecimals);
    aj["breaker"] = {{"transitions", a.breaker_transitions},
                     {"open_ms", number(a.breaker_open_time.milliseconds_f(), kMsDecimals)}};
    if (a.has_usage) {
      aj["servers"] = a.servers;
      aj["busy_ms"] = number(a.busy_server_time.milliseconds_f(), kMsDecimals);
      aj["utilisation"] = number(a.utilisation, kRateDecimals);
      aj["max_queue_length"] = a.max_queue_length;
    } else {
      aj["servers"] = nullptr;
      aj["busy_ms"] = nullptr;
      aj["utilisation"] = nullptr;
      aj["max_queue_length"] = nullptr;
    }
    agents.push_back(std::move(aj));
  }
  j["agents"] = std::move(agents);

  // Ends by kind, as an object, and their total.
  const auto ends_json = [](const std::array<std::uint64_t, kCallEnds>& counts,
                            std::uint64_t& total) {
    Json ended;
    total = 0;
    for (std::size_t k = 0; k < kCallEnds; ++k) {
      ended[std::string(orchestration::to_string(kEnds[k]))] = counts[k];
      total += counts[k];
    }
    return ended;
  };
  Json nodes = Json::array();
  for (std::size_t node = 0; node < nodes_.size(); ++node) {
    const NodeStats& n = nodes_[node];
    if (n.calls_started == 0 && n.runs_started == 0) continue;  // only nodes that did something
    Json nj;
    nj["name"] = node_name(static_cast<NodeId>(node));
    nj["calls_started"] = n.calls_started;
    std::uint64_t ended_total = 0;
    nj["calls_ended"] = ends_json(n.calls_ended, ended_total);
    nj["duration_mean_ms"] =
        number(ratio(static_cast<double>(n.duration_sum_ns) * 1e-6, ended_total), kMsDecimals);
    if (node < node_scopes_.size() && !node_scopes_[node].empty()) {
      nj["workflow"] = node_scopes_[node];
    }
    if (node < node_calls_.size() && !node_calls_[node].empty()) {
      nj["sub_workflow"] = node_calls_[node];
      nj["runs_started"] = n.runs_started;
      std::uint64_t runs_total = 0;
      nj["runs_ended"] = ends_json(n.runs_ended, runs_total);
      nj["run_duration_mean_ms"] =
          number(ratio(static_cast<double>(n.run_duration_sum_ns) * 1e-6, runs_total), kMsDecimals);
    }
    nodes.push_back(std::move(nj));
  }
  j["nodes"] = std::move(nodes);
  Json subs = Json::array();
  for (const SubWorkflowStats& w : sub_workflows_) {
    Json wj;
    wj["name"] = w.name;
    wj["runs_started"] = w.runs_started;
    std::uint64_t runs_total = 0;
    wj["runs_ended"] = ends_json(w.runs_ended, runs_total);
    wj["duration_mean_ms"] =
        number(ratio(static_cast<double>(w.duration_sum_ns) * 1e-6, runs_total), kMsDecimals);
    wj["calls_per_run"] = number(ratio(static_cast<double>(w.calls), runs_total), kMeanDecimals);
    wj["cost_per_run_usd"] = number(ratio(w.cost_usd, runs_total), kUsdDecimals);
    wj["called_by"] = w.called_by;
    wj["nodes"] = w.nodes;
    subs.push_back(std::move(wj));
  }
  j["sub_workflows"] = std::move(subs);

  Json edges = Json::array();
  edges_.for_each([&](std::uint64_t row, std::uint64_t to, std::uint64_t n) {
    const NodeId from = row == 0 ? kNoNode : static_cast<NodeId>(row - 1);
    edges.push_back(
        {{"from", node_name(from)}, {"to", node_name(static_cast<NodeId>(to))}, {"count", n}});
  });
  Json decisions = Json::array();
  decisions_.for_each([&](std::uint64_t node, std::uint64_t agent, std::uint64_t n) {
    const std::string agent_name =
        agent < agents_.size() ? agents_[agent].name : fmt::format("agent{}", agent);
    decisions.push_back(
        {{"node", node_name(static_cast<NodeId>(node))}, {"agent", agent_name}, {"count", n}});
  });
  j["routing"] = {{"edges", std::move(edges)}, {"decisions", std::move(decisions)}};

  Json budget;
  for (std::size_t k = 0; k < kBudgetKinds; ++k) {
    budget[std::string(to_string(static_cast<orchestration::BudgetExhausted::Kind>(k)))] =
        budget_[k];
  }
  j["budget_exhausted"] = std::move(budget);

  Json events;
  events["retries_scheduled"] = events_.retries_scheduled;
  events["hedges_launched"] = events_.hedges_launched;
  events["context_fits"] = events_.context_fits;
  events["context_truncated"] = events_.context_truncated;
  events["context_summarized"] = events_.context_summarized;
  events["context_retained_mean"] =
      number(ratio(events_.context_retained_sum, events_.context_fits), kRateDecimals);
  j["events"] = std::move(events);

  // One long run's own error bar: MSER-5 picks the warm-up to drop from the
  // latency series (in finish order), batch means give the interval.
  Json steady;
  steady["warmup_ms"] = number(warmup_.milliseconds_f(), kMsDecimals);
  steady["excluded_warmup"] = excluded_warmup_;
  steady["series_batch"] = series_batch_;
  std::optional<double> steady_mean, low, high;
  std::uint64_t mser_requests = 0;
  if (series_.size() >= 40) {  // 20 batches of at least 2 points after truncation
    const std::size_t drop_points = stats::mser_truncation(series_, 5);
    mser_requests = static_cast<std::uint64_t>(drop_points) * series_batch_;
    const std::span<const double> kept(series_.data() + drop_points, series_.size() - drop_points);
    if (kept.size() >= 40) {
      const stats::BatchMeansResult bm = stats::batch_means(kept, 20);
      steady_mean = bm.ci.mean;
      low = bm.ci.low();
      high = bm.ci.high();
    }
  }
  steady["mser5_warmup_requests"] = mser_requests;
  steady["latency_mean_ms"] = number(steady_mean, kMsDecimals);
  steady["ci95_low_ms"] = number(low, kMsDecimals);
  steady["ci95_high_ms"] = number(high, kMsDecimals);
  j["steady_state"] = std::move(steady);

  const CoordinationStats& c = coordination_;
  Json coordination;
  coordination["duplicated_calls"] = c.duplicated_calls;
  coordination["duplicated_cost_usd"] = number(c.duplicated_cost_usd, kUsdDecimals);
  coordination["silent_outputs"] = c.silent_outputs;
  coordination["silent_caught"] = c.silent_caught;
  coordination["silent_caught_rate"] =
      number(ratio(static_cast<double>(c.silent_caught), c.silent_outputs), kRateDecimals);
  coordination["stuck_requests"] = c.stuck;
  coordination["cost_per_request_usd"] =
      number(ratio(c.all_calls_cost_usd, requests_.finished), kUsdDecimals);
  j["coordination"] = std::move(coordination);
  return j;
}

void MetricsCollector::write_csv(std::ostream& out) const {
  const Json j = to_json();
  std::string text = "metric,scope,value\n";
  auto row = [&text](std::string_view metric, std::string_view scope, const Json& v) {
    fmt::format_to(std::back_inserter(text), "{},{},{}\n", csv_field(metric), csv_field(scope),
                   value_text(v));
  };
  row("quality_threshold", "all", j["quality_threshold"]);
  row("end_ms", "all", j["end_ms"]);
  const Json& req = j["requests"];
  for (const char* key : {"arrived", "finished", "completed", "failed", "in_flight"}) {
    row(fmt::format("requests_{}", key), "all", req[key]);
  }
  row("success_rate", "all", req["success_rate"]);
  row("throughput_rps", "all", req["throughput_rps"]);
  for (const auto& [name, n] : req["completed_by_outcome"].items()) {
    row("completed", fmt::format("outcome:{}", name), n);
  }
  for (const auto& [name, n] : req["failed_by_cause"].items()) {
    row("failed", fmt::format("cause:{}", name), n);
  }
  for (const char* scope : {"all", "success"}) {
    for (const auto& [key, v] : j["latency_ms"][scope].items()) {
      row(key == "count" ? std::string("latency_count") : fmt::format("latency_{}_ms", key), scope,
          v);
    }
  }
  const Json& quality = j["quality"];
  row("quality_mean", "all", quality["mean"]);
  row("quality_pass_rate", "all", quality["pass_rate"]);
  row("quality_pass_rate_of_finished", "all", quality["pass_rate_of_finished"]);
  row("silent_failure_rate", "all", quality["silent_failure_rate"]);
  for (const auto& [key, v] : j["per_request"].items()) {
    row(fmt::format("{}_per_request", key), "all", v);
  }
  for (const Json& c : j["classes"]) {
    const std::string scope = fmt::format("class:{}", c["name"].get<std::string>());
    for (const auto& [key, v] : c.items()) {
      if (key != "name") row(key, scope, v);
    }
  }
  for (const Json& a : j["agents"]) {
    const std::string scope = fmt::format("agent:{}", a["name"].get<std::string>());
    for (const auto& [key, v] : a.items()) {
      if (key == "name") continue;
      if (v.is_object()) {
        const std::string prefix = key == "calls_ended"     ? "calls"
                                   : key == "queue_wait_ms" ? "queue_wait"
                                   : key == "duration_ms"   ? "duration"
                                                            : key;
        const bool in_ms = key == "queue_wait_ms" || key == "duration_ms";
        for (const auto& [sub, sv] : v.items()) {
          row(fmt::format("{}_{}{}", prefix, sub, in_ms ? "_ms" : ""), scope, sv);
        }
      } else {
        row(key, scope, v);
      }
    }
  }
  for (const Json& n : j["nodes"]) {
    const std::string scope = fmt::format("node:{}", n["name"].get<std::string>());
    row("calls_started", scope, n["calls_started"]);
    for (const auto& [sub, sv] : n["calls_ended"].items())
      row(fmt::format("calls_{}", sub), scope, sv);
    row("duration_mean_ms", scope, n["duration_mean_ms"]);
    if (n.contains("runs_started")) {
      row("runs_started", scope, n["runs_started"]);
      for (const auto& [sub, sv] : n["runs_ended"].items())
        row(fmt::format("runs_{}", sub), scope, sv);
      row("run_duration_mean_ms", scope, n["run_duration_mean_ms"]);
    }
  }
  for (const Json& w : j["sub_workflows"]) {
    const std::string scope = fmt::format("workflow:{}", w["name"].get<std::string>());
    row("runs_started", scope, w["runs_started"]);
    for (const auto& [sub, sv] : w["runs_ended"].items())
      row(fmt::format("runs_{}", sub), scope, sv);
    row("duration_mean_ms", scope, w["duration_mean_ms"]);
    row("calls_per_run", scope, w["calls_per_run"]);
    row("cost_per_run_usd", scope, w["cost_per_run_usd"]);
  }
  for (const Json& e : j["routing"]["edges"]) {
    row("routing_edge_count",
        fmt::format("edge:{}->{}", e["from"].get<std::string>(), e["to"].get<std::string>()),
        e["count"]);
  }
  for (const Json& d : j["routing"]["decisions"]) {
    row("routing_decision_count",
        fmt::format("decision:{}->{}", d["node"].get<std::string>(), d["agent"].get<std::string>()),
        d["count"]);
  }
  for (const auto& [key, v] : j["budget_exhausted"].items()) {
    row("budget_exhausted", fmt::format("budget:{}", key), v);
  }
  for (const auto& [key, v] : j["events"].items()) row(key, "all", v);
  for (const auto& [key, v] : j["coordination"].items()) row(key, "all", v);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

void MetricsCollector::write_table(std::ostream& out) const {
  const Json j = to_json();
  std::string text;
  auto it = std::back_inserter(text);
  const Json& req = j["requests"];

  fmt::format_to(it, "Requests  arrived {}  finished {}  completed {}  failed {}  in flight {}\n",
                 value_text(req["arrived"]), value_text(req["finished"]),
                 value_text(req["completed"]), value_text(req["failed"]),
                 value_text(req["in_flight"]));
  fmt::format_to(it, "          success rate {}  throughput {} req/s\n",
                 percent(req["success_rate"]), fixed(req["throughput_rps"], 3));
  auto list = [&](const char* title, const Json& map) {
    if (map.empty()) return;
    fmt::format_to(it, "  {:<22}", title);
    bool first = true;
    for (const auto& [name, n] : map.items()) {
      fmt::format_to(it, "{}{} {}", first ? "" : ", ", name, value_text(n));
      first = false;
    }
    text += '\n';
  };
  list("completed by outcome:", req["completed_by_outcome"]);
  list("failed by cause:", req["failed_by_cause"]);

  fmt::format_to(it, "\n{:<12}{:>10}{:>12}{:>12}{:>12}{:>12}{:>12}{:>12}\n", "Latency (ms)",
                 "count", "mean", "p50", "p95", "p99", "p99.9", "max");
  for (const char* scope : {"all", "success"}) {
    const Json& l = j["latency_ms"][scope];
    fmt::format_to(it, "  {:<10}{:>10}{:>12}{:>12}{:>12}{:>12}{:>12}{:>12}\n", scope,
                   value_text(l["count"]), fixed(l["mean"], 3), fixed(l["p50"], 3),
                   fixed(l["p95"], 3), fixed(l["p99"], 3), fixed(l["p999"], 3), fixed(l["max"], 3));
  }

  const Json& q = j["quality"];
  fmt::format_to(
      it, "\nQuality   mean {}  pass rate (>= {:.2f}) {}  of finished {}  silent failures {}\n",
      fixed(q["mean"], 4), quality_threshold_, percent(q["pass_rate"]),
      percent(q["pass_rate_of_finished"]), percent(q["silent_failure_rate"]));
  const Json& p = j["per_request"];
  fmt::format_to(it, "Per request  tokens in {}  out {}  cost ${}  calls {}\n",
                 fixed(p["input_tokens"], 1), fixed(p["output_tokens"], 1), fixed(p["cost_usd"], 6),
                 fixed(p["calls"], 3));
  fmt::format_to(it,
                 "             retries {}  hedges {}  timeouts {}  fallbacks {}  redirects {}\n",
                 fixed(p["retries"], 3), fixed(p["hedges"], 3), fixed(p["timeouts"], 3),
                 fixed(p["fallbacks"], 3), fixed(p["redirects"], 3));

  std::size_t name_width = 8;
  for (const Json& c : j["classes"])
    name_width = std::max(name_width, c["name"].get<std::string>().size());
  for (const Json& a : j["agents"])
    name_width = std::max(name_width, a["name"].get<std::string>().size());
  name_width += 2;

  if (!j["classes"].empty()) {
    fmt::format_to(it, "\n{:<{}}{:>10}{:>10}{:>12}{:>12}{:>10}{:>12}\n", "Class", name_width + 2,
                   "count", "success", "p50 ms", "p99 ms", "quality", "cost $");
    for (const Json& c : j["classes"]) {
      fmt::format_to(it, "  {:<{}}{:>10}{:>10}{:>12}{:>12}{:>10}{:>12}\n",
                     c["name"].get<std::string>(), name_width, value_text(c["count"]),
                     percent(c["success_rate"]), fixed(c["latency_p50_ms"], 3),
                     fixed(c["latency_p99_ms"], 3), fixed(c["quality_mean"], 4),
                     fixed(c["cost_mean_usd"], 6));
    }
  }

  if (!j["agents"].empty()) {
    fmt::format_to(
        it, "\n{:<{}}{:>8}{:>10}{:>10}{:>10}{:>10}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}  {}\n",
        "Agent", name_width + 2, "util", "qwait ms", "qwait p99", "dur p50", "dur p99", "started",
        "success", "invalid", "error", "timeout", "cancel", "breaker", "errors");
    for (const Json& a : j["agents"]) {
      const Json& e = a["calls_ended"];
      std::string errors;
      for (const auto& [kind, n] : a["errors"].items()) {
        if (n.get<std::uint64_t>() == 0) continue;
        fmt::format_to(std::back_inserter(errors), "{}{} {}", errors.empty() ? "" : ", ", kind,
                       value_text(n));
      }
      fmt::format_to(
          it, "  {:<{}}{:>8}{:>10}{:>10}{:>10}{:>10}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}  {}\n",
          a["name"].get<std::string>(), name_width, percent(a["utilisation"]),
          fixed(a["queue_wait_ms"]["mean"], 3), fixed(a["queue_wait_ms"]["p99"], 3),
          fixed(a["duration_ms"]["p50"], 3), fixed(a["duration_ms"]["p99"], 3),
          value_text(a["calls_started"]), value_text(e["success"]), value_text(e["invalid"]),
          value_text(e["error"]), value_text(e["timeout"]), value_text(e["cancelled"]),
          value_text(a["breaker"]["transitions"]), errors.empty() ? "-" : errors);
    }
  }

  if (!j["sub_workflows"].empty()) {
    std::size_t width = 12;
    for (const Json& w : j["sub_workflows"])
      width = std::max(width, w["name"].get<std::string>().size());
    fmt::format_to(it, "\n{:<{}}{:>9}{:>9}{:>9}{:>9}{:>9}{:>10}{:>12}{:>12}\n", "Sub-workflow",
                   width + 4, "runs", "success", "invalid", "error", "timeout", "cancel",
                   "calls/run", "mean ms");
    for (const Json& w : j["sub_workflows"]) {
      const Json& e = w["runs_ended"];
      fmt::format_to(it, "  {:<{}}{:>9}{:>9}{:>9}{:>9}{:>9}{:>10}{:>12}{:>12}\n",
                     w["name"].get<std::string>(), width + 2, value_text(w["runs_started"]),
                     value_text(e["success"]), value_text(e["invalid"]), value_text(e["error"]),
                     value_text(e["timeout"]), value_text(e["cancelled"]),
                     fixed(w["calls_per_run"], 3), fixed(w["duration_mean_ms"], 3));
    }
  }

  const Json& edges = j["routing"]["edges"];
  if (!edges.empty()) {
    std::vector<std::string> labels;
    std::size_t width = 0;
    for (const Json& e : edges) {
      labels.push_back(
          fmt::format("{} -> {}", e["from"].get<std::string>(), e["to"].get<std::string>()));
      width = std::max(width, labels.back().size());
    }
    text += "\nRouting edges\n";
    for (std::size_t i = 0; i < labels.size(); ++i) {
      fmt::format_to(it, "  {:<{}}{:>10}\n", labels[i], width + 2, value_text(edges[i]["count"]));
    }
  }
  const Json& decisions = j["routing"]["decisions"];
  if (!decisions.empty()) {
    std::vector<std::string> labels;
    std::size_t width = 0;
    for (const Json& d : decisions) {
      labels.push_back(
          fmt::format("{} -> {}", d["node"].get<std::string>(), d["agent"].get<std::string>()));
      width = std::max(width, labels.back().size());
    }
    text += "\nRouting decisions (node -> agent)\n";
    for (std::size_t i = 0; i < labels.size(); ++i) {
      fmt::format_to(it, "  {:<{}}{:>10}\n", labels[i], width + 2,
                     value_text(decisions[i]["count"]));
    }
  }
  text += "\nBudget exhausted ";
  for (const auto& [kind, n] : j["budget_exhausted"].items()) {
    fmt::format_to(it, " {} {}", kind, value_text(n));
  }
  const Json& co = j["coordination"];
  fmt::format_to(it,
                 "\nCoordination  duplicated calls {} (${})  silent failures caught {} of {}  "
                 "stuck without an owner {}\n",
                 value_text(co["duplicated_calls"]), value_text(co["duplicated_cost_usd"]),
                 value_text(co["silent_caught"]), value_text(co["silent_outputs"]),
                 value_text(co["stuck_requests"]));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace orchsim::eval
