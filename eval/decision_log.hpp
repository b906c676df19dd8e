// The decision log: for every request, its routing decisions (with the
// outcome of the attempt each one launched) and its flow decisions, one JSON
// object per request (JSON Lines), meant to be written through a ZstdOstream
// as decisions.jsonl.zst: about 70 bytes per request for rag_orchestrated.
// Names are written once, in a header line; rows carry small integers.
//
//   ZstdOstream z(file.stream());
//   DecisionLog log(z, workflow, agent_names, {.scenario = "rag", .seed = 7});
//   observers.add(&log);  ... run ...
//   log.finish();         // requests still in flight
//   z.finish();
//
// Line 1, the header:
//   {"orchsim":"decisions","version":2,"scenario":"...","seed":7,"features":false,
//    "nodes":[...],"policies":[...],"agents":[...],"kinds":[...],"ends":[...],"errors":[...],
//    "decision_columns":["node","agent","kind","p","visit","end","error","lat_ms",
//                        "confidence","quality","cost_uusd"],
//    "flow_columns":["node","next"]}
// then one row per request, in the order requests end (those still in flight
// when the run stops last, by id, with "ok": null):
//   {"r":17,"t":1234.5,"cls":0,"in":300,"ok":1,"o":"answered","lat":5123.4,"q":0.871,
//    "c":14.9,"d":[[0,0,0,1,1,0,0,50.8,0.92,0.92,9.7],...],"f":[[1,3],...]}
// r request id; t its arrival and lat its latency (ms, 0.1 ms); cls class; in
// input tokens; ok success; o outcome or failure cause; q the answer's true
// quality (ORACLE, 3 decimals); c its cost in micro-dollars (0.1).
// d: its routing decisions in order, each [node, agent chosen, kind of attempt
// (index into kinds), propensity (null: not estimated), visit of the node,
// then the attempt it launched: end (index into ends; -1: the call was never
// made, e.g. a breaker refused it), error (index into errors), latency ms,
// the confidence the orchestrator saw (2 decimals), its true quality (ORACLE,
// 2 decimals), cost in micro-dollars]. f: its gate and join decisions,
// [node, next node or -1 when the flow ends there].
// With features, "x" holds per decision what the policy saw: context tokens
// "ctx", time left "tl" (ms, null without a deadline), cost so far "cost"
// (USD), attempt "at", previous step "prev" [failed, label, confidence,
// verdict], per candidate "cand" [agent, eligible, in_flight, queued,
// servers, ewma_latency_ms, ewma_error_rate, ewma_confidence, ewma_cost_usd],
// and the policy's scores "s".
//
// Deterministic (no locale; the same events give the same bytes).
// Memory: the decisions of the requests in flight, and up to a few thousand
// finished rows on their way to the stream.
//
// Threads: the observer calls come from one thread, which records each
// request's decisions; a finished request's row is formatted and written to
// `out` by a worker thread of the log's own (BatchPipe), in the order
// requests end, so writing the stream (and compressing it, as ZstdOstream
// does) runs beside the simulation instead of inside it. When the calls
// already come from a worker (ObserverThread, as run_scenario does), set
// own_thread off: that worker writes the rows too. `out` belongs to the log
// until finish() returns: do not touch it in between.
// Never throws on a bad stream: check the stream after finish().
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "eval/batch_pipe.hpp"
#include "orchestration/events.hpp"

namespace orchsim::eval {

struct DecisionLogOptions {
  std::string scenario = {};
  std::uint64_t seed = 0;
  // Per decision, what the policy saw and its scores (larger, and it asks the
  // orchestrator for explanations, which costs time).
  bool features = false;
  // Format and write rows on a worker thread of the log's own. Off when the
  // log's events already arrive on a worker (ObserverThread): one more
  // thread would only take turns with it on the same cores.
  bool own_thread = true;
};

namespace detail {
// Appends finite x with `decimals` fixed places (0-17), trailing zeros and a
// bare '.' dropped, "-0" as "0": fmt's "{:.{decimals}f}", trimmed. Exposed
// for its test.
void append_fixed(std::string& out, double x, int decimals);
}  // namespace detail

class DecisionLog final : public orchestration::Observer {
 public:
  static constexpr int kVersion = 2;

  DecisionLog(std::ostream& out, const orchestration::Workflow& workflow,
              std::vector<std::string> agent_names, DecisionLogOptions options = {});
  ~DecisionLog() override;

  bool wants_explanations() const override { return options_.features; }
  // The context is read only for features; without them a `static` node's
  // decision is made without asking its policy (PolicyHooks::first_eligible).
  bool reads_decision_context() const override { return options_.features; }
  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_routing_decision(const orchestration::RoutingDecision& e) override;
  void on_flow_decision(const orchestration::FlowDecision& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;
  // Writes the requests still in flight (by id) and waits until every row
  // is in `out`. Call once, after the run.
  void finish();

  std::uint64_t rows() const { return rows_; }  // requests written, the header not counted
  std::uint64_t decisions() const { return decisions_; }

 private:
  struct Decision {
    orchestration::NodeId node;
    orchestration::AgentIndex agent;
    std::uint8_t kind;
    double probability;
    std::uint32_t visit;
    int end = -1;
    int error = 0;
    std::int64_t latency_ns = 0;
    double confidence = 0.0, quality = 0.0, cost_usd = 0.0;
  };
  struct Pending {
    sim::Time arrival;
    std::uint32_t class_index = 0;
    std::int64_t input_tokens = 0;
    std::vector<Decision> decisions;
    std::vector<std::pair<orchestration::NodeId, std::int64_t>> flows;
    std::string features;  // "x" entries, comma-separated
  };
  // A request's row as the worker formats it: what RequestFinished said
  // (finished false: still in flight at the end), and its decisions.
  struct Row {
    orchestration::RequestId id = 0;
    bool finished = false, success = false;
    const std::string* outcome = nullptr;  // its JSON string, in quoted_
    std::int64_t latency_ns = 0;
    double quality = 0.0, cost_usd = 0.0;
    Pending pending;
  };
  // Rows go to the worker in batches; a batch comes back with its rows'
  // buffers, and rows[used..] are left over from earlier use.
  struct Rows {
    std::vector<Row> rows;
    std::size_t used = 0;
  };
  static constexpr std::size_t kRowsPerBatch = 512;

  void write_header(const orchestration::Workflow& workflow);
  Row& next_row();
  void send_rows();
  void write_rows(Rows& batch);  // on the worker thread
  void write_row(const Row& row);
  void append_features(std::string& out, const orchestration::RoutingDecision& e);
  const std::string& quoted(std::string_view s);  // JSON string of s, escaped once

  std::ostream& out_;
  std::vector<std::string> agent_names_;
  DecisionLogOptions options_;
  // The requests in flight and the attempts their decisions launched, by id
  // (open-addressing tables: decision_log.cpp).
  struct Tables;
  std::unique_ptr<Tables> tables_;
  std::string line_;  // the header, then the worker's
  // name -> its JSON string; a deque, so the worker may read an entry while
  // a new one is added.
  std::deque<std::pair<std::string, std::string>> quoted_;
  std::uint64_t rows_ = 0, decisions_ = 0;
  Rows batch_;
  // With own_thread; last: its worker stops before the rest goes.
  std::unique_ptr<BatchPipe<Rows>> pipe_;
};

}  // namespace orchsim::eval
