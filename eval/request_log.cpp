#include "eval/request_log.hpp"

#include <fmt/format.h>
#include <tsl/robin_map.h>

#include <algorithm>
#include <optional>
#include <variant>

#include "eval/json_writer.hpp"
#include "eval/metrics.hpp"

namespace orchsim::eval {

using Json = nlohmann::ordered_json;
using orchestration::AgentIndex;
using orchestration::NodeId;
using orchestration::RequestId;

namespace {

constexpr int kMsDecimals = 6;  // exact: times are integer nanoseconds

// A time or a duration in milliseconds, as json_number(ms, 6) writes it.
template <typename T>
JsonWriter& write_ms(JsonWriter& w, T t) {
  return w.number(static_cast<double>(t.count_ns()) * 1e-6, kMsDecimals);
}

// An error's name, or null for none.
JsonWriter& write_error(JsonWriter& w, mock_agents::ErrorKind error) {
  if (error == mock_agents::ErrorKind::kNone) return w.null();
  return w.string(to_string(error));
}

}  // namespace

// What a record holds besides its buffers: reset in one assignment (clear()).
struct RequestLogRecordFields {
  RequestId id = 0;
  std::uint32_t class_index = 0;
  sim::Time arrival;
  sim::Time finish;
  bool finished = false;
  bool success = false;
  std::string outcome;
  sim::Duration latency;
  double quality = 0, cost_usd = 0;
  bool silent_answer = false;
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::uint32_t calls_n = 0, retries = 0, hedges = 0, timeouts = 0, fallbacks = 0, redirects = 0;
  std::uint8_t reasons = 0;
  bool truncated = false;
  std::size_t items = 0;
};

struct RequestLog::Record : RequestLogRecordFields {
  struct Call {
    mock_agents::CallId id = 0;
    orchestration::CallStarted started{};
    std::optional<orchestration::CallEnded> ended;
  };
  // Decisions and events are kept as the observer saw them and turned into
  // JSON only for the few requests that are kept: most records are dropped
  // at their finish. So a decision is recorded cheaply: a reason made of a
  // format and numbers as it is (formatted when written), the text of any
  // other (the event's views die with the call) and the candidates in the
  // record's own buffers, which outlive the record's requests (clear()).
  struct Decision {
    sim::Time at;
    NodeId node = 0;
    bool route = false;
    std::uint32_t policy = 0;                 // route: index into RequestLog::policies_
    std::uint32_t inputs_at = 0, inputs = 0;  // route: a range of Record::inputs
    AgentIndex choice = 0;                    // route
    NodeId next = orchestration::kNoNode;     // flow
    orchestration::Reason reason;             // a format with numbers, or
    std::uint32_t text_at = 0, text = 0;      // a range of Record::texts (reason empty)
    std::uint32_t flow = 0, invocation = 0;
    std::uint32_t first_branch = 0, branches = 0;  // a fan-out's
  };
  struct Run {
    orchestration::SubWorkflowStarted started{};
    std::optional<orchestration::SubWorkflowEnded> ended;
    std::string outcome;  // the ended event's view dies with the call
  };
  using Event = std::variant<orchestration::NodeEntered, orchestration::RetryScheduled,
                             orchestration::HedgeLaunched, orchestration::ContextFitted,
                             orchestration::BudgetExhausted>;
  std::vector<Call> calls;
  std::vector<Decision> decisions;
  std::vector<Event> events;
  std::vector<Run> runs;
  std::vector<orchestration::RoutingCandidate> inputs;  // the decisions' candidates
  std::string texts;                                    // the decisions' reasons given as text

  // Ready for another request, keeping the vectors' buffers: most records
  // are dropped at their request's finish, and the next arrival reuses one.
  void clear() {
    static_cast<RequestLogRecordFields&>(*this) = RequestLogRecordFields{};
    calls.clear();
    decisions.clear();
    events.clear();
    runs.clear();
    inputs.clear();
    texts.clear();
  }

  // Keeps the event's reason (see Decision).
  void keep_reason(Decision& d, const orchestration::Reason& reason) {
    if (reason.deferred() && !reason.has_strings()) {
      d.reason = reason;
      return;
    }
    const std::size_t at = texts.size();
    reason.append_to(texts);
    d.text_at = static_cast<std::uint32_t>(at);
    d.text = static_cast<std::uint32_t>(texts.size() - at);
  }
  void reason_text(const Decision& d, std::string& out) const {
    out.clear();
    if (d.reason.deferred()) {
      d.reason.append_to(out);
    } else {
      out.assign(texts, d.text_at, d.text);
    }
  }
};

// By id, looked up on every event of every request: open addressing
// (robin_map) rather than a node per entry. Never iterated into output.
struct RequestLog::InFlight {
  tsl::robin_map<RequestId, std::unique_ptr<Record>> records;
};

RequestLog::RequestLog(const orchestration::Workflow& workflow,
                       std::vector<std::string> agent_names, std::vector<std::string> class_names,
                       RequestLogOptions options)
    : workflow_(workflow),
      agent_names_(std::move(agent_names)),
      class_names_(std::move(class_names)),
      options_(options),
      in_flight_(std::make_unique<InFlight>()) {}

RequestLog::~RequestLog() = default;

std::uint64_t RequestLog::mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string RequestLog::node_name(NodeId node) const {
  if (node == orchestration::kNoNode) return "start";
  if (node < workflow_.nodes.size()) return workflow_.nodes[node].name;
  return fmt::format("node{}", node);
}

std::string RequestLog::agent_name(AgentIndex agent) const {
  if (agent < agent_names_.size()) return agent_names_[agent];
  if (agent == orchestration::kNoAgent) return "(sub-workflow)";  // a retry or hedge of a run
  return fmt::format("agent{}", agent);
}

RequestLog::Record* RequestLog::find(RequestId request) {
  // A request's events come in runs (a call started, its decision, the
  // edge...): the last record found is often the next.
  if (last_ != nullptr && last_->id == request) return last_;
  const auto it = in_flight_->records.find(request);
  if (it == in_flight_->records.end()) return nullptr;
  last_ = it->second.get();
  return last_;
}

bool RequestLog::room(Record& r) {
  if (r.items >= options_.max_items) {
    r.truncated = true;
    return false;
  }
  ++r.items;
  return true;
}

void RequestLog::on_request_arrived(const orchestration::RequestArrived& e) {
  std::unique_ptr<Record> r;
  if (spare_.empty()) {
    r = std::make_unique<Record>();
  } else {
    r = std::move(spare_.back());
    spare_.pop_back();
  }
  r->id = e.request;
  r->class_index = e.class_index;
  r->arrival = e.at;
  last_ = nullptr;  // the record of a repeated id is replaced
  in_flight_->records.insert_or_assign(e.request, std::move(r));
}

void RequestLog::on_call_started(const orchestration::CallStarted& e) {
  Record* r = find(e.request);
  if (r == nullptr || !room(*r)) return;
  r->calls.push_back({e.call, e, std::nullopt});
}

void RequestLog::on_call_ended(const orchestration::CallEnded& e) {
  Record* r = find(e.request);
  if (r == nullptr) return;
  // The call is almost always among the last few started.
  for (auto it = r->calls.rbegin(); it != r->calls.rend(); ++it) {
    if (it->id == e.call && it->started.agent == e.agent && !it->ended) {
      it->ended = e;
      return;
    }
  }
}

void RequestLog::on_routing_decision(const orchestration::RoutingDecision& e) {
  Record* r = find(e.request);
  if (r == nullptr || !room(*r)) return;
  Record::Decision d;
  d.at = e.at;
  d.node = e.node;
  d.route = true;
  // The node's own policy (not an on_revisit one's) is the usual case: its
  // name's index is kept by node, found by the name's address in the workflow.
  const orchestration::Node* node =
      e.node < workflow_.nodes.size() ? &workflow_.nodes[e.node] : nullptr;
  if (node != nullptr && e.policy.data() == node->call.routing.policy.data()) {
    if (node_policies_.size() <= e.node) node_policies_.resize(e.node + 1, kNoPolicy);
    std::uint32_t& known = node_policies_[e.node];
    if (known == kNoPolicy) known = policy_index(e.policy);
    d.policy = known;
  } else {
    d.policy = policy_index(e.policy);
  }
  if (e.candidates != nullptr) {
    d.inputs_at = static_cast<std::uint32_t>(r->inputs.size());
    d.inputs = static_cast<std::uint32_t>(e.candidates->size());
    r->inputs.insert(r->inputs.end(), e.candidates->begin(), e.candidates->end());
  }
  d.choice = e.choice;
  r->keep_reason(d, e.reason);
  r->decisions.push_back(d);
}

std::uint32_t RequestLog::policy_index(std::string_view policy) {
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    if (policies_[i] == policy) return static_cast<std::uint32_t>(i);
  }
  policies_.emplace_back(policy);
  return static_cast<std::uint32_t>(policies_.size() - 1);
}

void RequestLog::on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) {
  Record* r = find(e.request);
  if (r == nullptr || !room(*r)) return;
  r->runs.push_back({e, std::nullopt, {}});
}

void RequestLog::on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) {
  Record* r = find(e.request);
  if (r == nullptr) return;
  for (auto it = r->runs.rbegin(); it != r->runs.rend(); ++it) {
    if (it->started.invocation == e.invocation && !it->ended) {
      it->ended = e;
      it->outcome = std::string(e.outcome);
      it->ended->outcome = {};
      return;
    }
  }
}

void RequestLog::on_flow_decision(const orchestration::FlowDecision& e) {
  Record* r = find(e.request);
  if (r == nullptr || !room(*r)) return;
  Record::Decision d;
  d.at = e.at;
  d.node = e.node;
  d.next = e.next;
  r->keep_reason(d, e.reason);
  d.flow = e.flow;
  d.invocation = e.invocation;
  d.first_branch = e.first_branch;
  d.branches = e.branches;
  r->decisions.push_back(d);
}

void RequestLog::on_node_entered(const orchestration::NodeEntered& e) { add_event(e.request, e); }
void RequestLog::on_retry_scheduled(const orchestration::RetryScheduled& e) {
  add_event(e.request, e);
}
void RequestLog::on_hedge_launched(const orchestration::HedgeLaunched& e) {
  add_event(e.request, e);
}
void RequestLog::on_context_fitted(const orchestration::ContextFitted& e) {
  add_event(e.request, e);
}
void RequestLog::on_budget_exhausted(const orchestration::BudgetExhausted& e) {
  add_event(e.request, e);
}

template <typename E>
void RequestLog::add_event(RequestId request, const E& e) {
  Record* r = find(request);
  if (r == nullptr || !room(*r)) return;
  r->events.emplace_back(e);
}

void RequestLog::on_request_finished(const orchestration::RequestFinished& e) {
  const auto it = in_flight_->records.find(e.request);
  if (it == in_flight_->records.end()) return;
  std::unique_ptr<Record> r = std::move(it.value());
  in_flight_->records.erase(it);
  last_ = nullptr;
  ++finished_;
  r->finished = true;
  r->finish = e.at;
  r->success = e.success;
  r->outcome = std::string(e.outcome);
  r->latency = e.latency;
  r->quality = e.quality;
  r->cost_usd = e.cost_usd;
  r->silent_answer = e.answer_silent_failure;
  r->input_tokens = e.input_tokens;
  r->output_tokens = e.output_tokens;
  r->calls_n = e.calls;
  r->retries = e.retries;
  r->hedges = e.hedges;
  r->timeouts = e.timeouts;
  r->fallbacks = e.fallbacks;
  r->redirects = e.redirects;
  keep(std::move(r));
}

void RequestLog::drop_reason(RequestId id, Reason reason) {
  const auto it = kept_.find(id);
  if (it == kept_.end()) return;
  it->second->reasons &= static_cast<std::uint8_t>(~reason);
  if (it->second->reasons == 0) {
    recycle(std::move(it->second));
    kept_.erase(it);
  }
}

void RequestLog::keep(std::unique_ptr<Record> r) {
  const RequestId id = r->id;
  const std::uint64_t h = mix(id);
  // A bounded set keeps its `limit` smallest keys; returns whether `key` got in.
  auto offer = [this](auto& set, std::size_t limit, auto key, Reason reason) {
    if (limit == 0) return false;
    if (set.size() < limit) {
      set.insert(key);
      return true;
    }
    auto largest = std::prev(set.end());
    if (!(key < *largest)) return false;
    const auto evicted = *largest;
    set.erase(largest);
    set.insert(key);
    drop_reason(evicted.second, reason);
    return true;
  };
  std::uint8_t reasons = 0;
  if (offer(sample_, options_.sample, std::pair{h, id}, kSample)) reasons |= kSample;
  if (!r->success && offer(failed_set_, options_.failed, std::pair{h, id}, kFailed)) {
    reasons |= kFailed;
  }
  // Slowest: keep the largest latencies, so offer the negated key (ties: lower id kept).
  if (options_.slowest > 0) {
    const std::pair<std::int64_t, std::uint64_t> key{r->latency.count_ns(), ~id};
    if (slowest_.size() < options_.slowest) {
      slowest_.insert(key);
      reasons |= kSlowest;
    } else if (slowest_.begin()->first < key.first ||
               (slowest_.begin()->first == key.first && *slowest_.begin() < key)) {
      const std::uint64_t evicted = ~slowest_.begin()->second;
      slowest_.erase(slowest_.begin());
      slowest_.insert(key);
      reasons |= kSlowest;
      drop_reason(evicted, kSlowest);
    }
  }
  if (reasons == 0) {
    recycle(std::move(r));
    return;
  }
  r->reasons = reasons;
  kept_[id] = std::move(r);
}

void RequestLog::recycle(std::unique_ptr<Record> r) {
  r->clear();
  spare_.push_back(std::move(r));
}

// A line's parts, in its order: calls, decisions, events, flows, runs.
void RequestLog::write_calls(JsonWriter& w, const Record& r) const {
  w.key("calls").begin_array();
  for (const Record::Call& c : r.calls) {
    w.begin_object();
    w.key("node").string(node_name(c.started.node));
    w.key("agent").string(agent_name(c.started.agent));
    w.key("flow").value(c.started.flow);
    w.key("invocation").value(c.started.invocation);
    w.key("attempt").value(c.started.attempt);
    w.key("kind").string(to_string(c.started.kind));
    write_ms(w.key("start_ms"), c.started.at);
    if (c.ended) {
      const orchestration::CallEnded& e = *c.ended;
      write_ms(w.key("end_ms"), e.at);
      write_ms(w.key("queue_wait_ms"), e.queue_wait);
      w.key("end").string(to_string(e.end));
      write_error(w.key("error"), e.error);
      w.key("input_tokens").value(e.input_tokens);
      w.key("output_tokens").value(e.output_tokens);
      w.key("cost_usd").number(e.cost_usd, 8);
      w.key("quality").number(e.quality, 6);
      w.key("confidence").number(e.confidence, 6);
      w.key("silent").value(e.silent);
    } else {
      w.key("end_ms").null();
      w.key("queue_wait_ms").null();
      w.key("end").string("unfinished");
      w.key("error").null();
      w.key("input_tokens").value(c.started.input_tokens);
      w.key("output_tokens").value(0);
      w.key("cost_usd").value(0);
      w.key("quality").null();
      w.key("confidence").null();
      w.key("silent").value(false);
    }
    w.end_object();
  }
  w.end_array();
}

void RequestLog::write_decisions(JsonWriter& w, const Record& r) const {
  std::string reason;
  w.key("decisions").begin_array();
  for (const Record::Decision& d : r.decisions) {
    w.begin_object();
    write_ms(w.key("t_ms"), d.at);
    w.key("node").string(node_name(d.node));
    if (d.route) {
      w.key("kind").string("route");
      w.key("policy").string(policies_[d.policy]);
      w.key("inputs").begin_array();
      for (std::uint32_t i = 0; i < d.inputs; ++i) {
        const orchestration::RoutingCandidate& c = r.inputs[d.inputs_at + i];
        w.begin_object();
        w.key("agent").string(agent_name(c.agent));
        w.key("score").number(c.score, 6);
        w.key("eligible").value(c.eligible);
        w.end_object();
      }
      w.end_array();
      w.key("choice").string(agent_name(d.choice));
    } else {
      w.key("kind").string("flow");
      w.key("choice");
      if (d.next == orchestration::kNoNode) {
        w.null();
      } else {
        w.string(node_name(d.next));
      }
      w.key("flow").value(d.flow);
      if (d.branches > 0) {
        w.key("branches").begin_array();
        for (std::uint32_t b = 0; b < d.branches; ++b) w.value(d.first_branch + b);
        w.end_array();
      }
    }
    r.reason_text(d, reason);
    w.key("reason").string(reason);
    w.end_object();
  }
  w.end_array();
}

void RequestLog::write_events(JsonWriter& w, const Record& r) const {
  // Each event: its time and kind, then its own fields.
  struct EventWriter {
    const RequestLog& log;
    JsonWriter& w;
    void start(sim::Time at, std::string_view kind) const {
      write_ms(w.key("t_ms"), at);
      w.key("kind").string(kind);
    }
    void node_and_agent(NodeId node, AgentIndex agent) const {
      w.key("node").string(log.node_name(node));
      w.key("agent").string(log.agent_name(agent));
    }
    void operator()(const orchestration::NodeEntered& e) const {
      start(e.at, "enter");
      w.key("from").string(log.node_name(e.from));
      w.key("to").string(log.node_name(e.to));
      w.key("flow").value(e.flow);
    }
    void operator()(const orchestration::RetryScheduled& e) const {
      start(e.at, "retry");
      node_and_agent(e.node, e.agent);
      w.key("attempt").value(e.next_attempt);
      write_ms(w.key("delay_ms"), e.delay);
      w.key("after").string(to_string(e.after));
      write_error(w.key("error"), e.after_error);
    }
    void operator()(const orchestration::HedgeLaunched& e) const {
      start(e.at, "hedge");
      node_and_agent(e.node, e.agent);
      w.key("attempt").value(e.attempt);
    }
    void operator()(const orchestration::ContextFitted& e) const {
      start(e.at, "context");
      node_and_agent(e.node, e.agent);
      w.key("policy").string(to_string(e.policy));
      w.key("tokens_before").value(e.tokens_before);
      w.key("tokens_after").value(e.tokens_after);
      w.key("retained").number(e.retained, 6);
      w.key("segments_dropped").value(e.segments_dropped);
      w.key("summarized").value(e.summarized);
    }
    void operator()(const orchestration::BudgetExhausted& e) const {
      start(e.at, "budget");
      w.key("node").string(log.node_name(e.node));
      w.key("budget").string(MetricsCollector::to_string(e.kind));
    }
  };
  w.key("events").begin_array();
  for (const Record::Event& event : r.events) {
    w.begin_object();
    std::visit(EventWriter{*this, w}, event);
    w.end_object();
  }
  w.end_array();
}

void RequestLog::write_flows(JsonWriter& w, const Record& r) const {
  // The tree of flows: the main path is 0; fan-out branches and sub-workflow
  // runs' main paths are children of the flow that started them.
  struct Flow {
    std::uint32_t flow, parent;
    bool branch;
    NodeId node;
    std::uint32_t invocation;
  };
  std::vector<Flow> flows;
  for (const Record::Decision& d : r.decisions) {
    for (std::uint32_t b = 0; b < d.branches; ++b) {
      flows.push_back({d.first_branch + b, d.flow, true, d.node, d.invocation});
    }
  }
  for (const Record::Run& run : r.runs) {
    const orchestration::SubWorkflowStarted& st = run.started;
    flows.push_back({st.root_flow, st.flow, false, st.node, st.invocation});
  }
  std::stable_sort(flows.begin(), flows.end(),
                   [](const Flow& a, const Flow& b) { return a.flow < b.flow; });
  w.key("flows").begin_array();
  for (const Flow& f : flows) {
    w.begin_object();
    w.key("flow").value(f.flow);
    w.key("parent").value(f.parent);
    w.key("kind").string(f.branch ? "branch" : "sub_workflow");
    w.key("node").string(node_name(f.node));
    w.key("invocation").value(f.invocation);
    w.end_object();
  }
  w.end_array();
}

void RequestLog::write_runs(JsonWriter& w, const Record& r) const {
  w.key("runs").begin_array();
  for (const Record::Run& run : r.runs) {
    const orchestration::SubWorkflowStarted& st = run.started;
    w.begin_object();
    w.key("invocation").value(st.invocation);
    w.key("parent").value(st.parent);
    w.key("node").string(node_name(st.node));
    w.key("sub_workflow");
    if (st.sub_workflow < workflow_.sub_workflows.size()) {
      w.string(workflow_.sub_workflows[st.sub_workflow].name);
    } else {
      w.null();
    }
    w.key("attempt").value(st.attempt);
    w.key("kind").string(to_string(st.kind));
    w.key("flow").value(st.flow);
    w.key("root_flow").value(st.root_flow);
    write_ms(w.key("start_ms"), st.at);
    if (run.ended) {
      const orchestration::SubWorkflowEnded& e = *run.ended;
      write_ms(w.key("end_ms"), e.at);
      w.key("end").string(to_string(e.end));
      w.key("outcome").string(run.outcome);
      w.key("calls").value(e.calls);
      w.key("cost_usd").number(e.cost_usd, 8);
      w.key("quality").number(e.quality, 6);
    } else {
      w.key("end_ms").null();
      w.key("end").string("unfinished");
      w.key("outcome").null();
      w.key("calls").null();
      w.key("cost_usd").null();
      w.key("quality").null();
    }
    w.end_object();
  }
  w.end_array();
}

// One kept request's line, written as it goes (JsonWriter: nlohmann's bytes
// for the same document, without building it).
void RequestLog::write_record(std::string& out, const Record& r) const {
  JsonWriter w(out);
  w.begin_object();
  w.key("request").value(r.id);
  w.key("class").string(r.class_index < class_names_.size()
                            ? class_names_[r.class_index]
                            : fmt::format("class{}", r.class_index));
  write_ms(w.key("arrival_ms"), r.arrival);
  write_ms(w.key("finish_ms"), r.finish);
  write_ms(w.key("latency_ms"), r.latency);
  w.key("success").value(r.success);
  w.key("outcome").string(r.outcome);
  w.key("quality").number(r.quality, 6);
  w.key("silent_answer").value(r.silent_answer);
  w.key("cost_usd").number(r.cost_usd, 8);
  w.key("input_tokens").value(r.input_tokens);
  w.key("output_tokens").value(r.output_tokens);
  w.key("call_count").value(r.calls_n);
  w.key("retries").value(r.retries);
  w.key("hedges").value(r.hedges);
  w.key("timeouts").value(r.timeouts);
  w.key("fallbacks").value(r.fallbacks);
  w.key("redirects").value(r.redirects);
  w.key("kept").begin_array();
  if (r.reasons & kSample) w.string("sample");
  if (r.reasons & kSlowest) w.string("slowest");
  if (r.reasons & kFailed) w.string("failed");
  w.end_array();
  w.key("truncated").value(r.truncated);
  write_calls(w, r);
  write_decisions(w, r);
  write_events(w, r);
  write_flows(w, r);
  write_runs(w, r);
  w.end_object();
}

Json RequestLog::to_json(const Record& r) const {
  std::string line;
  write_record(line, r);
  return Json::parse(line);
}

std::vector<Json> RequestLog::kept_requests() const {
  std::vector<Json> out;
  out.reserve(kept_.size());
  for (const auto& [id, r] : kept_) out.push_back(to_json(*r));
  return out;
}

void RequestLog::write(std::ostream& out, const Json& header) const {
  Json h;
  h["schema"] = "orchsim.requests";
  h["schema_version"] = 1;
  for (const auto& [key, value] : header.items()) h[key] = value;
  h["selection"] = {
      {"sample", options_.sample}, {"slowest", options_.slowest}, {"failed", options_.failed}};
  h["finished"] = finished_;
  h["kept"] = kept_.size();
  out << h.dump() << '\n';
  std::string line;
  for (const auto& [id, r] : kept_) {
    line.clear();
    write_record(line, *r);
    line += '\n';
    out << line;
  }
}

}  // namespace orchsim::eval
