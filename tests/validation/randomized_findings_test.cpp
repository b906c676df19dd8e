// What the randomized scenarios (randomized_test.cpp) found, each distilled
// to the smallest scenario that shows it, with the test that failed before
// its fix. docs/validation.md lists them. The seeds named are where the
// generator of the time found each; the generator has changed since, so
// they are history: the distilled scenarios are what is tested.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "scenarios/scenario.hpp"
#include "tests/validation/scenario_test_support.hpp"

namespace orchsim::validation::randomized_findings_test {
namespace {

// Random seed 98: a call bounded to one visit, exhausted towards a gate
// whose rule leads back to it. Once the call was exhausted the request went
// call -> gate -> call ... at one instant, in recursion, until the stack
// overflowed (a segmentation fault). Workflow::validate counted the bound
// as cutting the loop, but an exhausted node counts no visit when it passes
// the request on. Now the scenario does not load.
TEST(RandomizedFinding, ALoopBackThroughAnExhaustedNodeIsRejected) {
  const std::string text = R"({
    "version": 1, "name": "exhausted_loop",
    "run": { "requests": 3 },
    "agents": [ { "name": "a", "latency": { "base_ms": 1 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 10 } } },
    "workflow": { "entry": "ask", "nodes": [
      { "name": "ask", "type": "call", "agents": ["a"], "next": "check",
        "max_visits": 1, "on_exhausted": "check" },
      { "name": "check", "type": "gate",
        "rules": [ { "if": { "confidence_at_least": 0 }, "then": "ask" } ],
        "otherwise": "done" },
      { "name": "done", "type": "terminal" } ] }
  })";
  const scenarios::LoadResult r = scenarios::parse_scenario(text, "exhausted_loop.json");
  ASSERT_FALSE(r.ok()) << "a loop round an exhausted node loaded (and would never end)";
  EXPECT_NE(r.diagnostics.format().find("on a loop without a bound through ask (exhausted), check"),
            std::string::npos)
      << r.diagnostics.format();
}

// Random seed 218: a branch that reaches its join without a call (a gate
// straight to it) finishes while the fan-out is still starting the other
// branches; with first_success that ends the join, and the request moves on
// to the next fan-out, which starts its own branches. Back in the first
// fan-out's loop, the remaining old branches were then started into the new
// fan-out's flows (past their end when there were fewer: a heap corruption,
// "malloc(): unaligned tcache chunk detected"). Now the first fan-out stops
// starting branches once its group is over.
TEST(RandomizedFinding, AJoinThatEndsWhileItsFanOutStartsStopsTheFanOut) {
  const std::string text = R"({
    "version": 1, "name": "join_during_fan_out",
    "run": { "requests": 20 },
    "agents": [ { "name": "a", "servers": 100, "latency": { "base_ms": 10 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 1000 } } },
    "workflow": { "entry": "fan", "nodes": [
      { "name": "fan", "type": "fan_out", "branches": ["quick", "slow"], "join": "first" },
      { "name": "quick", "type": "gate", "otherwise": "first" },
      { "name": "slow", "type": "call", "agents": ["a"], "next": "first" },
      { "name": "first", "type": "join", "policy": "first_success", "next": "fan2" },
      { "name": "fan2", "type": "fan_out", "branches": ["x", "y"], "join": "both" },
      { "name": "x", "type": "call", "agents": ["a"], "next": "both" },
      { "name": "y", "type": "call", "agents": ["a"], "next": "both" },
      { "name": "both", "type": "join", "policy": "all", "next": "done" },
      { "name": "done", "type": "terminal" } ] }
  })";
  CallCounter calls;
  const eval::RunResult r = run(parse(text), 1, &calls);
  EXPECT_EQ(r.completed, 20u);
  constexpr orchestration::NodeId kSlow = 2, kX = 5, kY = 6;
  std::map<orchestration::NodeId, int> by_node;
  for (const auto& e : calls.started) ++by_node[e.node];
  // "slow" lost the race before it started: it never runs.
  EXPECT_EQ(by_node[kSlow], 0);
  EXPECT_EQ(by_node[kX], 20);
  EXPECT_EQ(by_node[kY], 20);
  for (const auto& f : calls.finished) EXPECT_EQ(f.calls, 2u) << "request " << f.request;
}

// Random seeds 992, 4237, 14319, 19910: a call needing more tokens than an
// agent's tokens_per_minute can never pass its bucket, and the agent says so
// with a retry-after of "never" (Duration::max()). The orchestrator added it
// to the clock for the retry: the time overflowed, and the run threw
// "Simulation::schedule_at: -9223372034.96s is before now". A retry that
// can never come is no retry: the step goes on to its fallback.
TEST(RandomizedFinding, ACallLargerThanTheTokenLimitIsNotRetriedForEver) {
  const std::string text = R"({
    "version": 1, "name": "larger_than_the_limit",
    "run": { "requests": 10 },
    "agents": [
      { "name": "limited", "servers": 10, "latency": { "base_ms": 10 },
        "limits": { "tokens_per_minute": 1000 } },
      { "name": "backup", "servers": 10, "latency": { "base_ms": 10 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 100 } },
                  "classes": [ { "name": "big", "input_tokens": 5000 } ] },
    "workflow": { "entry": "ask", "nodes": [
      { "name": "ask", "type": "call", "agents": ["limited"], "fallback": ["backup"],
        "retry": { "max_attempts": 3 }, "next": "done" },
      { "name": "done", "type": "terminal" } ] }
  })";
  CallCounter calls;
  eval::RunResult r;
  ASSERT_NO_THROW(r = run(parse(text), 1, &calls));
  EXPECT_EQ(r.completed, 10u);
  EXPECT_EQ(calls.of_kind(orchestration::AttemptKind::kRetry), 0u);
  EXPECT_EQ(calls.of_kind(orchestration::AttemptKind::kFallback), 10u);
  EXPECT_EQ(r.metrics->agents()[0].errors[static_cast<int>(mock_agents::ErrorKind::kRateLimited)],
            10u);
}

// Random seeds 2, 13, 18, 22, 40 (the relations "a hedge, timeout, deadline, time
// budget or outage that never comes changes nothing"): with requests left
// in flight that nothing would ever end (hung calls, no timeout), a run
// ended at its last event; with any event pending beyond the drain limit (a
// timer that would fire after it, a fault window after the run) it ended at
// the limit. So an event that never ran moved end_ms, and with it
// throughput, utilisation and the time series. A run with requests in
// flight now lasts until its drain limit, whatever is pending after it, and
// the servers its hung calls hold are busy until then.
TEST(RandomizedFinding, AnEventThatNeverRunsDoesNotMoveTheEndOfTheRun) {
  const auto text = [](const std::string& faults) {
    return R"({
      "version": 1, "name": "hung_until_the_drain",
      "run": { "requests": 20, "drain_s": 10 },
      "agents": [ { "name": "hangs", "servers": 100, "latency": { "base_ms": 5 },
                    "outcomes": { "hang": 0.5 } )" +
           faults + R"( } ],
      "workload": { "arrivals": { "deterministic": { "interval_ms": 1000 } } },
      "workflow": { "entry": "ask", "nodes": [
        { "name": "ask", "type": "call", "agents": ["hangs"], "next": "done" },
        { "name": "done", "type": "terminal" } ] }
    })";
  };
  CallCounter calls;
  const eval::RunResult plain = run(parse(text("")), 1, &calls);
  const eval::RunResult later = run(
      parse(text(R"(, "faults": [ { "kind": "outage_fail", "start_s": 1e6, "end_s": 2e6 } ])")), 1);
  ASSERT_GT(plain.in_flight, 0u);
  EXPECT_EQ(plain.in_flight, later.in_flight);
  // The last request arrives at 20 s; the hung ones wait for the 10 s drain.
  const sim::Time end = sim::Time::zero() + sim::Duration::seconds(30);
  EXPECT_EQ(later.end, end);
  EXPECT_EQ(plain.end, end);
  EXPECT_EQ(metrics_of(plain).dump(), metrics_of(later).dump());
  // Hung calls hold their servers until the end: busy time counts them to
  // the end too (it stopped at the last event).
  sim::Duration busy = sim::Duration::zero();
  std::map<mock_agents::CallId, sim::Time> open;
  for (const auto& e : calls.started) open[e.call] = e.at;
  for (const auto& e : calls.ended) {
    busy += e.duration;
    open.erase(e.call);
  }
  for (const auto& [call, started] : open) busy += end - started;
  EXPECT_EQ(plain.metrics->agents()[0].busy_server_time, busy);
}

// Random seeds 2, 18, 22 and 40 (the relation "a warm-up changes what is
// counted, not what happens"): a request that arrived during the warm-up
// was counted in excluded_warmup only when it finished, so one still in
// flight at the end was counted nowhere, and "every request is either
// measured or excluded as warm-up" (report.json's own promise) failed.
TEST(RandomizedFinding, AWarmupRequestStillInFlightIsCountedAsExcluded) {
  const std::string text = R"({
    "version": 1, "name": "hung_in_the_warmup",
    "run": { "requests": 20, "warmup_s": 10, "drain_s": 5 },
    "agents": [ { "name": "hangs", "servers": 100, "latency": { "base_ms": 5 },
                  "outcomes": { "hang": 0.5 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 1000 } } },
    "workflow": { "entry": "ask", "nodes": [
      { "name": "ask", "type": "call", "agents": ["hangs"], "next": "done" },
      { "name": "done", "type": "terminal" } ] }
  })";
  const eval::RunResult r = run(parse(text), 1);
  const auto m = metrics_of(r);
  ASSERT_GT(r.in_flight, 0u);
  EXPECT_EQ(m["requests"]["arrived"].get<std::uint64_t>() +
                m["steady_state"]["excluded_warmup"].get<std::uint64_t>(),
            r.arrived);
  EXPECT_EQ(m["steady_state"]["excluded_warmup"], 9);  // arrivals at 1 s .. 9 s
}

// Random seeds 276, 277, 278 and 295 (the relation "the order agents are
// listed in changes nothing"): a gate reached before any call compared its
// label_is rule with the labels of agent 0, the flow's default "last agent",
// so it matched when the first agent listed could output that label at
// position 0, and moving that agent down the list changed the path. With no
// answer yet there is no label to match.
TEST(RandomizedFinding, NoLabelMatchesBeforeAnyAgentAnswered) {
  const std::string text = R"({
    "version": 1, "name": "label_before_any_call",
    "run": { "requests": 10 },
    "agents": [
      { "name": "planner", "latency": { "base_ms": 1 },
        "labels": [ { "name": "escalate", "weight": 1 } ] },
      { "name": "worker", "latency": { "base_ms": 1 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 100 } } },
    "workflow": { "entry": "triage", "nodes": [
      { "name": "triage", "type": "gate",
        "rules": [ { "if": { "label_is": "escalate" }, "then": "escalated" } ],
        "otherwise": "ask" },
      { "name": "ask", "type": "call", "agents": ["worker"], "next": "done" },
      { "name": "escalated", "type": "terminal", "outcome": "escalated" },
      { "name": "done", "type": "terminal", "outcome": "answered" } ] }
  })";
  const auto m = metrics_of(run(parse(text), 1));
  EXPECT_EQ(m["requests"]["completed_by_outcome"].value("answered", 0), 10);
  EXPECT_EQ(m["requests"]["completed_by_outcome"].value("escalated", 0), 0);
}

// Random seed 764 (the relation "the order agents are listed in changes
// nothing", which saw a redirect go to another agent): a step whose first
// attempt the orchestrator's bulkhead refused failed at once, inside
// start_step, and the request went on along its failure edge to a step that
// took the freed slot. Back in the first start_step, the slot looked alive,
// and the first node's time budget was armed on the new step: it fired
// there and redirected a node that has no time budget, to agent 0.
TEST(RandomizedFinding, AStepThatFailsAsItStartsArmsNoTimerOnTheNextStep) {
  const std::string text = R"({
    "version": 1, "name": "refused_at_start",
    "run": { "requests": 2 },
    "agents": [
      { "name": "spare", "servers": 10, "latency": { "base_ms": 1 } },
      { "name": "slow", "servers": 10, "latency": { "base_ms": 10000 } },
      { "name": "other", "servers": 10, "latency": { "base_ms": 5000 } },
      { "name": "third", "servers": 10, "latency": { "base_ms": 500 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 1000 } } },
    "resilience": { "max_concurrency_per_agent": 1 },
    "workflow": { "entry": "first", "nodes": [
      { "name": "first", "type": "call", "agents": ["slow"],
        "time_budget": { "budget_ms": 100, "action": "redirect", "agent": "other" },
        "next": "done", "on_failure": "second" },
      { "name": "second", "type": "call", "agents": ["third"], "next": "done" },
      { "name": "done", "type": "terminal" } ] }
  })";
  CallCounter calls;
  const eval::RunResult r = run(parse(text), 1, &calls);
  EXPECT_EQ(r.completed, 2u);
  constexpr orchestration::NodeId kSecond = 1;
  for (const auto& e : calls.started) {
    EXPECT_FALSE(e.node == kSecond && e.kind == orchestration::AttemptKind::kRedirect)
        << "request " << e.request << ": a redirect at a node with no time budget";
  }
  // The first request ran over its budget and was redirected, as it should;
  // the second's first step was refused (the bulkhead) and failed over.
  EXPECT_EQ(calls.of_kind(orchestration::AttemptKind::kRedirect), 1u);
  EXPECT_EQ(r.metrics->nodes()[kSecond].calls_started, 1u);
}

}  // namespace
}  // namespace orchsim::validation::randomized_findings_test
