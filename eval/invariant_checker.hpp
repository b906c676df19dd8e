// An observer that checks, event by event, what must hold in every run, and
// collects what does not. The tests attach it to every built-in scenario and
// to randomized ones; `orchsim run --check-invariants` attaches it to any run.
//
//   InvariantChecker checker(scenario.workflow);
//   RunOptions options;
//   options.observer = &checker;
//   RunResult r = run_scenario(scenario, options);
//   checker.finish(r, scenario.run.drain);
//   for (const std::string& v : checker.violations()) std::cerr << v << '\n';
//
// What it checks (docs/validation.md, "Invariants"):
//  - every request arrives once and ends once, and nothing happens to it
//    after it ended;
//  - every call started ends exactly once; a request that ends has no call
//    left open; a call ends only after it started, with a duration equal to
//    its end minus its start; a call that produced no answer (an error, a
//    timeout, a cancellation) reports no quality, confidence or silent
//    failure (orchestration::produced_answer);
//  - the same for sub-workflow invocations, at every depth: each ends once,
//    before its request and after everything inside it (a call or node
//    entry of an invocation happens only while it is open);
//  - counters count what happened: a request's reported calls, retries,
//    hedges, fallbacks, timeouts and redirects equal the calls of each kind
//    that started (and the timeouts that ended calls) for it, retries, hedges
//    and timeouts of sub-workflow invocations included;
//  - cost and tokens add up: a request's cost and tokens are the sums over
//    its ended calls;
//  - every routing choice is logged: a first attempt, a retry or a cascade
//    tier starts on the agent of a routing decision made for it;
//  - every edge a request takes is an edge of the workflow graph;
//  - in a choreography's run, calls may outlive their request (each still
//    starts and ends once, and all end by the run's end);
//  - time never goes back; and, in finish(), the run ended within its drain
//    limit, its request counts add up (every request measured or excluded
//    as warm-up), and the metrics' calls, tokens and cost add up across
//    agents, requests and classes.
// Memory: the requests and calls in flight (by id; a choreography's check also
// keeps the ids of the requests that ended), so a checked run of
// millions of requests stays small. One thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "orchestration/events.hpp"
#include "orchestration/workflow.hpp"

namespace orchsim::eval {

struct RunResult;
class MetricsCollector;

class InvariantChecker final : public orchestration::Observer {
 public:
  // `choreography`: the run is a choreography's (orchestration/choreographer.hpp),
  // whose work may outlive its request: calls may start and end after their
  // request ended (each still exactly once), need no routing decision, and a
  // request's timeouts are its subscribers' local ones (no call ends as one).
  explicit InvariantChecker(const orchestration::Workflow& workflow, bool choreography = false);

  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_call_started(const orchestration::CallStarted& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;
  void on_routing_decision(const orchestration::RoutingDecision& e) override;
  void on_node_entered(const orchestration::NodeEntered& e) override;
  void on_flow_decision(const orchestration::FlowDecision& e) override;
  void on_retry_scheduled(const orchestration::RetryScheduled& e) override;
  void on_hedge_launched(const orchestration::HedgeLaunched& e) override;
  void on_context_fitted(const orchestration::ContextFitted& e) override;
  void on_budget_exhausted(const orchestration::BudgetExhausted& e) override;
  void on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) override;
  void on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) override;

  // After the run: the end time against the drain limit, the counts, and
  // calls still open only for requests still in flight.
  void finish(const RunResult& result, sim::Duration drain);

  bool ok() const { return violation_count_ == 0; }
  // The first kMaxKept violations, each naming the request (and call) and
  // what was expected; violation_count() counts them all.
  const std::vector<std::string>& violations() const { return violations_; }
  std::uint64_t violation_count() const { return violation_count_; }
  static constexpr std::size_t kMaxKept = 50;

 private:
  struct RequestState {
    std::uint32_t calls = 0, retries = 0, hedges = 0, hedges_launched = 0, fallbacks = 0,
                  timeouts = 0, redirects = 0;
    // A decomposition launches its parts one after another, with nothing of
    // the request in between but refusals (BudgetExhausted); the next one
    // at the node comes after its own flow decision. So a burst is a run of
    // kDecompose starts at one node (copies of a map fan-out may burst at
    // one instant: a burst is not an instant).
    std::uint32_t decompositions = 0;
    orchestration::NodeId decomposing = orchestration::kNoNode;  // the burst going on
    std::uint32_t open_calls = 0;
    double cost = 0.0;
    std::int64_t input_tokens = 0, output_tokens = 0;
    // Routing choices not yet taken by a call, counted by (node, agent):
    // several flows (map fan-out copies) may each have one pending at a node,
    // e.g. while their contexts are summarized. A choice whose call was
    // refused (breaker, bulkhead) stays pending; the check is that every
    // routed call has a choice behind it.
    std::map<std::pair<orchestration::NodeId, orchestration::AgentIndex>, std::uint32_t>
        pending_choices;
    // Sub-workflow invocations open now, by id: when they started, and their parent.
    std::map<std::uint32_t, std::pair<sim::Time, std::uint32_t>> open_invocations;
    std::map<std::uint32_t, std::uint32_t> open_calls_in;  // by invocation (not 0)
  };
  struct OpenCall {
    orchestration::RequestId request;
    sim::Time started;
    std::uint32_t invocation = 0;
  };

  void tick(sim::Time at);
  // An event of `invocation` (0: the top level) while it is not open.
  void check_inside(const RequestState& r, orchestration::RequestId request,
                    std::uint32_t invocation, const char* event);
  void check_totals(const MetricsCollector& metrics, bool drained);
  // The request's state; any event of it but a kDecompose start or a
  // refusal ends a decomposition burst, unless `keep_burst`.
  RequestState* live(orchestration::RequestId request, sim::Time at, const char* event,
                     bool keep_burst = false);
  template <class... Args>
  void violation(const char* format, Args&&... args);

  std::set<std::pair<orchestration::NodeId, orchestration::NodeId>> edges_;
  std::map<orchestration::RequestId, RequestState> requests_;  // in flight
  // A choreography's requests that ended, with their calls still open (until
  // they close), and every one that ended (a retry may start a call later).
  std::map<orchestration::RequestId, RequestState> ended_;
  std::set<orchestration::RequestId> finished_;
  bool choreography_ = false;
  std::map<std::pair<orchestration::AgentIndex, std::uint64_t>, OpenCall> calls_;
  sim::Time last_;
  std::vector<std::string> violations_;
  std::uint64_t violation_count_ = 0;
};

}  // namespace orchsim::eval
