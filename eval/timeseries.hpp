// Over-time metrics of a run: what happened in each slice of simulated time,
// for the explorer's "Over time" charts and for anyone plotting an outage,
// a warm-up or a retry storm from report.json.
//
// Contract: simulated time from zero is cut into at most kMaxBuckets equal
// buckets. The width starts at kFirstWidth (1 ms) and doubles whenever an
// event falls past the last bucket, merging neighbours, so memory is fixed
// (a few KiB per agent) and a run of any length ends with between
// kMaxBuckets/2 and kMaxBuckets buckets (fewer only for runs shorter than
// kMaxBuckets ms). Counts go to the bucket holding the event's time; levels
// (requests in flight, calls queued or in service, breaker state) are
// time-averaged over the bucket exactly, from the intervals they held. The
// last bucket is averaged over the part of it the run covered. Calls still
// queued or in service at the end are missing from the call levels (their
// intervals are known only when they end). Warm-up is not excluded: the
// series is there to show it. One thread; cost per event O(1) (a call's
// interval touches the buckets it spans, almost always one or two).
//
//   TimeSeriesCollector series(agent_names);
//   observers.add(&series);
//   simulation.run();
//   series.finalize(simulation.now());
//   report["timeseries"] = series.to_json();
//
// JSON (to_json(); the "timeseries" section of report.json, keys in this
// order, arrays of length "buckets", bucket i covering
// [i * bucket_ms, (i + 1) * bucket_ms)):
//   {"bucket_ms": 2048, "buckets": 300,
//    "arrived", "completed", "failed": [int],  // requests, by the bucket they arrived / ended in
//    "latency_mean_ms": [number|null],         // of the requests that ended in the bucket
//    "in_flight_mean": [number],               // time-averaged requests in flight
//    "cost_usd": [number],                     // of the requests that ended in the bucket
//    "agents": [ {"name",
//                 "calls": [int],              // calls started
//                 "failed_calls": [int],       // calls ended in error, timeout or invalid output
//                 "queue_mean": [number],      // time-averaged calls waiting for a server
//                 "busy_mean": [number],       // time-averaged calls in service (busy servers)
//                 "breaker_open_share": [number],      // share of the bucket it was open
//                 "breaker_half_open_share": [number]  // share of the bucket it was half open
//               } ],                                   // by agent index
//    "routing": [ {"node",                     // a node whose calls went to 2+ agents in the run
//                  "agents": [ {"name", "calls": [int]} ]  // calls started there, per agent
//                } ]}                          // by node index; agents that got calls, by index
// Means have 4 decimals, shares 6, USD 8.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "eval/run_series.hpp"
#include "orchestration/events.hpp"
#include "sim/time.hpp"

namespace orchsim::eval {

class TimeSeriesCollector final : public orchestration::Observer {
 public:
  static constexpr std::size_t kMaxBuckets = 512;
  static constexpr sim::Duration kFirstWidth = sim::Duration::milliseconds(1);

  struct AgentSeries {
    std::string name;
    std::vector<std::uint64_t> calls, failed_calls;
    // Areas in (calls x ns) / (ns open); divided by the bucket span on export.
    std::vector<double> queue_area, busy_area, open_ns, half_open_ns;
    orchestration::BreakerState breaker = orchestration::BreakerState::kClosed;
    sim::Time breaker_since = sim::Time::zero();
  };

  // Calls started at one node by one agent (the "routing" section).
  struct RouteSeries {
    orchestration::NodeId node;
    orchestration::AgentIndex agent;
    std::vector<std::uint64_t> calls;
  };

  // `node_names` name the "routing" section's nodes (by NodeId; a node
  // without a name is "node<i>").
  explicit TimeSeriesCollector(std::vector<std::string> agent_names,
                               std::vector<std::string> node_names = {});

  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_call_started(const orchestration::CallStarted& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;
  void on_breaker_changed(const orchestration::BreakerChanged& e) override;

  // Closes the open intervals (requests in flight, breaker states) at `end`.
  // Call once, after the last event.
  void finalize(sim::Time end);

  // The series as the report gives it (eval/run_series.hpp); its JSON view
  // is the report's "timeseries" section.
  TimeSeries result() const;
  nlohmann::ordered_json to_json() const { return eval::to_json(result()); }

  sim::Duration bucket_width() const { return width_; }
  // Buckets that hold data: up to the end time (after finalize) or the latest event.
  std::size_t bucket_count() const;
  const std::vector<std::uint64_t>& arrived() const { return arrived_; }
  const std::vector<std::uint64_t>& completed() const { return completed_; }
  const std::vector<std::uint64_t>& failed() const { return failed_; }
  const std::vector<AgentSeries>& agents() const { return agents_; }
  // Every (node, agent) pair that started a call, in order of first call.
  const std::vector<RouteSeries>& routes() const { return routes_; }
  // Time-averaged requests in flight in bucket i.
  double in_flight_mean(std::size_t i) const;
  // The part of bucket i the run covered, in ns: a level's mean over the
  // bucket is its area / covered_ns(i).
  double covered_ns(std::size_t i) const;

 private:
  // Whole milliseconds since zero (0 before it): the bucket is ms >> shift_.
  static std::uint64_t ms_of(sim::Time t) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, t.count_ns())) / 1'000'000u;
  }
  // Widens the buckets until `t` falls in one; returns its index. Inline, as
  // is add_area's one-bucket case: they run several times per call, and only
  // widening (a few times per run) or an interval over several buckets
  // leaves the per-event path.
  std::size_t index_for(sim::Time t) {
    // The width is 1 ms x 2^shift_: a division by a constant and a shift, no
    // run-time division on the per-event path.
    const std::uint64_t ms = ms_of(t);
    if ((ms >> shift_) >= kMaxBuckets) widen_for(ms);
    latest_ = std::max(latest_, t);
    return static_cast<std::size_t>(ms >> shift_);
  }
  // Adds level x overlap (in ns) of [from, to) to each bucket it spans.
  void add_area(std::vector<double>& area, sim::Time from, sim::Time to, double level) {
    if (!(to > from) || level == 0.0) return;
    const std::uint64_t last = ms_of(to) >> shift_;
    if (last < kMaxBuckets && (ms_of(from) >> shift_) == last) {  // almost always: one bucket
      latest_ = std::max(latest_, to);
      area[last] += level * static_cast<double>(to.count_ns() - from.count_ns());
      return;
    }
    add_area_spanning(area, from, to, level);
  }
  // add_area when [from, to) spans buckets or lies past the last one.
  void add_area_spanning(std::vector<double>& area, sim::Time from, sim::Time to, double level);
  void widen_for(std::uint64_t ms);  // compacts until ms falls in a bucket
  void compact();                    // merges neighbours and doubles the width
  AgentSeries& agent(orchestration::AgentIndex index) {
    return index < agents_.size() ? agents_[index] : add_agents_through(index);
  }
  AgentSeries& add_agents_through(orchestration::AgentIndex index);  // named "agent<i>"
  // The pair's series: one look-up in a node x agent table of indices.
  std::vector<std::uint64_t>& route_calls(orchestration::NodeId node,
                                          orchestration::AgentIndex agent) {
    const std::size_t key = static_cast<std::size_t>(node) * route_stride_ + agent;
    if (agent < route_stride_ && key < route_index_.size() && route_index_[key] != 0)
      return routes_[route_index_[key] - 1].calls;
    return add_route(node, agent);
  }
  std::vector<std::uint64_t>& add_route(orchestration::NodeId node,
                                        orchestration::AgentIndex agent);
  std::vector<TimeSeries::RoutingNode> routing(std::size_t buckets) const;

  sim::Duration width_ = kFirstWidth;
  unsigned shift_ = 0;  // width_ = kFirstWidth x 2^shift_
  sim::Time latest_ = sim::Time::zero();
  std::optional<sim::Time> end_;
  std::vector<std::uint64_t> arrived_, completed_, failed_;
  std::vector<double> latency_sum_ms_, cost_usd_, in_flight_area_;
  std::uint64_t in_flight_ = 0;
  sim::Time in_flight_since_ = sim::Time::zero();
  std::vector<AgentSeries> agents_;
  std::vector<std::string> node_names_;
  std::vector<RouteSeries> routes_;
  std::vector<std::uint32_t> route_index_;  // node x route_stride_ + agent → routes_ index + 1
  std::size_t route_stride_ = 0;            // agents per row of route_index_
};

}  // namespace orchsim::eval
