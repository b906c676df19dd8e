// Workflows at depth, end to end through the loader and the runner: a
// scenario with fan-out three levels deep inside a sub-workflow that another
// sub-workflow runs validates, runs, keeps every invariant (the checker
// attached), and its request log and trace nest; nested_retries shows the
// a^N amplification exactly when the bottom always fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "eval/invariant_checker.hpp"
#include "eval/request_log.hpp"
#include "eval/runner.hpp"
#include "eval/trace_writer.hpp"
#include "scenarios/scenario.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::nesting_run_test {
namespace {

using Json = nlohmann::ordered_json;

// top: ask (runs "middle", 2 attempts) -> done
// middle: research (runs "fan", 2 attempts) -> ok
// fan: map x2 of map x2 of fan_out {work, work_again} (three levels), joins
//      all (wait_all, 1 tolerated), quorum, all -> ok
constexpr const char* kDeep = R"({
  "version": 1, "name": "deep",
  "run": { "seed": 3, "requests": 300 },
  "agents": [
    { "name": "worker", "servers": 32,
      "latency": { "base_ms": { "exponential": { "mean": 30 } } },
      "outcomes": { "transient_error": 0.4 },
      "tokens": { "output_tokens": { "constant": 20 } } }
  ],
  "workload": { "arrivals": { "poisson": { "rate_per_s": 40 } },
                "classes": [ { "name": "q", "input_tokens": { "constant": 50 }, "deadline_ms": 3000 } ] },
  "workflow": {
    "nodes": [
      { "name": "ask", "type": "call", "workflow": "middle", "timeout_ms": 1500,
        "retry": { "max_attempts": 2, "backoff": { "base_ms": 5 } }, "next": "done" },
      { "name": "done", "type": "terminal" }
    ]
  },
  "workflows": {
    "middle": {
      "timeout_ms": 1200,
      "nodes": [
        { "name": "research", "type": "call", "workflow": "fan", "timeout_ms": 600,
          "retry": { "max_attempts": 2, "backoff": { "base_ms": 5 } }, "next": "ok" },
        { "name": "ok", "type": "terminal" }
      ]
    },
    "fan": {
      "context_window_tokens": 4000,
      "retry_budget": { "kind": "token_bucket", "max_tokens": 50, "token_ratio": 0.5 },
      "nodes": [
        { "name": "outer", "type": "fan_out", "map": { "entry": "inner", "count": 2 }, "join": "j1" },
        { "name": "inner", "type": "fan_out", "map": { "entry": "pair", "count": 2 }, "join": "j2" },
        { "name": "pair", "type": "fan_out", "branches": ["work", "work_again"], "join": "j3" },
        { "name": "work", "type": "call", "agents": ["worker"], "timeout_ms": 150,
          "retry": { "max_attempts": 2, "backoff": { "base_ms": 5 } }, "next": "j3" },
        { "name": "work_again", "type": "call", "agents": ["worker"], "next": "j3" },
        { "name": "j3", "type": "join", "on_branch_failure": "wait_all", "tolerated_failures": 1,
          "next": "j2" },
        { "name": "j2", "type": "join", "policy": "quorum", "next": "j1" },
        { "name": "j1", "type": "join", "next": "ok" },
        { "name": "ok", "type": "terminal" }
      ]
    }
  }
})";

scenarios::Scenario parse(const std::string& text) {
  scenarios::LoadResult r = scenarios::parse_scenario(text, "deep.json");
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();
  return r.ok() ? std::move(*r.scenario) : scenarios::Scenario{};
}

TEST(NestingRun, FanOutThreeDeepInASubWorkflowTwoDeepRunsAndKeepsEveryInvariant) {
  const scenarios::Scenario s = parse(kDeep);
  ASSERT_EQ(s.workflow.sub_workflows.size(), 2u);
  InvariantChecker checker(s.workflow);
  RunOptions options;
  options.observer = &checker;
  options.request_log = RequestLogOptions{.sample = 50, .slowest = 5, .failed = 20};
  options.trace = true;
  const RunResult r = run_scenario(s, options);
  checker.finish(r, s.run.drain);
  for (const std::string& v : checker.violations()) ADD_FAILURE() << v;
  EXPECT_EQ(r.arrived, 300u);
  EXPECT_EQ(r.in_flight, 0u);
  EXPECT_EQ(r.completed + r.failed, 300u);
  EXPECT_GT(r.completed, 0u);
  EXPECT_GT(r.failed, 0u);

  // Metrics: each sub-workflow's runs, and the nodes inside them by name.
  const Json m = r.metrics->to_json();
  ASSERT_EQ(m["sub_workflows"].size(), 2u);
  EXPECT_EQ(m["sub_workflows"][0]["name"], "middle");
  EXPECT_EQ(m["sub_workflows"][0]["called_by"], Json::array({"ask"}));
  EXPECT_EQ(m["sub_workflows"][1]["called_by"], Json::array({"middle/research"}));
  EXPECT_GE(m["sub_workflows"][0]["runs_started"].get<int>(), 300);
  bool inner_node = false;
  for (const Json& n : m["nodes"]) {
    if (n["name"] == "fan/work") {
      inner_node = true;
      EXPECT_EQ(n["workflow"], "fan");
    }
    if (n["name"] == "ask") {
      EXPECT_EQ(n["sub_workflow"], "middle");
    }
  }
  EXPECT_TRUE(inner_node);

  // The request log nests: every call's flow is in the request's tree of
  // flows, branch flows go three levels below their run's main path, and
  // runs name the run that started them.
  ASSERT_NE(r.request_log, nullptr);
  std::size_t deepest = 0, nested_runs = 0;
  for (const Json& q : r.request_log->kept_requests()) {
    std::map<std::uint32_t, Json> flows;
    for (const Json& f : q["flows"]) flows[f["flow"].get<std::uint32_t>()] = f;
    for (const Json& c : q["calls"]) {
      const auto flow = c["flow"].get<std::uint32_t>();
      ASSERT_TRUE(flows.contains(flow)) << q.dump();
      // Branches up to the run's own main path.
      std::size_t branch_depth = 0;
      for (auto f = flows.find(flow); f != flows.end() && f->second["kind"] == "branch";
           f = flows.find(f->second["parent"].get<std::uint32_t>())) {
        ++branch_depth;
      }
      deepest = std::max(deepest, branch_depth);
      EXPECT_EQ(c["invocation"], flows.at(flow)["invocation"]);
    }
    for (const Json& run : q["runs"]) nested_runs += run["parent"].get<int>() != 0;
  }
  EXPECT_EQ(deepest, 3u);
  EXPECT_GT(nested_runs, 0u);

  // The trace has a process per sub-workflow, after the agents'.
  ASSERT_NE(r.trace, nullptr);
  std::ostringstream trace;
  r.trace->write(trace);
  EXPECT_NE(trace.str().find("\"sub-workflow fan\""), std::string::npos);
  EXPECT_NE(trace.str().find("\"sub-workflow middle\""), std::string::npos);
}

TEST(NestingRun, NestedRetriesMakeTwentySevenDatabaseCallsPerRequestWhenItIsDown) {
  scenarios::LoadOptions o;
  o.overrides = {{"/agents/0/faults/0/start_s", "0"}, {"/agents/0/faults/0/end_s", "100000"}};
  scenarios::LoadResult loaded = scenarios::load_scenario("nested_retries", o);
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  InvariantChecker checker(loaded.scenario->workflow);
  RunOptions options;
  options.requests = 500;
  options.observer = &checker;
  const RunResult r = run_scenario(*loaded.scenario, options);
  checker.finish(r, loaded.scenario->run.drain);
  EXPECT_TRUE(checker.ok()) << checker.violations().front();
  EXPECT_EQ(r.failed, 500u);
  const Json m = r.metrics->to_json();
  EXPECT_EQ(m["per_request"]["calls"], 27.0);
  EXPECT_EQ(m["per_request"]["retries"], 26.0);  // 2 + 3 x 2 + 9 x 2 at the three layers
  EXPECT_EQ(m["sub_workflows"][0]["name"], "orders");
  EXPECT_EQ(m["sub_workflows"][0]["calls_per_run"], 9.0);
  EXPECT_EQ(m["sub_workflows"][1]["calls_per_run"], 3.0);

  // A retry budget at every layer cuts it down.
  o.overrides.push_back({"/resilience/retry_budget/kind", "token_bucket"});
  o.overrides.push_back({"/workflows/orders/retry_budget/kind", "token_bucket"});
  o.overrides.push_back({"/workflows/inventory/retry_budget/kind", "token_bucket"});
  scenarios::LoadResult budgeted = scenarios::load_scenario("nested_retries", o);
  ASSERT_TRUE(budgeted.ok()) << budgeted.diagnostics.format();
  const RunResult b = run_scenario(*budgeted.scenario, options);
  EXPECT_LT(b.metrics->to_json()["per_request"]["calls"].get<double>(), 2.0);
}

// The request log writes its lines as it goes (JsonWriter), not through an
// ordered_json: each line must be exactly what nlohmann would dump for the
// same document, over runs that between them make every part of a line
// (calls, route and flow decisions with inputs, every kind of event, fan-out
// branches, sub-workflow runs, unfinished calls).
TEST(NestingRun, EveryRequestLogLineIsWhatNlohmannWouldDump) {
  std::vector<std::pair<std::string, scenarios::Scenario>> runs;
  runs.emplace_back("deep", parse(kDeep));
  for (const char* name : {"nested_retries", "hedged_requests", "query_fanout", "retry_storm",
                           "timeout_fallback_decompose", "rag_choreographed"}) {
    runs.emplace_back(name, test_support::load(name));
  }
  std::string all;
  for (const auto& [name, s] : runs) {
    SCOPED_TRACE(name);
    RunOptions options;
    // Choreography's stuck requests (calls never ended) take longer to show.
    options.requests = name == "rag_choreographed" ? 20000 : 3000;
    options.request_log = RequestLogOptions{.sample = 100, .slowest = 20, .failed = 20};
    const RunResult r = run_scenario(s, options);
    ASSERT_NE(r.request_log, nullptr);
    std::ostringstream out;
    r.request_log->write(out);
    std::istringstream in(out.str());
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
      ASSERT_EQ(Json::parse(line).dump(), line);
      all += line;
    }
    EXPECT_GT(lines, 20u);
  }
  for (const char* part :
       {R"("kind":"retry")", R"("kind":"hedge")", R"("kind":"context")", R"("kind":"budget")",
        R"("kind":"enter")", R"("kind":"sub_workflow")", R"("kind":"branch")",
        R"("end":"unfinished")", R"("inputs":[{)", R"("kind":"flow")", R"("runs":[{)"}) {
    EXPECT_NE(all.find(part), std::string::npos) << part;
  }
}

}  // namespace
}  // namespace orchsim::eval::nesting_run_test
