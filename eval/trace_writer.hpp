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
// "unfinished". Each sub-workflow's runs (invocations) are slices the same
// way, named after the calling node, in a process of their own after the
// agents' (pid = agents + 1 + sub-workflow index, "sub-workflow <name>"), with
// the calls and cost of everything inside as their tokens and cost; the
// calls inside sit on their agents' tracks within the run's time span.
// Timestamps and durations are microseconds printed exactly with
// 3 decimals; events are sorted by (pid, tid, ts), so ts never decreases on a
// track. Same events, same bytes.
//
// Cost: events are kept in 2 MiB chunks that never move (huge pages where
// the kernel gives them), so the trace grows without copying what it holds:
// 96 bytes a call slice or flow end, 16 a counter sample, bounded by
// `max_events`; past it, events are dropped (a flow's two halves together)
// and metadata says "truncated": true with "dropped_events". Per event: O(1)
// amortised, plus a scan of the agent's lanes when a call starts; the calls
// and steps in flight take memory as the calls and requests in flight do.
// write() takes 16 bytes more per event to order them track by track (they
// come nearly sorted) and formats them straight into 1 MB pieces, which a
// second thread hands to the stream while the next is formatted
// (docs/performance.md). Called from one thread; the workflow must outlive
// the writer.
//
//   TraceWriter trace(workflow, agent_names);
//   observers.add(&trace);
//   simulation.run();
//   AtomicFile f("trace.json"); trace.write(f.stream()); f.commit();
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eval/huge_pages.hpp"
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
  void on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) override;
  void on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) override;

  void write(std::ostream& out) const;

  // Events kept so far (metadata excluded) and dropped past max_events.
  std::size_t event_count() const { return records_.size() + counters_.size(); }
  std::uint64_t dropped() const { return dropped_; }
  bool truncated() const { return dropped_ > 0; }

 private:
  // Grows by chunks of 2 MiB that never move, faulted in ahead by a helper
  // thread (huge_pages.hpp), so the kernel's zeroing of new memory is not
  // paid here. A chunk's contents are unspecified until written element by
  // element (T is trivial: no default member initialisers).
  template <class T>
  class Chunked {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

   public:
    void push_back(const T& v) {
      if (size_ == chunks_.size() * kChunk) chunks_.push_back(supply_.take());
      static_cast<T*>(chunks_.back().get())[size_ % kChunk] = v;
      ++size_;
    }
    const T& operator[](std::size_t i) const {
      return static_cast<const T*>(chunks_[i / kChunk].get())[i % kChunk];
    }
    std::size_t size() const { return size_; }

   private:
    static constexpr std::size_t kChunk = kHugeBlockBytes / sizeof(T);
    HugeBlockSupply supply_;
    std::vector<HugeBlock> chunks_;
    std::size_t size_ = 0;
  };

  enum class Phase : std::uint8_t { kSlice, kFlowStart, kFlowEnd };
  // A call slice ("X") or one half of a flow ("s", "f"). Fields by size, no
  // padding but the tail: 96 bytes, aligned to span two cache lines.
  struct alignas(32) Record {
    std::int64_t ts_ns;
    std::int64_t dur_ns;
    std::uint64_t id;  // X: request; s/f: flow id
    std::int64_t input_tokens;
    std::int64_t output_tokens;
    std::int64_t queue_wait_ns;
    double cost_usd;
    double quality;
    double confidence;
    std::uint32_t pid;
    std::uint32_t tid;
    orchestration::NodeId node;
    std::uint32_t attempt;
    Phase phase;
    orchestration::AttemptKind kind;
    orchestration::CallEnd end;
    orchestration::ErrorKind error;
    bool unfinished;
  };
  // A sample of the requests-in-flight counter (pid 0, tid 0).
  struct Counter {
    std::int64_t ts_ns;
    std::uint64_t in_flight;
  };
  struct Lane {
    bool busy = false;
    std::int64_t free_since_ns = 0;
  };
  // What an unfinished slice needs of a call in flight.
  struct ActiveCall {
    mock_agents::CallId call = 0;
    std::int64_t at_ns = 0;
    orchestration::RequestId request = 0;
    std::int64_t input_tokens = 0;
    std::uint32_t lane = 0;  // index into the agent's lanes
    orchestration::NodeId node = 0;
    std::uint32_t attempt = 0;
    orchestration::AttemptKind kind = orchestration::AttemptKind::kFirst;
    bool running = false;
  };
  struct SliceAt {
    std::uint32_t pid = 0, tid = 0;
    std::int64_t ts_ns = 0;
  };
  struct StepSlice {
    orchestration::NodeId node;
    SliceAt at;
  };
  // A record's place in the output within its track: by ts, then slices
  // before flows (the top bit of rank_index), then in the order added.
  struct TrackKey {
    std::int64_t ts_ns;
    std::uint64_t rank_index;
    friend bool operator<(const TrackKey& a, const TrackKey& b) {
      return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.rank_index < b.rank_index;
    }
  };
  struct Text;  // the JSON of one event (trace_writer.cpp)

  bool add(const Record& r);
  bool add(const Counter& c);
  void add_flow(const SliceAt& from, const SliceAt& to, orchestration::AttemptKind kind);
  std::uint32_t take_lane(orchestration::AgentIndex agent, std::int64_t at_ns);
  std::vector<Lane>& lanes(orchestration::AgentIndex agent);

  void remember_call(orchestration::AgentIndex agent, const ActiveCall& call);
  std::optional<std::uint32_t> forget_call(orchestration::AgentIndex agent,
                                           mock_agents::CallId call);
  std::vector<std::pair<orchestration::AgentIndex, ActiveCall>> calls_in_flight() const;

  std::vector<StepSlice>& steps_of(orchestration::RequestId request);
  void forget_steps(orchestration::RequestId request);

  std::vector<Record> unfinished_slices(std::uint64_t& dropped) const;
  std::vector<std::size_t> counter_order() const;
  std::vector<TrackKey> record_order(const std::vector<Record>& unfinished) const;
  std::string node_name(orchestration::NodeId node) const;
  std::string agent_name(std::uint32_t agent) const;
  orchestration::AgentIndex run_track(orchestration::SubWorkflowIndex sub) const;
  std::string header() const;
  std::string footer(std::size_t events, std::uint64_t dropped) const;

  const orchestration::Workflow& workflow_;
  std::vector<std::string> agent_names_;
  std::size_t max_events_;
  Chunked<Record> records_;
  Chunked<Counter> counters_;
  std::uint64_t dropped_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t next_flow_id_ = 1;
  std::int64_t last_ns_ = 0;
  std::vector<std::vector<Lane>> lanes_;  // by agent
  // Calls in flight, by agent, in the slot of their call id's low 32 bits (a
  // mock agent's pool index, so the slots stay as few as its calls in
  // flight); a call whose slot is taken or far out of range goes to the map.
  std::vector<std::vector<ActiveCall>> active_;
  std::map<std::pair<orchestration::AgentIndex, mock_agents::CallId>, ActiveCall> active_overflow_;
  // The latest attempt of each step of the requests in flight: a list per
  // request (a few nodes, searched in order) from a pool whose lists keep
  // their capacity, so a request costs one map node, not one per step.
  // Lookup only: nothing iterates the map.
  std::unordered_map<orchestration::RequestId, std::uint32_t> steps_list_;
  std::vector<std::vector<StepSlice>> step_lists_;
  std::vector<std::uint32_t> free_step_lists_;
};

}  // namespace orchsim::eval
