#include "eval/run_metrics_json.hpp"

#include "eval/json_field_reader.hpp"
#include "eval/json_number.hpp"

namespace orchsim::eval {
namespace {

using Json = nlohmann::ordered_json;

// RunMetrics holds the report's numbers, rounded already.
Json num(std::optional<double> v) { return json_rounded(v); }

Json ends_json(const CallEndCounts& e) {
  return {{"success", e.success},
          {"invalid", e.invalid},
          {"error", e.error},
          {"timeout", e.timeout},
          {"cancelled", e.cancelled}};
}

Json latency_json(const LatencySummary& l) {
  return {{"count", l.count},  {"mean", num(l.mean)}, {"min", num(l.min)},
          {"p50", num(l.p50)}, {"p90", num(l.p90)},   {"p95", num(l.p95)},
          {"p99", num(l.p99)}, {"p999", num(l.p999)}, {"max", num(l.max)}};
}

Json named_counts_json(const std::vector<std::pair<std::string, std::uint64_t>>& counts) {
  Json j = Json::object();
  for (const auto& [name, n] : counts) j[name] = n;
  return j;
}

Json requests_json(const RequestMetrics& r) {
  Json j;
  j["arrived"] = r.arrived;
  j["finished"] = r.finished;
  j["completed"] = r.completed;
  j["failed"] = r.failed;
  j["in_flight"] = r.in_flight;
  j["success_rate"] = num(r.success_rate);
  j["throughput_rps"] = num(r.throughput_rps);
  j["completed_by_outcome"] = named_counts_json(r.completed_by_outcome);
  j["failed_by_cause"] = named_counts_json(r.failed_by_cause);
  return j;
}

Json per_request_json(const PerRequestMetrics& p) {
  return {{"input_tokens", num(p.input_tokens)}, {"output_tokens", num(p.output_tokens)},
          {"cost_usd", num(p.cost_usd)},         {"calls", num(p.calls)},
          {"retries", num(p.retries)},           {"hedges", num(p.hedges)},
          {"timeouts", num(p.timeouts)},         {"fallbacks", num(p.fallbacks)},
          {"redirects", num(p.redirects)}};
}

Json class_json(const ClassMetrics& c) {
  return {{"name", c.name},
          {"count", c.count},
          {"completed", c.completed},
          {"success_rate", num(c.success_rate)},
          {"latency_p50_ms", num(c.latency_p50_ms)},
          {"latency_p99_ms", num(c.latency_p99_ms)},
          {"quality_mean", num(c.quality_mean)},
          {"cost_mean_usd", num(c.cost_mean_usd)}};
}

Json agent_json(const AgentMetrics& a) {
  Json j;
  j["name"] = a.name;
  j["calls_started"] = a.calls_started;
  j["calls_ended"] = ends_json(a.calls_ended);
  Json errors;
  for (std::size_t k = 0; k < ErrorCounts::kKinds; ++k)
    errors[std::string(ErrorCounts::name(k))] = a.errors.counts[k];
  j["errors"] = std::move(errors);
  j["queue_wait_ms"] = {{"mean", num(a.queue_wait_mean_ms)}, {"p99", num(a.queue_wait_p99_ms)}};
  j["p_wait"] = num(a.p_wait);
  j["duration_ms"] = {{"p50", num(a.duration_p50_ms)}, {"p99", num(a.duration_p99_ms)}};
  j["input_tokens"] = a.input_tokens;
  j["output_tokens"] = a.output_tokens;
  j["cost_usd"] = num(a.cost_usd);
  j["breaker"] = {{"transitions", a.breaker_transitions}, {"open_ms", num(a.breaker_open_ms)}};
  j["servers"] = a.servers ? Json(*a.servers) : Json(nullptr);
  j["busy_ms"] = num(a.busy_ms);
  j["utilisation"] = num(a.utilisation);
  j["max_queue_length"] = a.max_queue_length ? Json(*a.max_queue_length) : Json(nullptr);
  return j;
}

Json node_json(const NodeMetrics& n) {
  Json j;
  j["name"] = n.name;
  j["calls_started"] = n.calls_started;
  j["calls_ended"] = ends_json(n.calls_ended);
  j["duration_mean_ms"] = num(n.duration_mean_ms);
  if (!n.workflow.empty()) j["workflow"] = n.workflow;
  if (!n.sub_workflow.empty()) {
    j["sub_workflow"] = n.sub_workflow;
    j["runs_started"] = n.runs_started;
    j["runs_ended"] = ends_json(n.runs_ended);
    j["run_duration_mean_ms"] = num(n.run_duration_mean_ms);
  }
  return j;
}

Json sub_workflow_json(const SubWorkflowMetrics& w) {
  return {{"name", w.name},
          {"runs_started", w.runs_started},
          {"runs_ended", ends_json(w.runs_ended)},
          {"duration_mean_ms", num(w.duration_mean_ms)},
          {"calls_per_run", num(w.calls_per_run)},
          {"cost_per_run_usd", num(w.cost_per_run_usd)},
          {"called_by", w.called_by},
          {"nodes", w.nodes}};
}

Json routing_json(const RunMetrics& m) {
  Json edges = Json::array();
  for (const EdgeCount& e : m.edges)
    edges.push_back({{"from", e.from}, {"to", e.to}, {"count", e.count}});
  Json decisions = Json::array();
  for (const DecisionCount& d : m.decisions)
    decisions.push_back({{"node", d.node}, {"agent", d.agent}, {"count", d.count}});
  return {{"edges", std::move(edges)}, {"decisions", std::move(decisions)}};
}

Json steady_state_json(const SteadyStateMetrics& s) {
  return {{"warmup_ms", num(s.warmup_ms)},
          {"excluded_warmup", s.excluded_warmup},
          {"series_batch", s.series_batch},
          {"mser5_warmup_requests", s.mser5_warmup_requests},
          {"latency_mean_ms", num(s.latency_mean_ms)},
          {"ci95_low_ms", num(s.ci95_low_ms)},
          {"ci95_high_ms", num(s.ci95_high_ms)}};
}

Json coordination_json(const CoordinationMetrics& c) {
  return {{"duplicated_calls", c.duplicated_calls},
          {"duplicated_cost_usd", num(c.duplicated_cost_usd)},
          {"silent_outputs", c.silent_outputs},
          {"silent_caught", c.silent_caught},
          {"silent_caught_rate", num(c.silent_caught_rate)},
          {"stuck_requests", c.stuck_requests},
          {"cost_per_request_usd", num(c.cost_per_request_usd)}};
}

// --- Reading ---------------------------------------------------------------

CallEndCounts read_ends(JsonFieldReader& r, const std::string& at) {
  return {r.count(at + "/success"), r.count(at + "/invalid"), r.count(at + "/error"),
          r.count(at + "/timeout"), r.count(at + "/cancelled")};
}

LatencySummary read_latency(JsonFieldReader& r, const std::string& at) {
  LatencySummary l;
  l.count = r.count(at + "/count");
  l.mean = r.opt_num(at + "/mean");
  l.min = r.opt_num(at + "/min");
  l.p50 = r.opt_num(at + "/p50");
  l.p90 = r.opt_num(at + "/p90");
  l.p95 = r.opt_num(at + "/p95");
  l.p99 = r.opt_num(at + "/p99");
  l.p999 = r.opt_num(at + "/p999");
  l.max = r.opt_num(at + "/max");
  return l;
}

// An optional count that is null before finalize().
std::optional<std::uint32_t> read_opt_u32(JsonFieldReader& r, const std::string& at) {
  const Json* v = r.at(at);
  if (v == nullptr || v->is_null()) return std::nullopt;
  const std::uint64_t n = r.count(at);
  if (n > UINT32_MAX) {
    r.fail(at, "found " + std::to_string(n) + ", expected at most " + std::to_string(UINT32_MAX));
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(n);
}

std::int64_t read_tokens(JsonFieldReader& r, const std::string& at) {
  const std::uint64_t n = r.count(at);
  if (n > static_cast<std::uint64_t>(INT64_MAX)) {
    r.fail(at, "found a count beyond 2^63, expected a token count");
    return 0;
  }
  return static_cast<std::int64_t>(n);
}

RequestMetrics read_requests(JsonFieldReader& r) {
  RequestMetrics q;
  q.arrived = r.count("/requests/arrived");
  q.finished = r.count("/requests/finished");
  q.completed = r.count("/requests/completed");
  q.failed = r.count("/requests/failed");
  q.in_flight = r.count("/requests/in_flight");
  q.success_rate = r.opt_num("/requests/success_rate");
  q.throughput_rps = r.opt_num("/requests/throughput_rps");
  q.completed_by_outcome = r.named_counts("/requests/completed_by_outcome");
  q.failed_by_cause = r.named_counts("/requests/failed_by_cause");
  return q;
}

PerRequestMetrics read_per_request(JsonFieldReader& r) {
  PerRequestMetrics p;
  p.input_tokens = r.opt_num("/per_request/input_tokens");
  p.output_tokens = r.opt_num("/per_request/output_tokens");
  p.cost_usd = r.opt_num("/per_request/cost_usd");
  p.calls = r.opt_num("/per_request/calls");
  p.retries = r.opt_num("/per_request/retries");
  p.hedges = r.opt_num("/per_request/hedges");
  p.timeouts = r.opt_num("/per_request/timeouts");
  p.fallbacks = r.opt_num("/per_request/fallbacks");
  p.redirects = r.opt_num("/per_request/redirects");
  return p;
}

ClassMetrics read_class(JsonFieldReader& r, const std::string& c) {
  ClassMetrics row;
  row.name = r.str(c + "/name");
  row.count = r.count(c + "/count");
  row.completed = r.count(c + "/completed");
  row.success_rate = r.opt_num(c + "/success_rate");
  row.latency_p50_ms = r.opt_num(c + "/latency_p50_ms");
  row.latency_p99_ms = r.opt_num(c + "/latency_p99_ms");
  row.quality_mean = r.opt_num(c + "/quality_mean");
  row.cost_mean_usd = r.opt_num(c + "/cost_mean_usd");
  return row;
}

AgentMetrics read_agent(JsonFieldReader& r, const std::string& a) {
  AgentMetrics row;
  row.name = r.str(a + "/name");
  row.calls_started = r.count(a + "/calls_started");
  row.calls_ended = read_ends(r, a + "/calls_ended");
  for (std::size_t k = 0; k < ErrorCounts::kKinds; ++k)
    row.errors.counts[k] = r.count(a + "/errors/" + std::string(ErrorCounts::name(k)));
  row.queue_wait_mean_ms = r.opt_num(a + "/queue_wait_ms/mean");
  row.queue_wait_p99_ms = r.opt_num(a + "/queue_wait_ms/p99");
  if (r.has(a + "/p_wait")) row.p_wait = r.opt_num(a + "/p_wait");
  row.duration_p50_ms = r.opt_num(a + "/duration_ms/p50");
  row.duration_p99_ms = r.opt_num(a + "/duration_ms/p99");
  row.input_tokens = read_tokens(r, a + "/input_tokens");
  row.output_tokens = read_tokens(r, a + "/output_tokens");
  row.cost_usd = r.num(a + "/cost_usd");
  row.breaker_transitions = r.count(a + "/breaker/transitions");
  row.breaker_open_ms = r.num(a + "/breaker/open_ms");
  row.servers = read_opt_u32(r, a + "/servers");
  row.busy_ms = r.opt_num(a + "/busy_ms");
  row.utilisation = r.opt_num(a + "/utilisation");
  row.max_queue_length = read_opt_u32(r, a + "/max_queue_length");
  return row;
}

NodeMetrics read_node(JsonFieldReader& r, const std::string& n) {
  NodeMetrics row;
  row.name = r.str(n + "/name");
  row.calls_started = r.count(n + "/calls_started");
  row.calls_ended = read_ends(r, n + "/calls_ended");
  row.duration_mean_ms = r.opt_num(n + "/duration_mean_ms");
  if (r.has(n + "/workflow")) row.workflow = r.str(n + "/workflow");
  if (r.has(n + "/sub_workflow")) {
    row.sub_workflow = r.str(n + "/sub_workflow");
    row.runs_started = r.count(n + "/runs_started");
    row.runs_ended = read_ends(r, n + "/runs_ended");
    row.run_duration_mean_ms = r.opt_num(n + "/run_duration_mean_ms");
  }
  return row;
}

SubWorkflowMetrics read_sub_workflow(JsonFieldReader& r, const std::string& w) {
  SubWorkflowMetrics row;
  row.name = r.str(w + "/name");
  row.runs_started = r.count(w + "/runs_started");
  row.runs_ended = read_ends(r, w + "/runs_ended");
  row.duration_mean_ms = r.opt_num(w + "/duration_mean_ms");
  row.calls_per_run = r.opt_num(w + "/calls_per_run");
  row.cost_per_run_usd = r.opt_num(w + "/cost_per_run_usd");
  r.each(w + "/called_by", [&](const std::string& c) { row.called_by.push_back(r.str(c)); });
  r.each(w + "/nodes", [&](const std::string& c) { row.nodes.push_back(r.str(c)); });
  return row;
}

void read_sections(JsonFieldReader& r, RunMetrics& m) {
  r.each("/classes", [&](const std::string& c) { m.classes.push_back(read_class(r, c)); });
  r.each("/agents", [&](const std::string& a) { m.agents.push_back(read_agent(r, a)); });
  if (r.ok() && r.has("/nodes"))
    r.each("/nodes", [&](const std::string& n) { m.nodes.push_back(read_node(r, n)); });
  if (r.ok() && r.has("/sub_workflows")) {
    r.each("/sub_workflows",
           [&](const std::string& w) { m.sub_workflows.push_back(read_sub_workflow(r, w)); });
  }
  r.each("/routing/edges", [&](const std::string& e) {
    m.edges.push_back({r.str(e + "/from"), r.str(e + "/to"), r.count(e + "/count")});
  });
  r.each("/routing/decisions", [&](const std::string& d) {
    m.decisions.push_back({r.str(d + "/node"), r.str(d + "/agent"), r.count(d + "/count")});
  });
}

void read_tail(JsonFieldReader& r, RunMetrics& m) {
  BudgetCounts& b = m.budget_exhausted;
  b.retry_budget = r.count("/budget_exhausted/retry_budget");
  b.deadline = r.count("/budget_exhausted/deadline");
  b.loop_bound = r.count("/budget_exhausted/loop_bound");
  b.breaker_open = r.count("/budget_exhausted/breaker_open");
  EventMetrics& e = m.events;
  e.retries_scheduled = r.count("/events/retries_scheduled");
  e.hedges_launched = r.count("/events/hedges_launched");
  e.context_fits = r.count("/events/context_fits");
  e.context_truncated = r.count("/events/context_truncated");
  e.context_summarized = r.count("/events/context_summarized");
  e.context_retained_mean = r.opt_num("/events/context_retained_mean");
  if (r.ok() && r.has("/steady_state")) {
    SteadyStateMetrics s;
    s.warmup_ms = r.num("/steady_state/warmup_ms");
    s.excluded_warmup = r.count("/steady_state/excluded_warmup");
    s.series_batch = r.count("/steady_state/series_batch");
    s.mser5_warmup_requests = r.count("/steady_state/mser5_warmup_requests");
    s.latency_mean_ms = r.opt_num("/steady_state/latency_mean_ms");
    s.ci95_low_ms = r.opt_num("/steady_state/ci95_low_ms");
    s.ci95_high_ms = r.opt_num("/steady_state/ci95_high_ms");
    m.steady_state = s;
  }
  if (r.ok() && r.has("/coordination")) {
    CoordinationMetrics c;
    c.duplicated_calls = r.count("/coordination/duplicated_calls");
    c.duplicated_cost_usd = r.num("/coordination/duplicated_cost_usd");
    c.silent_outputs = r.count("/coordination/silent_outputs");
    c.silent_caught = r.count("/coordination/silent_caught");
    c.silent_caught_rate = r.opt_num("/coordination/silent_caught_rate");
    c.stuck_requests = r.count("/coordination/stuck_requests");
    c.cost_per_request_usd = r.opt_num("/coordination/cost_per_request_usd");
    m.coordination = c;
  }
}

}  // namespace

Json to_json(const RunMetrics& m) {
  Json j;
  j["quality_threshold"] = m.quality_threshold;
  j["end_ms"] = num(m.end_ms);
  j["requests"] = requests_json(m.requests);
  j["latency_ms"] = {{"all", latency_json(m.latency_all)},
                     {"success", latency_json(m.latency_success)}};
  j["quality"] = {{"mean", num(m.quality.mean)},
                  {"pass_rate", num(m.quality.pass_rate)},
                  {"pass_rate_of_finished", num(m.quality.pass_rate_of_finished)},
                  {"silent_failure_rate", num(m.quality.silent_failure_rate)}};
  j["per_request"] = per_request_json(m.per_request);
  Json classes = Json::array();
  for (const ClassMetrics& c : m.classes) classes.push_back(class_json(c));
  j["classes"] = std::move(classes);
  Json agents = Json::array();
  for (const AgentMetrics& a : m.agents) agents.push_back(agent_json(a));
  j["agents"] = std::move(agents);
  Json nodes = Json::array();
  for (const NodeMetrics& n : m.nodes) nodes.push_back(node_json(n));
  j["nodes"] = std::move(nodes);
  Json subs = Json::array();
  for (const SubWorkflowMetrics& w : m.sub_workflows) subs.push_back(sub_workflow_json(w));
  j["sub_workflows"] = std::move(subs);
  j["routing"] = routing_json(m);
  const BudgetCounts& b = m.budget_exhausted;
  j["budget_exhausted"] = {{"retry_budget", b.retry_budget},
                           {"deadline", b.deadline},
                           {"loop_bound", b.loop_bound},
                           {"breaker_open", b.breaker_open}};
  const EventMetrics& e = m.events;
  j["events"] = {{"retries_scheduled", e.retries_scheduled},
                 {"hedges_launched", e.hedges_launched},
                 {"context_fits", e.context_fits},
                 {"context_truncated", e.context_truncated},
                 {"context_summarized", e.context_summarized},
                 {"context_retained_mean", num(e.context_retained_mean)}};
  if (m.steady_state) j["steady_state"] = steady_state_json(*m.steady_state);
  if (m.coordination) j["coordination"] = coordination_json(*m.coordination);
  return j;
}

StatusOr<RunMetrics> run_metrics_from_json(const Json& j, const std::string& source,
                                           const std::string& pointer) {
  if (!j.is_object()) {
    return Status::bad_input(source + ": " + pointer + ": found " + scenarios::describe_json(j) +
                             ", expected the metrics object");
  }
  JsonFieldReader r(j, source, pointer);
  RunMetrics m;
  m.quality_threshold = r.num("/quality_threshold");
  m.end_ms = r.opt_num("/end_ms");
  m.requests = read_requests(r);
  m.latency_all = read_latency(r, "/latency_ms/all");
  m.latency_success = read_latency(r, "/latency_ms/success");
  m.quality.mean = r.opt_num("/quality/mean");
  m.quality.pass_rate = r.opt_num("/quality/pass_rate");
  m.quality.pass_rate_of_finished = r.opt_num("/quality/pass_rate_of_finished");
  m.quality.silent_failure_rate = r.opt_num("/quality/silent_failure_rate");
  m.per_request = read_per_request(r);
  read_sections(r, m);
  read_tail(r, m);
  if (!r.ok()) return Status::bad_input(r.error());
  return m;
}

}  // namespace orchsim::eval
