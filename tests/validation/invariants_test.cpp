// The invariant checker (eval/invariant_checker.hpp) on every built-in
// scenario, and on a few variants that exercise the paths the library's
// defaults leave cold (warm-up, tight drains, hedges everywhere). A violation
// prints the scenario, the seed and what broke.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "eval/invariant_checker.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::validation::invariants_test {
namespace {

struct Variant {
  sim::Duration warmup = sim::Duration::zero();
  std::optional<sim::Duration> drain;
};

void expect_invariants(const std::string& name, Variant v, std::uint64_t requests,
                       std::uint64_t seed) {
  scenarios::LoadResult loaded = scenarios::load_scenario(name);
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  scenarios::Scenario& s = *loaded.scenario;
  if (v.drain) s.run.drain = *v.drain;
  eval::InvariantChecker checker(s.workflow, s.choreography.has_value());
  eval::RunOptions options;
  options.warmup = v.warmup;
  options.seed = seed;
  options.requests = requests;
  options.observer = &checker;
  const eval::RunResult r = eval::run_scenario(s, options);
  checker.finish(r, s.run.drain);
  EXPECT_TRUE(checker.ok()) << name << " seed " << seed << ": " << checker.violation_count()
                            << " violations, first: " << checker.violations().front();
  EXPECT_GT(r.completed, 0u) << name;
}

TEST(Invariants, HoldOnEveryBuiltInScenario) {
  for (const std::string& name : scenarios::library_names()) {
    SCOPED_TRACE(name);
    for (const std::uint64_t seed : {1u, 2u}) expect_invariants(name, {}, 3000, seed);
  }
}

TEST(Invariants, HoldWithAWarmupAndAShortDrain) {
  for (const std::string& name : scenarios::library_names()) {
    SCOPED_TRACE(name);
    expect_invariants(
        name, {.warmup = sim::Duration::seconds(10), .drain = sim::Duration::seconds(2)}, 2000, 3);
  }
}

// Copies of a map fan-out run one step each; when their time budgets expire
// at one instant, each decomposes: one redirect per copy. The checker used
// to tell decomposition bursts apart by (node, instant) and so counted one
// (random scenario seed 58: "reported 4 redirects, but 2 happened").
TEST(Invariants, DecompositionsOfMapCopiesAtOneInstantAreEachARedirect) {
  const scenarios::LoadResult loaded = scenarios::parse_scenario(R"({
    "version": 1, "name": "decomposing_copies",
    "run": { "requests": 10 },
    "agents": [ { "name": "slow", "servers": 100, "latency": { "base_ms": 1000 } },
                { "name": "worker", "servers": 100, "latency": { "base_ms": 10 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 5000 } } },
    "workflow": { "entry": "fan", "nodes": [
      { "name": "fan", "type": "fan_out", "map": { "entry": "part", "count": 3 }, "join": "join" },
      { "name": "part", "type": "call", "agents": ["slow"], "next": "join",
        "time_budget": { "budget_ms": 100, "action": "decompose", "agent": "worker", "parts": 2 } },
      { "name": "join", "type": "join", "policy": "all", "next": "done" },
      { "name": "done", "type": "terminal" } ] }
  })",
                                                                 "decomposing_copies.json");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  eval::InvariantChecker checker(loaded.scenario->workflow);
  eval::RunOptions options;
  options.observer = &checker;
  const eval::RunResult r = eval::run_scenario(*loaded.scenario, options);
  checker.finish(r, loaded.scenario->run.drain);
  EXPECT_TRUE(checker.ok()) << checker.violations().front();
  EXPECT_EQ(r.metrics->requests().redirects, 30u);  // three copies decompose per request
}

// Copies of a map fan-out route at one node while another copy's routed
// attempt waits for its context's summary: two decisions are pending there
// at once. The checker kept one per node, so the copy whose summary ended
// last found none (random scenario seed 4360: "first attempt at node 4
// started on agent 0 with no routing decision").
TEST(Invariants, RoutingDecisionsOfCopiesWaitingForSummariesAreEachLogged) {
  const scenarios::LoadResult loaded = scenarios::parse_scenario(R"({
    "version": 1, "name": "summarizing_copies",
    "run": { "requests": 10 },
    "agents": [
      { "name": "docs", "servers": 100, "latency": { "base_ms": 1 },
        "tokens": { "output_tokens": 5000 } },
      { "name": "answerer", "servers": 100, "context_window_tokens": 2000,
        "latency": { "base_ms": 100 } },
      { "name": "summarizer", "servers": 100, "latency": { "base_ms": 50 },
        "tokens": { "output_tokens": 100 } } ],
    "workload": { "arrivals": { "deterministic": { "interval_ms": 5000 } },
                  "classes": [ { "name": "c", "input_tokens": 100 } ] },
    "workflow": { "entry": "retrieve", "nodes": [
      { "name": "retrieve", "type": "call", "agents": ["docs"], "next": "fan" },
      { "name": "fan", "type": "fan_out", "map": { "entry": "part", "count": 2 }, "join": "join" },
      { "name": "part", "type": "call", "agents": ["answerer"], "next": "join",
        "context": { "fit": "summarize", "summarizer": "summarizer" } },
      { "name": "join", "type": "join", "policy": "all", "next": "done" },
      { "name": "done", "type": "terminal" } ] }
  })",
                                                                 "summarizing_copies.json");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  eval::InvariantChecker checker(loaded.scenario->workflow);
  eval::RunOptions options;
  options.observer = &checker;
  const eval::RunResult r = eval::run_scenario(*loaded.scenario, options);
  checker.finish(r, loaded.scenario->run.drain);
  EXPECT_TRUE(checker.ok()) << checker.violations().front();
  EXPECT_EQ(r.completed, 10u);
  EXPECT_EQ(r.metrics->events().context_summarized, 20u);  // both copies summarized
}

// The checker itself: a violation is found and named (so a silent checker
// cannot pass these tests).
TEST(Invariants, CheckerReportsAnEdgeThatIsNotInTheWorkflow) {
  orchestration::Workflow w;
  w.nodes.resize(3);
  w.nodes[0].name = "a";
  w.nodes[0].kind = orchestration::NodeKind::kTerminal;
  eval::InvariantChecker checker(w);
  checker.on_request_arrived({sim::Time::zero(), 7, 0, 10, sim::Time::max()});
  checker.on_node_entered({sim::Time::zero(), 7, orchestration::kNoNode, 0});
  EXPECT_TRUE(checker.ok());
  checker.on_node_entered({sim::Time::zero(), 7, 0, 2});
  ASSERT_FALSE(checker.ok());
  EXPECT_NE(checker.violations()[0].find("not an edge"), std::string::npos);
}

TEST(Invariants, CheckerReportsACounterThatCountsWhatNeverRan) {
  orchestration::Workflow w;
  w.nodes.resize(1);
  eval::InvariantChecker checker(w);
  checker.on_request_arrived({sim::Time::zero(), 1, 0, 10, sim::Time::max()});
  orchestration::RequestFinished f{};
  f.at = sim::Time::zero();
  f.request = 1;
  f.success = true;
  f.hedges = 1;  // no hedge ever started
  checker.on_request_finished(f);
  ASSERT_EQ(checker.violation_count(), 2u);  // hedges vs calls started, and vs HedgeLaunched
  EXPECT_NE(checker.violations()[0].find("hedges"), std::string::npos);
}

TEST(Invariants, CheckerReportsARoutedCallNoDecisionChose) {
  orchestration::Workflow w;
  w.nodes.resize(1);
  eval::InvariantChecker checker(w);
  checker.on_request_arrived({sim::Time::zero(), 1, 0, 10, sim::Time::max()});
  const std::vector<orchestration::RoutingCandidate> none;
  checker.on_routing_decision({sim::Time::zero(), 1, 0, "static", &none, 2, ""});
  orchestration::CallStarted call{};
  call.request = 1;
  call.kind = orchestration::AttemptKind::kFirst;
  call.agent = 2;
  call.call = 10;
  checker.on_call_started(call);  // the decision's
  EXPECT_TRUE(checker.ok());
  call.call = 11;
  checker.on_call_started(call);  // a second call, no second decision
  call.call = 12;
  call.agent = 3;
  checker.on_routing_decision({sim::Time::zero(), 1, 0, "static", &none, 2, ""});
  checker.on_call_started(call);  // a decision, for another agent
  ASSERT_EQ(checker.violation_count(), 2u);
  EXPECT_NE(checker.violations()[0].find("no routing decision"), std::string::npos);
  EXPECT_NE(checker.violations()[1].find("the decision chose 2"), std::string::npos);
}

// An errored, timed-out or cancelled call has no answer: a quality, a
// confidence or a silent flag on it would be counted in the metrics as if it
// had scored. Accepted and rejected answers keep theirs.
TEST(Invariants, CheckerReportsAScoreOnACallThatProducedNoAnswer) {
  orchestration::Workflow w;
  w.nodes.resize(1);
  eval::InvariantChecker checker(w, /*choreography=*/true);
  checker.on_request_arrived({sim::Time::zero(), 1, 0, 10, sim::Time::max()});
  auto call_that_ended = [&](mock_agents::CallId id, orchestration::CallEnd end, double quality,
                             bool silent) {
    orchestration::CallStarted started{};
    started.request = 1;
    started.call = id;
    started.kind = orchestration::AttemptKind::kFirst;
    checker.on_call_started(started);
    orchestration::CallEnded ended{};
    ended.request = 1;
    ended.call = id;
    ended.kind = orchestration::AttemptKind::kFirst;
    ended.end = end;
    ended.quality = quality;
    ended.silent = silent;
    checker.on_call_ended(ended);
  };
  call_that_ended(1, orchestration::CallEnd::kSuccess, 0.8, false);
  call_that_ended(2, orchestration::CallEnd::kInvalid, 0.3, true);
  call_that_ended(3, orchestration::CallEnd::kError, 0.0, false);
  EXPECT_TRUE(checker.ok());
  call_that_ended(4, orchestration::CallEnd::kError, 0.7, false);
  call_that_ended(5, orchestration::CallEnd::kTimeout, 0.0, true);
  ASSERT_EQ(checker.violation_count(), 2u);
  EXPECT_NE(checker.violations()[0].find("ended error with no answer, yet reports quality 0.7"),
            std::string::npos);
  EXPECT_NE(checker.violations()[1].find("ended timeout with no answer"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::validation::invariants_test
