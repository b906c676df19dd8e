// Streaming run metrics: what a routing policy did to latency, success,
// quality and cost, measured from observer events only.
//
// Contract: MetricsCollector keeps counters, sums and LogLinearHistograms, so
// its memory depends on the number of agents, classes, outcome names and
// workflow edges, never on the number of requests or calls. Attach it to the
// orchestrator, run, call finalize() once with the end time and each agent's
// server usage, then export. Exports are deterministic: the same events give
// the same bytes (sorted maps, fmt and nlohmann number formatting, no locale).
// One thread. Cost per event: O(1), plus a std::map lookup keyed by a short
// outcome name for a request that finishes with another outcome than the one
// before it (edges and routing decisions are counted in dense grids,
// eval/pair_counts.hpp).
//
//   MetricsCollector metrics(workflow, agent_names, class_names);
//   observers.add(&metrics);
//   simulation.run();
//   metrics.finalize(sim.now(), usage_from_agents());
//   const RunMetrics m = metrics.result();     // report["metrics"] = to_json(m)
//
// JSON schema (to_json(result()); the "metrics" section of report.json). Keys appear
// in this order. Times are milliseconds rounded to 4 decimals, rates and
// qualities to 6 decimals, USD to 8 decimals, per-request means to 4
// decimals. A value with no data behind it (a mean of nothing, a quantile of
// an empty histogram, throughput before finalize) is null.
//   {
//     "quality_threshold": 0.7,
//     "end_ms": number|null,                      // finalize()'s end time
//     "requests": {
//       "arrived", "finished", "completed", "failed", "in_flight": int,
//       "success_rate": completed / finished,
//       "throughput_rps": completed per simulated second,
//       "completed_by_outcome": {outcome: int, ...},   // sorted by name
//       "failed_by_cause": {cause: int, ...}           // sorted by name
//     },
//     "latency_ms": {                              // of finished requests
//       "all":     {"count", "mean", "min", "p50", "p90", "p95", "p99", "p999", "max"},
//       "success": {same keys}                     // successful requests only
//     },
//     "quality": {
//       "mean": of successful requests,
//       "pass_rate": share of successful requests with quality >= threshold,
//       "pass_rate_of_finished": the same passes / all finished requests,
//       "silent_failure_rate": share of successful answers that were
//                              undetected silent failures
//     },
//     "per_request": {                             // means over finished requests
//       "input_tokens", "output_tokens", "cost_usd", "calls",
//       "retries", "hedges", "timeouts", "fallbacks", "redirects"
//     },
//     "classes": [ {"name", "count", "completed", "success_rate",
//                   "latency_p50_ms", "latency_p99_ms", "quality_mean",
//                   "cost_mean_usd"} ],            // by class index
//     "agents": [ {"name", "calls_started",
//                  "calls_ended": {"success", "invalid", "error", "timeout", "cancelled"},
//                  "errors": {"transient", "rate_limited", "permanent",
//                             "context_overflow", "overloaded", "unavailable"},
//                  "queue_wait_ms": {"mean", "p99"},
//                  "p_wait": share of ended calls that queued before service,
//                  "duration_ms": {"p50", "p99"},  // every ended call, cancelled included
//                  "input_tokens", "output_tokens", "cost_usd",
//                  "breaker": {"transitions", "open_ms"},
//                  "servers", "busy_ms", "utilisation", "max_queue_length"} ],
//                                                  // by agent index; the last four
//                                                  // null before finalize()
//     "nodes": [ {"name", "calls_started",         // the workflow nodes that made calls
//                 "calls_ended": {same keys as agents'},   // or ran sub-workflows, by node
//                 "duration_mean_ms",                      // index
//                 "workflow": name,           // only for a node inside a sub-workflow
//                 "sub_workflow": name,       // only for a node that runs one, with:
//                 "runs_started", "runs_ended": {same keys as calls_ended},
//                 "run_duration_mean_ms"} ],
//     "sub_workflows": [ {"name", "runs_started",  // by sub-workflow index; empty when
//                 "runs_ended": {same keys as calls_ended},  // the workflow has none
//                 "duration_mean_ms", "calls_per_run", "cost_per_run_usd",
//                 "called_by": [node names], "nodes": [node names]} ],
//     "routing": {
//       "edges": [ {"from", "to", "count"} ],      // "start" first, then by node index
//       "decisions": [ {"node", "agent", "count"} ]  // by (node, agent) index
//     },
//     "budget_exhausted": {"retry_budget", "deadline", "loop_bound", "breaker_open"},
//     "steady_state": {                            // one long run's own error bar
//       "warmup_ms": fixed warm-up (requests arriving before it are excluded
//                    from every request metric above, and so are their calls,
//                    decisions, edges and budget events; agents' busy time,
//                    utilisation, queue length and breaker figures cover the
//                    whole run), "excluded_warmup": int,
//       "series_batch": requests per point of the latency series (doubles as
//                       the series is compacted; memory stays fixed),
//       "mser5_warmup_requests": MSER-5 truncation point (White 1997),
//       "latency_mean_ms", "ci95_low_ms", "ci95_high_ms": batch means (20
//       batches, Student t) of the latency series after the MSER-5 warm-up
//     },
//     "events": {"retries_scheduled", "hedges_launched", "context_fits",
//                "context_truncated", "context_summarized", "context_retained_mean"},
//     "coordination": {                            // orchestration vs choreography
//       "duplicated_calls": calls whose output was not needed (race losers;
//                           in a choreography, calls ending after their request
//                           completed or repeating a publication),
//       "duplicated_cost_usd": their cost,
//       "silent_outputs": answered calls whose output was a silent failure,
//       "silent_caught": silent failures a validator or a judge rejected,
//       "silent_caught_rate": silent_caught / silent_outputs,
//       "stuck_requests": requests that ended "stuck" (no owner),
//       "cost_per_request_usd": every ended call's cost (after its request's
//                               end included) / finished requests
//     }
//   }
// result() is the same numbers as a typed RunMetrics (eval/run_metrics.hpp);
// metrics.csv and the terminal table are views of it (eval/run_metrics_text.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "eval/histogram.hpp"
#include "eval/pair_counts.hpp"
#include "eval/run_metrics.hpp"
#include "orchestration/events.hpp"
#include "sim/time.hpp"

namespace orchsim::eval {

// What an agent's servers did during a run (from the agent model), for
// utilisation = busy_server_time / (servers * end).
struct AgentUsage {
  std::string name;
  std::uint32_t servers = 1;
  sim::Duration busy_server_time = sim::Duration::zero();
  std::uint32_t max_queue_length = 0;
};

class MetricsCollector final : public orchestration::Observer {
 public:
  static constexpr std::size_t kCallEnds = 5;    // orchestration::CallEnd values
  static constexpr std::size_t kErrorKinds = 7;  // mock_agents::ErrorKind values, kNone included
  static constexpr std::size_t kBudgetKinds = 4;

  using NamedCounts = std::map<std::string, std::uint64_t, std::less<>>;
  struct RequestStats {
    std::uint64_t arrived = 0, finished = 0, completed = 0, failed = 0;
    NamedCounts completed_by_outcome;
    NamedCounts failed_by_cause;
    LogLinearHistogram latency_all;      // ns, finished requests
    LogLinearHistogram latency_success;  // ns, successful requests
    double quality_sum = 0.0;            // successful requests
    std::uint64_t quality_pass = 0;      // successful with quality >= threshold
    std::uint64_t silent_answers = 0;    // successful, answer was a silent failure
    // Sums over finished requests.
    std::int64_t input_tokens = 0, output_tokens = 0;
    double cost_usd = 0.0;
    std::uint64_t calls = 0, retries = 0, hedges = 0, timeouts = 0, fallbacks = 0, redirects = 0;
  };
  struct ClassStats {
    std::string name;
    std::uint64_t finished = 0, completed = 0;
    LogLinearHistogram latency;  // ns, finished requests
    double quality_sum = 0.0;    // successful requests
    double cost_usd = 0.0;       // finished requests
  };
  struct AgentStats {
    std::string name;
    std::uint64_t calls_started = 0;
    std::array<std::uint64_t, kCallEnds> calls_ended{};  // by CallEnd
    std::array<std::uint64_t, kErrorKinds> errors{};     // by ErrorKind
    LogLinearHistogram queue_wait;                       // ns
    LogLinearHistogram duration;                         // ns
    std::int64_t input_tokens = 0, output_tokens = 0;
    double cost_usd = 0.0;
    std::uint64_t breaker_transitions = 0;
    sim::Duration breaker_open_time = sim::Duration::zero();
    std::optional<sim::Time> open_since;  // the breaker is open now
    // From finalize().
    bool has_usage = false;
    std::uint32_t servers = 0;
    sim::Duration busy_server_time = sim::Duration::zero();
    std::uint32_t max_queue_length = 0;
    double utilisation = 0.0;
  };
  // Calls made by one workflow node, whichever agent served them, and the
  // sub-workflow runs it started.
  struct NodeStats {
    std::uint64_t calls_started = 0;
    std::array<std::uint64_t, kCallEnds> calls_ended{};  // by CallEnd
    std::int64_t duration_sum_ns = 0;                    // of ended calls
    std::uint64_t runs_started = 0;
    std::array<std::uint64_t, kCallEnds> runs_ended{};  // by CallEnd
    std::int64_t run_duration_sum_ns = 0;               // of ended runs
  };
  // The runs (invocations) of one sub-workflow, whoever called it.
  struct SubWorkflowStats {
    std::string name;
    std::vector<std::string> called_by, nodes;
    std::uint64_t runs_started = 0;
    std::array<std::uint64_t, kCallEnds> runs_ended{};  // by CallEnd
    std::int64_t duration_sum_ns = 0;
    std::uint64_t calls = 0;  // agent calls inside ended runs, nested runs' included
    double cost_usd = 0.0;    // of those calls
  };
  // What coordination costs and catches, comparable across an orchestrated
  // run and a choreographed one (docs/choreography.md).
  struct CoordinationStats {
    std::uint64_t duplicated_calls = 0;  // CallEnded::redundant
    double duplicated_cost_usd = 0.0;
    std::uint64_t silent_outputs = 0;  // answered calls whose output was a silent failure
    std::uint64_t silent_caught = 0;   // CallEnded::caught_silent
    std::uint64_t stuck = 0;           // requests that ended "stuck": without an owner
    double all_calls_cost_usd = 0.0;   // every ended call, after its request's end included
  };
  struct EventStats {
    std::uint64_t retries_scheduled = 0, hedges_launched = 0;
    std::uint64_t context_fits = 0, context_truncated = 0, context_summarized = 0;
    double context_retained_sum = 0.0;
  };

  // `workflow` gives node names (copied). Agents and classes seen in events
  // beyond the given names are added as "agent<i>" / "class<i>".
  MetricsCollector(const orchestration::Workflow& workflow, std::vector<std::string> agent_names,
                   std::vector<std::string> class_names = {}, double quality_threshold = 0.7);

  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_call_started(const orchestration::CallStarted& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;
  void on_routing_decision(const orchestration::RoutingDecision& e) override;
  bool reads_decision_context() const override { return false; }
  void on_node_entered(const orchestration::NodeEntered& e) override;
  void on_retry_scheduled(const orchestration::RetryScheduled& e) override;
  void on_hedge_launched(const orchestration::HedgeLaunched& e) override;
  void on_breaker_changed(const orchestration::BreakerChanged& e) override;
  void on_context_fitted(const orchestration::ContextFitted& e) override;
  void on_budget_exhausted(const orchestration::BudgetExhausted& e) override;
  void on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) override;
  void on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) override;

  // Requests arriving before `warmup` are left out of every request metric,
  // their calls, routing decisions and edges included (fixed-time warm-up
  // deletion for steady-state runs). Set before the run.
  void set_warmup(sim::Duration warmup) { warmup_ = warmup; }

  // Ends the run at `end`: closes open breaker intervals and computes each
  // agent's utilisation. usage[i] describes agent i (its name is not used for
  // matching). Call once, after the last event.
  void finalize(sim::Time end, std::vector<AgentUsage> usage);

  // What the run measured, as the report gives it (eval/run_metrics.hpp).
  // Every export is a view of this value: to_json, write_csv, write_table.
  RunMetrics result() const;
  // Shorthand for eval::to_json(result()), the "metrics" section of report.json.
  nlohmann::ordered_json to_json() const;

  const RequestStats& requests() const { return requests_; }
  const std::vector<ClassStats>& classes() const { return classes_; }
  const std::vector<AgentStats>& agents() const { return agents_; }
  const EventStats& events() const { return events_; }
  const CoordinationStats& coordination() const { return coordination_; }
  // Requests that arrived during the warm-up (finished or not).
  std::uint64_t excluded_warmup() const { return excluded_warmup_; }
  // By node index; nodes that made no call have calls_started == 0.
  const std::vector<NodeStats>& nodes() const { return nodes_; }
  const std::vector<SubWorkflowStats>& sub_workflows() const { return sub_workflows_; }
  std::uint64_t budget_exhausted(orchestration::BudgetExhausted::Kind kind) const {
    return budget_[static_cast<std::size_t>(kind)];
  }
  // Edge traversals; `from` is kNoNode for the entry edge.
  std::uint64_t edge_count(orchestration::NodeId from, orchestration::NodeId to) const;
  std::uint64_t decision_count(orchestration::NodeId node, orchestration::AgentIndex agent) const;
  double quality_threshold() const { return quality_threshold_; }
  bool finalized() const { return end_.has_value(); }

  static std::string_view to_string(orchestration::BudgetExhausted::Kind kind);

 private:
  void add_to_series(double latency_ms);
  RequestMetrics request_metrics() const;
  void add_structure(RunMetrics& m) const;  // nodes, sub-workflows, edges, decisions
  SteadyStateMetrics steady_state() const;
  // Fixed-time warm-up and the compacted latency series (in finish order) for
  // MSER-5 and batch means: at most kSeriesMax points, each the mean of
  // series_batch_ latencies; when full, neighbours merge and the batch doubles.
  static constexpr std::size_t kSeriesMax = 1u << 16;
  sim::Duration warmup_ = sim::Duration::zero();
  std::uint64_t excluded_warmup_ = 0;
  // Warm-up requests still in flight: their calls, decisions, edges and
  // budget events are left out like the requests themselves, so that ratios
  // such as strong-model calls per request compare like with like. Looked up
  // only, never iterated; empty without a warm-up, and empty again once the
  // warm-up requests have finished (one size test per event then).
  std::unordered_set<orchestration::RequestId> warmup_in_flight_;
  bool in_warmup(orchestration::RequestId request) const {
    return !warmup_in_flight_.empty() && warmup_in_flight_.contains(request);
  }
  std::vector<double> series_;
  std::uint64_t series_batch_ = 1;

  // A map of counts by name that remembers the last name it counted: most
  // runs end most requests with one outcome, and a repeated name then costs
  // one string compare instead of a map search (std::map nodes never move).
  class NamedCounter {
   public:
    std::uint64_t& count(NamedCounts& counts, std::string_view name);

    // The remembered entry belongs to one map: a copied or moved collector
    // (and the one moved from) looks its next name up afresh.
    NamedCounter() = default;
    NamedCounter(const NamedCounter&) noexcept {}
    NamedCounter(NamedCounter&& other) noexcept { other.forget(); }
    NamedCounter& operator=(const NamedCounter&) noexcept {
      forget();
      return *this;
    }
    NamedCounter& operator=(NamedCounter&& other) noexcept {
      forget();
      other.forget();
      return *this;
    }

   private:
    void forget() {
      last_name_ = nullptr;
      last_count_ = nullptr;
    }
    const std::string* last_name_ = nullptr;
    std::uint64_t* last_count_ = nullptr;
  };
  NamedCounter completed_outcomes_, failed_causes_;
  double pending_sum_ = 0.0;
  std::uint64_t pending_count_ = 0;

  // Inline: looked up on every call event; only an index beyond the names
  // given takes the out-of-line path that adds "agent<i>" / "class<i>".
  AgentStats& agent(orchestration::AgentIndex index) {
    return index < agents_.size() ? agents_[index] : add_agents_through(index);
  }
  ClassStats& klass(std::uint32_t index) {
    return index < classes_.size() ? classes_[index] : add_classes_through(index);
  }
  AgentStats& add_agents_through(orchestration::AgentIndex index);
  ClassStats& add_classes_through(std::uint32_t index);
  std::string node_name(orchestration::NodeId node) const;  // "start" for kNoNode

  std::vector<std::string> node_names_;
  std::vector<std::string> node_scopes_;  // per node: its sub-workflow's name, or empty
  std::vector<std::string> node_calls_;   // per node: the sub-workflow it runs, or empty
  std::vector<SubWorkflowStats> sub_workflows_;
  double quality_threshold_;
  RequestStats requests_;
  std::vector<ClassStats> classes_;
  std::vector<AgentStats> agents_;
  // Rows from + 1 (the entry edge, from kNoNode, is row 0: it sorts first), columns to.
  PairCounts edges_;
  PairCounts decisions_;          // rows node, columns agent
  std::vector<NodeStats> nodes_;  // by node index: a lookup per call, not a map search
  NodeStats& node_stats(orchestration::NodeId node) {
    if (node >= nodes_.size()) nodes_.resize(std::size_t{node} + 1);
    return nodes_[node];
  }
  std::array<std::uint64_t, kBudgetKinds> budget_{};
  EventStats events_;
  CoordinationStats coordination_;
  std::optional<sim::Time> end_;
};

}  // namespace orchsim::eval
