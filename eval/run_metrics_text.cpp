#include "eval/run_metrics_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

namespace orchsim::eval {
namespace {

// --- Values as text ----------------------------------------------------------

// As report.json writes them: integers as they are, doubles in shortest
// round-trip form (fmt's, locale-free); null as "".
std::string text(std::uint64_t v) { return fmt::format("{}", v); }
std::string text(std::int64_t v) { return fmt::format("{}", v); }
std::string text(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }
std::string text(std::optional<double> v) { return v ? text(*v) : std::string(); }
std::string text(std::optional<std::uint32_t> v) { return v ? text(std::uint64_t{*v}) : ""; }

// For the table: fixed decimals, "-" for null.
std::string fixed(std::optional<double> v, int decimals) {
  if (!v || !std::isfinite(*v)) return "-";
  return fmt::format("{:.{}f}", *v, decimals);
}
std::string percent(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return "-";
  return fmt::format("{:.2f}%", 100.0 * *v);
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

constexpr std::array<std::string_view, 5> kEndNames = {"success", "invalid", "error", "timeout",
                                                       "cancelled"};
std::array<std::uint64_t, 5> ends_array(const CallEndCounts& e) {
  return {e.success, e.invalid, e.error, e.timeout, e.cancelled};
}

// --- CSV -------------------------------------------------------------------

class CsvRows {
 public:
  void row(std::string_view metric, std::string_view scope, const std::string& value) {
    fmt::format_to(std::back_inserter(text_), "{},{},{}\n", csv_field(metric), csv_field(scope),
                   value);
  }
  void ends(std::string_view prefix, std::string_view scope, const CallEndCounts& e) {
    const auto counts = ends_array(e);
    for (std::size_t k = 0; k < counts.size(); ++k)
      row(fmt::format("{}_{}", prefix, kEndNames[k]), scope, text(counts[k]));
  }
  void latency(std::string_view scope, const LatencySummary& l) {
    row("latency_count", scope, text(l.count));
    row("latency_mean_ms", scope, text(l.mean));
    row("latency_min_ms", scope, text(l.min));
    row("latency_p50_ms", scope, text(l.p50));
    row("latency_p90_ms", scope, text(l.p90));
    row("latency_p95_ms", scope, text(l.p95));
    row("latency_p99_ms", scope, text(l.p99));
    row("latency_p999_ms", scope, text(l.p999));
    row("latency_max_ms", scope, text(l.max));
  }
  std::string& text_out() { return text_; }

 private:
  std::string text_ = "metric,scope,value\n";
};

void csv_requests(CsvRows& c, const RunMetrics& m) {
  const RequestMetrics& r = m.requests;
  c.row("requests_arrived", "all", text(r.arrived));
  c.row("requests_finished", "all", text(r.finished));
  c.row("requests_completed", "all", text(r.completed));
  c.row("requests_failed", "all", text(r.failed));
  c.row("requests_in_flight", "all", text(r.in_flight));
  c.row("success_rate", "all", text(r.success_rate));
  c.row("throughput_rps", "all", text(r.throughput_rps));
  for (const auto& [name, n] : r.completed_by_outcome)
    c.row("completed", fmt::format("outcome:{}", name), text(n));
  for (const auto& [name, n] : r.failed_by_cause)
    c.row("failed", fmt::format("cause:{}", name), text(n));
  c.latency("all", m.latency_all);
  c.latency("success", m.latency_success);
  c.row("quality_mean", "all", text(m.quality.mean));
  c.row("quality_pass_rate", "all", text(m.quality.pass_rate));
  c.row("quality_pass_rate_of_finished", "all", text(m.quality.pass_rate_of_finished));
  c.row("silent_failure_rate", "all", text(m.quality.silent_failure_rate));
  const PerRequestMetrics& p = m.per_request;
  c.row("input_tokens_per_request", "all", text(p.input_tokens));
  c.row("output_tokens_per_request", "all", text(p.output_tokens));
  c.row("cost_usd_per_request", "all", text(p.cost_usd));
  c.row("calls_per_request", "all", text(p.calls));
  c.row("retries_per_request", "all", text(p.retries));
  c.row("hedges_per_request", "all", text(p.hedges));
  c.row("timeouts_per_request", "all", text(p.timeouts));
  c.row("fallbacks_per_request", "all", text(p.fallbacks));
  c.row("redirects_per_request", "all", text(p.redirects));
}

void csv_agent(CsvRows& c, const AgentMetrics& a) {
  const std::string scope = fmt::format("agent:{}", a.name);
  c.row("calls_started", scope, text(a.calls_started));
  c.ends("calls", scope, a.calls_ended);
  for (std::size_t k = 0; k < ErrorCounts::kKinds; ++k)
    c.row(fmt::format("errors_{}", ErrorCounts::name(k)), scope, text(a.errors.counts[k]));
  c.row("queue_wait_mean_ms", scope, text(a.queue_wait_mean_ms));
  c.row("queue_wait_p99_ms", scope, text(a.queue_wait_p99_ms));
  c.row("p_wait", scope, text(a.p_wait));
  c.row("duration_p50_ms", scope, text(a.duration_p50_ms));
  c.row("duration_p99_ms", scope, text(a.duration_p99_ms));
  c.row("input_tokens", scope, text(a.input_tokens));
  c.row("output_tokens", scope, text(a.output_tokens));
  c.row("cost_usd", scope, text(a.cost_usd));
  c.row("breaker_transitions", scope, text(a.breaker_transitions));
  c.row("breaker_open_ms", scope, text(a.breaker_open_ms));
  c.row("servers", scope, text(a.servers));
  c.row("busy_ms", scope, text(a.busy_ms));
  c.row("utilisation", scope, text(a.utilisation));
  c.row("max_queue_length", scope, text(a.max_queue_length));
}

void csv_structure(CsvRows& c, const RunMetrics& m) {
  for (const NodeMetrics& n : m.nodes) {
    const std::string scope = fmt::format("node:{}", n.name);
    c.row("calls_started", scope, text(n.calls_started));
    c.ends("calls", scope, n.calls_ended);
    c.row("duration_mean_ms", scope, text(n.duration_mean_ms));
    if (n.sub_workflow.empty()) continue;
    c.row("runs_started", scope, text(n.runs_started));
    c.ends("runs", scope, n.runs_ended);
    c.row("run_duration_mean_ms", scope, text(n.run_duration_mean_ms));
  }
  for (const SubWorkflowMetrics& w : m.sub_workflows) {
    const std::string scope = fmt::format("workflow:{}", w.name);
    c.row("runs_started", scope, text(w.runs_started));
    c.ends("runs", scope, w.runs_ended);
    c.row("duration_mean_ms", scope, text(w.duration_mean_ms));
    c.row("calls_per_run", scope, text(w.calls_per_run));
    c.row("cost_per_run_usd", scope, text(w.cost_per_run_usd));
  }
  for (const EdgeCount& e : m.edges)
    c.row("routing_edge_count", fmt::format("edge:{}->{}", e.from, e.to), text(e.count));
  for (const DecisionCount& d : m.decisions)
    c.row("routing_decision_count", fmt::format("decision:{}->{}", d.node, d.agent), text(d.count));
}

void csv_tail(CsvRows& c, const RunMetrics& m) {
  const BudgetCounts& b = m.budget_exhausted;
  c.row("budget_exhausted", "budget:retry_budget", text(b.retry_budget));
  c.row("budget_exhausted", "budget:deadline", text(b.deadline));
  c.row("budget_exhausted", "budget:loop_bound", text(b.loop_bound));
  c.row("budget_exhausted", "budget:breaker_open", text(b.breaker_open));
  const EventMetrics& e = m.events;
  c.row("retries_scheduled", "all", text(e.retries_scheduled));
  c.row("hedges_launched", "all", text(e.hedges_launched));
  c.row("context_fits", "all", text(e.context_fits));
  c.row("context_truncated", "all", text(e.context_truncated));
  c.row("context_summarized", "all", text(e.context_summarized));
  c.row("context_retained_mean", "all", text(e.context_retained_mean));
  if (!m.coordination) return;
  const CoordinationMetrics& co = *m.coordination;
  c.row("duplicated_calls", "all", text(co.duplicated_calls));
  c.row("duplicated_cost_usd", "all", text(co.duplicated_cost_usd));
  c.row("silent_outputs", "all", text(co.silent_outputs));
  c.row("silent_caught", "all", text(co.silent_caught));
  c.row("silent_caught_rate", "all", text(co.silent_caught_rate));
  c.row("stuck_requests", "all", text(co.stuck_requests));
  c.row("cost_per_request_usd", "all", text(co.cost_per_request_usd));
}

// --- Table -----------------------------------------------------------------

using Out = std::back_insert_iterator<std::string>;

void table_requests(std::string& t, const RunMetrics& m) {
  Out it(t);
  const RequestMetrics& r = m.requests;
  fmt::format_to(it, "Requests  arrived {}  finished {}  completed {}  failed {}  in flight {}\n",
                 r.arrived, r.finished, r.completed, r.failed, r.in_flight);
  fmt::format_to(it, "          success rate {}  throughput {} req/s\n", percent(r.success_rate),
                 fixed(r.throughput_rps, 3));
  auto list = [&](const char* title,
                  const std::vector<std::pair<std::string, std::uint64_t>>& map) {
    if (map.empty()) return;
    fmt::format_to(it, "  {:<22}", title);
    bool first = true;
    for (const auto& [name, n] : map) {
      fmt::format_to(it, "{}{} {}", first ? "" : ", ", name, n);
      first = false;
    }
    t += '\n';
  };
  list("completed by outcome:", r.completed_by_outcome);
  list("failed by cause:", r.failed_by_cause);

  fmt::format_to(it, "\n{:<12}{:>10}{:>12}{:>12}{:>12}{:>12}{:>12}{:>12}\n", "Latency (ms)",
                 "count", "mean", "p50", "p95", "p99", "p99.9", "max");
  for (const auto* scope : {"all", "success"}) {
    const LatencySummary& l = std::string_view(scope) == "all" ? m.latency_all : m.latency_success;
    fmt::format_to(it, "  {:<10}{:>10}{:>12}{:>12}{:>12}{:>12}{:>12}{:>12}\n", scope, l.count,
                   fixed(l.mean, 3), fixed(l.p50, 3), fixed(l.p95, 3), fixed(l.p99, 3),
                   fixed(l.p999, 3), fixed(l.max, 3));
  }
  const QualityMetrics& q = m.quality;
  fmt::format_to(
      it, "\nQuality   mean {}  pass rate (>= {:.2f}) {}  of finished {}  silent failures {}\n",
      fixed(q.mean, 4), m.quality_threshold, percent(q.pass_rate), percent(q.pass_rate_of_finished),
      percent(q.silent_failure_rate));
  const PerRequestMetrics& p = m.per_request;
  fmt::format_to(it, "Per request  tokens in {}  out {}  cost ${}  calls {}\n",
                 fixed(p.input_tokens, 1), fixed(p.output_tokens, 1), fixed(p.cost_usd, 6),
                 fixed(p.calls, 3));
  fmt::format_to(it,
                 "             retries {}  hedges {}  timeouts {}  fallbacks {}  redirects {}\n",
                 fixed(p.retries, 3), fixed(p.hedges, 3), fixed(p.timeouts, 3),
                 fixed(p.fallbacks, 3), fixed(p.redirects, 3));
}

void table_classes_agents(std::string& t, const RunMetrics& m) {
  Out it(t);
  std::size_t name_width = 8;
  for (const ClassMetrics& c : m.classes) name_width = std::max(name_width, c.name.size());
  for (const AgentMetrics& a : m.agents) name_width = std::max(name_width, a.name.size());
  name_width += 2;
  if (!m.classes.empty()) {
    fmt::format_to(it, "\n{:<{}}{:>10}{:>10}{:>12}{:>12}{:>10}{:>12}\n", "Class", name_width + 2,
                   "count", "success", "p50 ms", "p99 ms", "quality", "cost $");
    for (const ClassMetrics& c : m.classes) {
      fmt::format_to(it, "  {:<{}}{:>10}{:>10}{:>12}{:>12}{:>10}{:>12}\n", c.name, name_width,
                     c.count, percent(c.success_rate), fixed(c.latency_p50_ms, 3),
                     fixed(c.latency_p99_ms, 3), fixed(c.quality_mean, 4),
                     fixed(c.cost_mean_usd, 6));
    }
  }
  if (m.agents.empty()) return;
  fmt::format_to(
      it, "\n{:<{}}{:>8}{:>10}{:>10}{:>10}{:>10}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}  {}\n", "Agent",
      name_width + 2, "util", "qwait ms", "qwait p99", "dur p50", "dur p99", "started", "success",
      "invalid", "error", "timeout", "cancel", "breaker", "errors");
  for (const AgentMetrics& a : m.agents) {
    const CallEndCounts& e = a.calls_ended;
    std::string errors;
    for (std::size_t k = 0; k < ErrorCounts::kKinds; ++k) {
      if (a.errors.counts[k] == 0) continue;
      fmt::format_to(std::back_inserter(errors), "{}{} {}", errors.empty() ? "" : ", ",
                     ErrorCounts::name(k), a.errors.counts[k]);
    }
    fmt::format_to(it,
                   "  {:<{}}{:>8}{:>10}{:>10}{:>10}{:>10}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}  {}\n",
                   a.name, name_width, percent(a.utilisation), fixed(a.queue_wait_mean_ms, 3),
                   fixed(a.queue_wait_p99_ms, 3), fixed(a.duration_p50_ms, 3),
                   fixed(a.duration_p99_ms, 3), a.calls_started, e.success, e.invalid, e.error,
                   e.timeout, e.cancelled, a.breaker_transitions, errors.empty() ? "-" : errors);
  }
}

void table_sub_workflows(std::string& t, const RunMetrics& m) {
  if (m.sub_workflows.empty()) return;
  Out it(t);
  std::size_t width = 12;
  for (const SubWorkflowMetrics& w : m.sub_workflows) width = std::max(width, w.name.size());
  fmt::format_to(it, "\n{:<{}}{:>9}{:>9}{:>9}{:>9}{:>9}{:>10}{:>12}{:>12}\n", "Sub-workflow",
                 width + 4, "runs", "success", "invalid", "error", "timeout", "cancel", "calls/run",
                 "mean ms");
  for (const SubWorkflowMetrics& w : m.sub_workflows) {
    const CallEndCounts& e = w.runs_ended;
    fmt::format_to(it, "  {:<{}}{:>9}{:>9}{:>9}{:>9}{:>9}{:>10}{:>12}{:>12}\n", w.name, width + 2,
                   w.runs_started, e.success, e.invalid, e.error, e.timeout, e.cancelled,
                   fixed(w.calls_per_run, 3), fixed(w.duration_mean_ms, 3));
  }
}

// A titled list of "label   count" lines, labels padded to the longest.
void table_counts(std::string& t, const char* title,
                  const std::vector<std::pair<std::string, std::uint64_t>>& rows) {
  if (rows.empty()) return;
  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  t += title;
  for (const auto& [label, n] : rows)
    fmt::format_to(std::back_inserter(t), "  {:<{}}{:>10}\n", label, width + 2, n);
}

void table_tail(std::string& t, const RunMetrics& m) {
  std::vector<std::pair<std::string, std::uint64_t>> rows;
  for (const EdgeCount& e : m.edges)
    rows.emplace_back(fmt::format("{} -> {}", e.from, e.to), e.count);
  table_counts(t, "\nRouting edges\n", rows);
  rows.clear();
  for (const DecisionCount& d : m.decisions)
    rows.emplace_back(fmt::format("{} -> {}", d.node, d.agent), d.count);
  table_counts(t, "\nRouting decisions (node -> agent)\n", rows);
  const BudgetCounts& b = m.budget_exhausted;
  fmt::format_to(std::back_inserter(t),
                 "\nBudget exhausted  retry_budget {} deadline {} loop_bound {} breaker_open {}",
                 b.retry_budget, b.deadline, b.loop_bound, b.breaker_open);
  const CoordinationMetrics co = m.coordination.value_or(CoordinationMetrics{});
  fmt::format_to(std::back_inserter(t),
                 "\nCoordination  duplicated calls {} (${})  silent failures caught {} of {}  "
                 "stuck without an owner {}\n",
                 co.duplicated_calls, text(co.duplicated_cost_usd), co.silent_caught,
                 co.silent_outputs, co.stuck_requests);
}

}  // namespace

void write_csv(std::ostream& out, const RunMetrics& m) {
  CsvRows c;
  c.row("quality_threshold", "all", text(m.quality_threshold));
  c.row("end_ms", "all", text(m.end_ms));
  csv_requests(c, m);
  for (const ClassMetrics& k : m.classes) {
    const std::string scope = fmt::format("class:{}", k.name);
    c.row("count", scope, text(k.count));
    c.row("completed", scope, text(k.completed));
    c.row("success_rate", scope, text(k.success_rate));
    c.row("latency_p50_ms", scope, text(k.latency_p50_ms));
    c.row("latency_p99_ms", scope, text(k.latency_p99_ms));
    c.row("quality_mean", scope, text(k.quality_mean));
    c.row("cost_mean_usd", scope, text(k.cost_mean_usd));
  }
  for (const AgentMetrics& a : m.agents) csv_agent(c, a);
  csv_structure(c, m);
  csv_tail(c, m);
  const std::string& s = c.text_out();
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

void write_table(std::ostream& out, const RunMetrics& m) {
  std::string t;
  table_requests(t, m);
  table_classes_agents(t, m);
  table_sub_workflows(t, m);
  table_tail(t, m);
  out.write(t.data(), static_cast<std::streamsize>(t.size()));
}

}  // namespace orchsim::eval
