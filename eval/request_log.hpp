// Per-request detail for a bounded, deterministic sample of a run's requests:
// everything that happened to each (calls with their timing and outcome,
// routing and flow decisions with their inputs and reasons, edges taken,
// retries, hedges, context fitting, budgets), for the explorer's request
// view and for anyone asking "what happened to request 4711?".
//
// Which requests are kept (each for every reason that applies, listed in
// "kept"):
//   "sample"  - a uniform sample: the `sample` finished requests whose id has
//               the smallest 64-bit mix (SplitMix64), so it does not lean to
//               the start of the run (warm-up) or to any class;
//   "slowest" - the `slowest` finished requests with the longest latency
//               (ties: the lower id);
//   "failed"  - `failed` failed requests, chosen like the sample.
// So memory is bounded by the sum of the three plus the requests in flight,
// whatever the run's length. Requests still in flight at the end are not
// kept. Deterministic: the same events keep the same requests.
//
// It reads decisions' reasons and scores, so attaching it makes the
// orchestrator explain every decision (wants_explanations()): the policies
// compute their scores, and each reason is recorded as a format and its
// values (orchestration::Reason), formatted only for the requests kept.
//
//   RequestLog log(workflow, agent_names, class_names);
//   observers.add(&log);
//   simulation.run();
//   log.write(file, {{"scenario", "rag"}, {"seed", 7}});
//
// File (requests.jsonl): a header line, then one request per line in
// increasing id, keys in this order (times in ms with 6 decimals, exact):
//   {"schema":"orchsim.requests","schema_version":1,<header fields>,
//    "selection":{"sample":2000,"slowest":200,"failed":200},
//    "finished":N,"kept":K}
//   {"request","class","arrival_ms","finish_ms","latency_ms","success","outcome",
//    "quality","silent_answer","cost_usd","input_tokens","output_tokens","call_count",
//    "retries","hedges","timeouts","fallbacks","redirects","kept":[...],
//    "truncated":bool,
//    "calls":[{"node","agent","flow","invocation","attempt","kind","start_ms","end_ms",
//              "queue_wait_ms","end","error","input_tokens","output_tokens","cost_usd",
//              "quality","confidence","silent"}],          // in start order
//    "decisions":[{"t_ms","node","kind":"route","policy","inputs":[{"agent","score",
//                  "eligible"}],"choice","reason"}
//               | {"t_ms","node","kind":"flow","choice":node|null,"flow",
//                  "branches":[flow ids] (fan-outs only),"reason"}],
//    "events":[{"t_ms","kind":"enter","from","to","flow"}
//            | {"t_ms","kind":"retry","node","agent","attempt","delay_ms","after","error"}
//            | {"t_ms","kind":"hedge","node","agent","attempt"}   (agent "(sub-workflow)":
//               a retry or hedge that is a run of the node's sub-workflow)
//            | {"t_ms","kind":"context","node","agent","policy","tokens_before",
//               "tokens_after","retained","segments_dropped","summarized"}
//            | {"t_ms","kind":"budget","node","budget"}],
//    "flows":[{"flow","parent","kind":"branch"|"sub_workflow","node","invocation"}],
//               // the tree of flows (0, the main path, is its root), by flow id
//    "runs":[{"invocation","parent","node","sub_workflow","attempt","kind","flow",
//             "root_flow","start_ms","end_ms","end","outcome","calls","cost_usd",
//             "quality"}]}                      // sub-workflow invocations, in start order
// A flow is a line of execution: the main path (0), a fan-out branch, or a
// sub-workflow run's main path; "flow" on calls and events says which, so
// a request's trace nests at any depth.
// A call that had not ended when its request did has "end":"unfinished" and
// end_ms null. At most `max_items` calls + decisions + events are kept per
// request; past that "truncated" is true. One thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::eval {

class JsonWriter;

struct RequestLogOptions {
  std::size_t sample = 2000;     // uniform sample of finished requests
  std::size_t slowest = 200;     // the slowest finished requests
  std::size_t failed = 200;      // a sample of the failed requests
  std::size_t max_items = 1024;  // calls + decisions + events kept per request
};

class RequestLog final : public orchestration::Observer {
 public:
  RequestLog(const orchestration::Workflow& workflow, std::vector<std::string> agent_names,
             std::vector<std::string> class_names, RequestLogOptions options = {});
  ~RequestLog() override;

  bool wants_explanations() const override { return true; }
  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_call_started(const orchestration::CallStarted& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;
  void on_routing_decision(const orchestration::RoutingDecision& e) override;
  bool reads_decision_context() const override { return false; }
  void on_node_entered(const orchestration::NodeEntered& e) override;
  void on_flow_decision(const orchestration::FlowDecision& e) override;
  void on_retry_scheduled(const orchestration::RetryScheduled& e) override;
  void on_hedge_launched(const orchestration::HedgeLaunched& e) override;
  void on_context_fitted(const orchestration::ContextFitted& e) override;
  void on_budget_exhausted(const orchestration::BudgetExhausted& e) override;
  void on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) override;
  void on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) override;

  // The header line gets `header`'s fields after schema and version.
  void write(std::ostream& out,
             const nlohmann::ordered_json& header = nlohmann::ordered_json::object()) const;

  std::uint64_t finished() const { return finished_; }
  std::size_t kept() const { return kept_.size(); }
  // The kept requests' lines (without the header), in increasing id.
  std::vector<nlohmann::ordered_json> kept_requests() const;

  // The 64-bit mix used to sample ids (SplitMix64's finaliser).
  static std::uint64_t mix(std::uint64_t id);

 private:
  struct Record;
  enum Reason : std::uint8_t { kSample = 1, kSlowest = 2, kFailed = 4 };

  Record* find(orchestration::RequestId request);
  bool room(Record& r);
  void keep(std::unique_ptr<Record> r);
  void recycle(std::unique_ptr<Record> r);  // to spare_, for the next arrival
  void drop_reason(orchestration::RequestId id, Reason reason);
  void write_record(std::string& out, const Record& r) const;  // its line, without the newline
  void write_calls(JsonWriter& w, const Record& r) const;
  void write_decisions(JsonWriter& w, const Record& r) const;
  void write_events(JsonWriter& w, const Record& r) const;
  void write_flows(JsonWriter& w, const Record& r) const;  // the tree of flows
  void write_runs(JsonWriter& w, const Record& r) const;   // the sub-workflow runs
  nlohmann::ordered_json to_json(const Record& r) const;   // the same, parsed
  template <typename E>
  void add_event(orchestration::RequestId request, const E& e);
  std::string node_name(orchestration::NodeId node) const;
  std::string agent_name(orchestration::AgentIndex agent) const;
  std::uint32_t policy_index(std::string_view policy);

  const orchestration::Workflow& workflow_;
  std::vector<std::string> agent_names_, class_names_;
  RequestLogOptions options_;
  std::uint64_t finished_ = 0;
  // Looked up by id only, never iterated: its order cannot reach the output.
  struct InFlight;  // the records of requests in flight, by id (request_log.cpp)
  std::unique_ptr<InFlight> in_flight_;
  std::map<orchestration::RequestId, std::unique_ptr<Record>> kept_;
  std::set<std::pair<std::uint64_t, orchestration::RequestId>> sample_, failed_set_;
  std::vector<std::unique_ptr<Record>> spare_;  // cleared records, buffers kept
  std::vector<std::string> policies_;           // the routing policies' names seen
  static constexpr std::uint32_t kNoPolicy = ~0u;
  std::vector<std::uint32_t> node_policies_;  // per node: its own policy's index, or kNoPolicy
  Record* last_ = nullptr;                    // the last record found in flight
  // (latency ns, -id as unsigned complement) so that the first element is the one to evict.
  std::set<std::pair<std::int64_t, std::uint64_t>> slowest_;
};

}  // namespace orchsim::eval
