// A Chrome Trace Event Format document of a run, for Perfetto UI or
// chrome://tracing:
//   {"traceEvents":[...],"displayTimeUnit":"ms","metadata":{...}}
//
// Contract: every agent call becomes a complete event ("ph":"X", name = the
// workflow node, cat = the attempt kind, args: request, attempt, kind, end,
// error, input_tokens, output_tokens, cost_usd, quality, confidence,
// queue_wait_us) in process pid = agent index + 1, named after the agent. A
// call takes the lowest-numbered lane of its agent that is free when it
// starts; lane N is thread tid = N (from 1), named "lane N", so the slices of
// one track never overlap. A non-first attempt of a step (retry, hedge,
// fallback, redirect, decompose, cascade) is linked to the previous attempt of
// the same (request, node) by a flow: "s" on the earlier slice, "f" with
// "bp":"e" on the later one, sharing an id. Process 0, "requests", carries a
// counter ("C") of requests in flight at each arrival and finish. Calls still
// running at write() are written up to the last event time with end
// "unfinished". Timestamps and durations are microseconds printed exactly with
// 3 decimals; events are sorted by (pid, tid, ts), so ts never decreases on a
// track. Same events, same bytes.
//
// Cost: memory grows with the events kept (about 100 bytes each), bounded by
// `max_events`; past it, events are dropped (a flow's two halves together)
// and metadata says "truncated": true with "dropped_events". Per event:
// O(log n) in the calls and steps in flight. One thread; the workflow must
// outlive the writer.
//
//   TraceWriter trace(workflow, agent_names);
//   observers.add(&trace);
//   simulation.run();
//   AtomicFile f("trace.json"); trace.write(f.stream()); f.commit();
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::eval {

class TraceWriter final : public orchestration::Observer {
 public:
  static constexpr std::size_t kDefaultMaxEvents = 2'000'000;

  TraceWriter(const orchestration::Workflow& workflow, std::vector<std::string> agent_names,
              std::size_t max_events = kDefaultMaxEvents);

  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_call_started(const orchestration::CallStarted& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;

  void write(std::ostream& out) const;

  // Events kept so far (metadata excluded) and dropped past max_events.
  std::size_t event_count() const { return events_.size(); }
  std::uint64_t dropped() const { return dropped_; }
  bool truncated() const { return dropped_ > 0; }

 private:
  enum class Phase : std::uint8_t { kSlice, kFlowStart, kFlowEnd, kCounter };
  struct Event {
    std::int64_t ts_ns = 0;
    std::int64_t dur_ns = 0;
    std::uint64_t id = 0;  // X: request; s/f: flow id; C: requests in flight
    std::uint32_t pid = 0;
    std::uint32_t tid = 0;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t queue_wait_ns = 0;
    double cost_usd = 0.0;
    double quality = 0.0;
    double confidence = 0.0;
    orchestration::NodeId node = 0;
    std::uint32_t attempt = 0;
    Phase phase = Phase::kSlice;
    orchestration::AttemptKind kind = orchestration::AttemptKind::kFirst;
    orchestration::CallEnd end = orchestration::CallEnd::kSuccess;
    orchestration::ErrorKind error = orchestration::ErrorKind::kNone;
    bool unfinished = false;
  };
  struct Lane {
    bool busy = false;
    std::int64_t free_since_ns = 0;
  };
  struct ActiveCall {
    std::uint32_t lane = 0;  // index into the agent's lanes
    orchestration::CallStarted started;
  };
  struct SliceAt {
    std::uint32_t pid = 0, tid = 0;
    std::int64_t ts_ns = 0;
  };

  bool add(const Event& e);
  std::uint32_t take_lane(orchestration::AgentIndex agent, std::int64_t at_ns);
  std::vector<Lane>& lanes(orchestration::AgentIndex agent);
  std::string node_name(orchestration::NodeId node) const;
  std::string agent_name(std::uint32_t agent) const;
  void append_event(std::string& out, const Event& e) const;

  const orchestration::Workflow& workflow_;
  std::vector<std::string> agent_names_;
  std::size_t max_events_;
  std::vector<Event> events_;
  std::uint64_t dropped_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t next_flow_id_ = 1;
  std::int64_t last_ns_ = 0;
  std::vector<std::vector<Lane>> lanes_;  // by agent
  std::map<std::pair<orchestration::AgentIndex, mock_agents::CallId>, ActiveCall> active_;
  // The latest attempt of each step in flight, keyed by (request, node).
  std::map<std::pair<orchestration::RequestId, orchestration::NodeId>, SliceAt> last_attempt_;
};

}  // namespace orchsim::eval
