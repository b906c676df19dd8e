// Choreography mode (orchestration/choreographer.hpp) run end to end:
// hand-computable timelines, duplicated work, requests stuck without an
// owner, conservation, determinism and common random numbers with the
// orchestrated twin.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "eval/invariant_checker.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::eval::choreography_run_test {
namespace {

using Json = nlohmann::ordered_json;

// A scenario of `agents` (JSON objects) and a choreography, with `requests`
// evenly spaced arrivals one second apart (no two requests overlap).
std::string scenario(const std::string& agents, const std::string& choreography, int requests = 5,
                     const std::string& deadline = "") {
  return fmt::format(R"({{
  "version": 1, "name": "choreo_test",
  "run": {{ "seed": 7, "requests": {} }},
  "agents": [ {} ],
  "workload": {{ "arrivals": {{ "deterministic": {{ "interval_ms": 1000 }} }},
                "classes": [ {{ "name": "q", "input_tokens": {{ "constant": 50 }} {} }} ] }},
  "choreography": {}
}})",
                     requests, agents, deadline, choreography);
}

// An agent named `name` that answers after exactly `ms`.
std::string fixed_agent(const std::string& name, int ms, const std::string& outcomes = "{}") {
  return fmt::format(
      R"({{ "name": "{}", "servers": 8, "latency": {{ "base_ms": {{ "constant": {} }} }},
            "outcomes": {}, "tokens": {{ "output_tokens": {{ "constant": 10 }}, "usd_per_1k_output_tokens": 1 }} }})",
      name, ms, outcomes);
}

scenarios::Scenario parse(const std::string& text) {
  scenarios::LoadResult r = scenarios::parse_scenario(text, "choreo_test.json");
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();
  return r.ok() ? std::move(*r.scenario) : scenarios::Scenario{};
}

// Counts what happens to each request and call: every arrival must end once.
class Ledger final : public orchestration::Observer {
 public:
  void on_request_arrived(const orchestration::RequestArrived& e) override { ++arrived[e.request]; }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    ++finished[e.request];
    latency_ms[e.request] = e.latency.milliseconds_f();
    outcome[e.request] = std::string(e.outcome);
  }
  void on_call_started(const orchestration::CallStarted&) override { ++calls_started; }
  void on_call_ended(const orchestration::CallEnded& e) override {
    ++calls_ended;
    if (e.redundant) ++redundant;
  }
  std::map<std::uint64_t, int> arrived, finished;
  std::map<std::uint64_t, double> latency_ms;
  std::map<std::uint64_t, std::string> outcome;
  int calls_started = 0, calls_ended = 0, redundant = 0;
};

struct Run {
  RunResult result;
  Json metrics;
  Ledger ledger;
};

std::unique_ptr<Run> run(const std::string& text) {
  auto out = std::make_unique<Run>();
  const scenarios::Scenario s = parse(text);
  if (!s.choreography) {
    ADD_FAILURE() << "no choreography";
    return out;
  }
  RunOptions options;
  options.observer = &out->ledger;
  out->result = run_scenario(s, options);
  out->metrics = out->result.metrics->to_json();
  return out;
}

void expect_every_arrival_ends_once(const Run& r) {
  EXPECT_EQ(r.ledger.arrived.size(), r.result.arrived);
  for (const auto& [id, n] : r.ledger.arrived) {
    EXPECT_EQ(n, 1) << "request " << id;
    const auto it = r.ledger.finished.find(id);
    ASSERT_NE(it, r.ledger.finished.end()) << "request " << id << " never ended";
    EXPECT_EQ(it->second, 1) << "request " << id << " ended more than once";
  }
  EXPECT_EQ(r.ledger.calls_started, r.ledger.calls_ended);
  EXPECT_EQ(r.result.in_flight, 0u);
}

TEST(ChoreographyRun, OneAgentWithFixedLatencyAnswersInThatTime) {
  const auto r = run(scenario(fixed_agent("a", 100),
                              R"({ "subscriptions": [ { "agent": "a", "on": "request",
                                   "publish": "done" } ], "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.completed, 5u);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 100.0) << id;
  EXPECT_EQ(r->metrics["per_request"]["calls"], 1.0);
  EXPECT_EQ(r->metrics["coordination"]["duplicated_calls"], 0);
  EXPECT_EQ(r->metrics["coordination"]["stuck_requests"], 0);
  EXPECT_EQ(r->metrics["nodes"][0]["name"], "a@request");
}

TEST(ChoreographyRun, TwoStepChainTakesTheSumOfItsSteps) {
  const auto r = run(scenario(fixed_agent("a", 100) + "," + fixed_agent("b", 250),
                              R"({ "subscriptions": [
                                     { "agent": "a", "on": "request", "publish": "mid" },
                                     { "agent": "b", "on": "mid", "publish": "done" } ],
                                   "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.completed, 5u);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 350.0) << id;
  EXPECT_EQ(r->metrics["per_request"]["calls"], 2.0);
}

TEST(ChoreographyRun, TwoSubscribersOnOneTopicDoubleTheCallsAndOneIsDuplicated) {
  const auto r = run(scenario(fixed_agent("a", 100),
                              R"({ "subscriptions": [
                                     { "agent": "a", "on": "request", "publish": "done" },
                                     { "agent": "a", "on": "request", "publish": "done" } ],
                                   "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.completed, 5u);
  EXPECT_EQ(r->ledger.calls_started, 10);
  EXPECT_EQ(r->metrics["coordination"]["duplicated_calls"], 5);
  EXPECT_EQ(r->ledger.redundant, 5);
  // The second subscription got a name of its own.
  EXPECT_EQ(r->metrics["nodes"][1]["name"], "a@request#2");
  // Its cost is paid though no request needed it.
  EXPECT_GT(r->metrics["coordination"]["duplicated_cost_usd"].get<double>(), 0.0);
}

TEST(ChoreographyRun, AnIdempotentSubscriberActsOncePerRequest) {
  const auto r = run(scenario(fixed_agent("a", 100) + "," + fixed_agent("b", 50),
                              R"({ "subscriptions": [
                                     { "agent": "a", "on": "request", "publish": "x" },
                                     { "agent": "a", "on": "request", "publish": "x" },
                                     { "agent": "b", "on": "x", "publish": "done",
                                       "idempotent": true } ],
                                   "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->ledger.calls_started, 15);  // a twice, b once per request
  EXPECT_EQ(r->metrics["coordination"]["duplicated_calls"], 5);
}

TEST(ChoreographyRun, ASubscriberThatExhaustsItsRetriesLeavesTheRequestStuck) {
  // Errors come back after a quarter of the latency (25 ms), retries after
  // 10 ms: three attempts end at 25, 60 and 95 ms. Nobody else knows; with
  // no deadline the request ends "stuck" when its last work does.
  const auto r =
      run(scenario(fixed_agent("a", 100, R"({ "transient_error": 1.0 })"),
                   R"({ "subscriptions": [ { "agent": "a", "on": "request", "publish": "done",
             "retry": { "max_attempts": 3,
                        "backoff": { "shape": "constant", "jitter": "none", "base_ms": 10 } } } ],
           "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.completed, 0u);
  EXPECT_EQ(r->result.failed, 5u);
  EXPECT_EQ(r->metrics["coordination"]["stuck_requests"], 5);
  EXPECT_EQ(r->metrics["requests"]["failed_by_cause"]["stuck"], 5);
  EXPECT_EQ(r->ledger.calls_started, 15);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 95.0) << id;
}

TEST(ChoreographyRun, OrderedRetryRulesDecideAsACallNodesDo) {
  // The first rule that matches decides: transient errors get one retry
  // after 10 ms (the second rule, for rate limits, never matches).
  const auto r =
      run(scenario(fixed_agent("a", 100, R"({ "transient_error": 1.0 })"),
                   R"({ "subscriptions": [ { "agent": "a", "on": "request", "publish": "done",
             "retry": { "rules": [
               { "retry_on": ["transient"], "max_retries": 1,
                 "backoff": { "shape": "constant", "jitter": "none", "base_ms": 10 } },
               { "retry_on": ["rate_limited"], "max_retries": 5 } ] } } ],
           "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->ledger.calls_started, 10);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 60.0) << id;
  EXPECT_EQ(r->metrics["coordination"]["stuck_requests"], 5);
}

TEST(ChoreographyRun, AStuckRequestWithADeadlineEndsAtIt) {
  const auto r =
      run(scenario(fixed_agent("a", 100, R"({ "transient_error": 1.0 })"),
                   R"({ "subscriptions": [ { "agent": "a", "on": "request", "publish": "done" } ],
           "completes_on": ["done"] })",
                   5, R"(, "deadline_ms": 400)"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->metrics["coordination"]["stuck_requests"], 5);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 400.0) << id;
}

TEST(ChoreographyRun, WorkStillInFlightAtTheDeadlineIsDroppedNotStuck) {
  const auto r = run(scenario(fixed_agent("a", 1000),
                              R"({ "subscriptions": [ { "agent": "a", "on": "request",
                                   "publish": "done" } ], "completes_on": ["done"] })",
                              3, R"(, "deadline_ms": 400)"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->metrics["requests"]["failed_by_cause"]["deadline_exceeded"], 3);
  EXPECT_EQ(r->metrics["coordination"]["stuck_requests"], 0);
  EXPECT_EQ(r->metrics["agents"][0]["calls_ended"]["cancelled"], 3);
}

TEST(ChoreographyRun, ARetryAfterALocalTimeoutPublishesTwice) {
  // The call takes 300 ms; the subscriber stops waiting at 100 ms and
  // retries at 150 ms (the first call goes on). The first answer completes
  // the request at 300 ms; the retry's, at 450 ms, was not needed.
  const auto r =
      run(scenario(fixed_agent("a", 300),
                   R"({ "subscriptions": [ { "agent": "a", "on": "request", "publish": "done",
             "timeout_ms": 100,
             "retry": { "max_attempts": 2,
                        "backoff": { "shape": "constant", "jitter": "none", "base_ms": 50 } } } ],
           "completes_on": ["done"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.completed, 5u);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 300.0) << id;
  EXPECT_EQ(r->ledger.calls_started, 10);
  EXPECT_EQ(r->metrics["coordination"]["duplicated_calls"], 5);
  // Both attempts time out locally (at 100 and 250 ms), before the first answer.
  EXPECT_EQ(r->metrics["per_request"]["timeouts"], 2.0);
  // The run lasts until the retries' answers, after the last request (which
  // arrived at 5 s) ended.
  EXPECT_EQ(r->result.end, sim::Time::zero() + sim::Duration::milliseconds(5450));
}

TEST(ChoreographyRun, AJudgeRejectionGoesToTheRejectTopic) {
  // Every answer is a silent failure; the judge (accuracy 1) fails it and
  // publishes "rejected", which a second generator answers; the second
  // judge's verdict completes the request whatever it is.
  const std::string agents = fixed_agent("gen", 100, R"({ "silent_failure": 1.0 })") + "," +
                             R"({ "name": "judge", "role": "critic", "servers": 8,
           "latency": { "base_ms": { "constant": 10 } },
           "judge": { "accuracy": 1.0, "pass_threshold": 0.5 } })";
  const auto r = run(scenario(agents, R"({ "subscriptions": [
      { "agent": "gen", "on": "request", "publish": "answer" },
      { "agent": "judge", "on": "answer", "publish": "checked", "publish_on_reject": "rejected",
        "quality": { "input": "answer", "output": "none", "judges_answer": true } },
      { "agent": "gen", "on": "rejected", "publish": "answer2" },
      { "agent": "judge", "on": "answer2", "publish": "checked", "publish_on_reject": "checked",
        "quality": { "input": "answer", "output": "none", "judges_answer": true } } ],
    "completes_on": ["checked"] })"));
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.completed, 5u);
  for (const auto& [id, ms] : r->ledger.latency_ms) EXPECT_DOUBLE_EQ(ms, 220.0) << id;
  EXPECT_EQ(r->metrics["coordination"]["silent_outputs"], 10);
  EXPECT_EQ(r->metrics["coordination"]["silent_caught"], 10);
  EXPECT_EQ(r->metrics["quality"]["silent_failure_rate"], 1.0);
}

// Errors, hangs, timeouts, retries, deadlines and duplicate subscribers at
// once: every arrival still ends exactly once, and every call once.
TEST(ChoreographyRun, EveryArrivalEndsOnceUnderFailures) {
  const std::string agents =
      R"({ "name": "a", "servers": 2, "latency": { "base_ms": { "exponential": { "mean": 80 } } },
           "outcomes": { "transient_error": 0.2, "hang": 0.05, "silent_failure": 0.1 } },
         { "name": "b", "servers": 1, "latency": { "base_ms": { "exponential": { "mean": 120 } } },
           "outcomes": { "transient_error": 0.3, "permanent_error": 0.05 } })";
  std::string text = scenario(agents, R"({ "subscriptions": [
      { "agent": "a", "on": "request", "publish": "x", "timeout_ms": 150,
        "retry": { "max_attempts": 3, "backoff": { "base_ms": 20 } } },
      { "agent": "b", "on": "x", "publish": "done", "timeout_ms": 200,
        "retry": { "max_attempts": 2 } },
      { "agent": "b", "on": "x", "publish": "done" } ],
    "completes_on": ["done"] })",
                              400, R"(, "deadline_ms": 1500)");
  // Poisson arrivals fast enough that requests overlap and queue.
  const auto pos = text.find(R"({ "deterministic": { "interval_ms": 1000 } })");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 44, R"({ "poisson": { "rate_per_s": 12 } })");
  const auto r = run(text);
  expect_every_arrival_ends_once(*r);
  EXPECT_EQ(r->result.arrived, 400u);
  EXPECT_EQ(r->result.completed + r->result.failed, 400u);
  EXPECT_GT(r->result.completed, 0u);
  EXPECT_GT(r->metrics["coordination"]["stuck_requests"].get<int>(), 0);
  EXPECT_GT(r->metrics["coordination"]["duplicated_calls"].get<int>(), 0);
}

TEST(ChoreographyRun, RagChoreographedGivesTheSameBytesTwice) {
  scenarios::LoadResult loaded = scenarios::load_scenario("rag_choreographed");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  RunOptions options;
  options.requests = 3000;
  const std::string a = run_scenario(*loaded.scenario, options).metrics->to_json().dump();
  const std::string b = run_scenario(*loaded.scenario, options).metrics->to_json().dump();
  EXPECT_EQ(a, b);
}

// The first retrieval of each request meets the same world in both modes:
// its calls are keyed by the workflow node they stand for.
class FirstRetrieval final : public orchestration::Observer {
 public:
  void on_call_ended(const orchestration::CallEnded& e) override {
    if (e.node == 0 && e.attempt == 0 && e.kind == orchestration::AttemptKind::kFirst &&
        !seen.count(e.request)) {
      seen[e.request] = {e.quality, e.confidence};
    }
  }
  std::map<std::uint64_t, std::pair<double, double>> seen;
};

TEST(ChoreographyRun, RagChoreographedMeetsTheOrchestratedRunsDraws) {
  scenarios::LoadResult orch = scenarios::load_scenario("rag_orchestrated");
  scenarios::LoadResult chor = scenarios::load_scenario("rag_choreographed");
  ASSERT_TRUE(orch.ok() && chor.ok()) << chor.diagnostics.format();
  ASSERT_EQ(chor.scenario->run.seed, orch.scenario->run.seed);
  FirstRetrieval a, b;
  RunOptions options;
  options.requests = 500;
  options.observer = &a;
  run_scenario(*orch.scenario, options);
  options.observer = &b;
  run_scenario(*chor.scenario, options);
  ASSERT_EQ(a.seen.size(), 500u);
  EXPECT_EQ(a.seen, b.seen);
}

TEST(ChoreographyRun, RagChoreographedShowsWhatTheOrchestratorBuys) {
  scenarios::LoadResult orch = scenarios::load_scenario("rag_orchestrated");
  scenarios::LoadResult chor = scenarios::load_scenario("rag_choreographed");
  ASSERT_TRUE(orch.ok() && chor.ok());
  // A flaky critic (docs/choreography.md, "Under failures"): the workflow
  // answers without the check; a subscriber that gives up leaves the request
  // without an owner.
  orch.scenario->agents[3].outcomes.transient_error = 0.2;
  chor.scenario->agents[3].outcomes.transient_error = 0.2;
  RunOptions options;
  options.requests = 4000;
  const Json o = run_scenario(*orch.scenario, options).metrics->to_json();
  const Json c = run_scenario(*chor.scenario, options).metrics->to_json();
  // Only a choreography leaves requests without an owner.
  EXPECT_EQ(o["coordination"]["stuck_requests"], 0);
  EXPECT_GT(c["coordination"]["stuck_requests"].get<int>(), 0);
  EXPECT_LT(c["requests"]["success_rate"].get<double>(),
            o["requests"]["success_rate"].get<double>());
  // Both have critics that catch silent failures.
  EXPECT_GT(o["coordination"]["silent_caught"].get<int>(), 0);
  EXPECT_GT(c["coordination"]["silent_caught"].get<int>(), 0);
}

}  // namespace
}  // namespace orchsim::eval::choreography_run_test
