// Regression tests for the ten silent bugs of issue 22: each gave a wrong
// number without any error. Every test here failed before its fix (checked
// by reverting the fix) and names the bug it pins. docs/validation.md lists
// them with their causes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "eval/replications.hpp"
#include "eval/run_metrics_json.hpp"
#include "eval/sweep.hpp"
#include "tests/validation/scenario_test_support.hpp"

namespace orchsim::validation::silent_bugs_test {
namespace {

using orchestration::AttemptKind;
using orchestration::CallEnd;

// An agent as JSON: constant latency, many servers, optional extra fields.
std::string agent(const std::string& name, double latency_ms, const std::string& extra = "") {
  return fmt::format(R"({{ "name": "{}", "servers": 1000, "latency": {{ "base_ms": {} }} {}{} }})",
                     name, latency_ms, extra.empty() ? "" : ", ", extra);
}

std::string scenario(const std::string& agents, const std::string& nodes, const std::string& entry,
                     std::uint64_t requests, double gap_ms, const std::string& run_extra = "",
                     const std::string& top_extra = "") {
  return fmt::format(R"({{
  "version": 1, "name": "t",
  "run": {{ "seed": 1, "requests": {} {} }},
  "agents": [ {} ],
  "workload": {{ "arrivals": {{ "deterministic": {{ "interval_ms": {} }} }},
                "classes": [ {{ "name": "c", "input_tokens": 100 }} ] }},
  "workflow": {{ "entry": "{}", "nodes": [ {} ] }} {}
}})",
                     requests, run_extra, agents, gap_ms, entry, nodes, top_extra);
}

// --- Bug 1: map fan-out copies shared the draws of their retries and hedges --

// Ten copies of one call, each failing its first attempt with probability
// 1/2 and retried once: every copy succeeds with probability 3/4, all ten
// with 0.75^10 = 0.0563 when the copies' retries are independent. When they
// shared one retry draw (the bug: attempts were keyed by the node's visit
// count at retry time, equal for every copy), P(all succeed) was about 0.5.
// The same fan-out written as ten separate branches must agree.
std::string ten_copies(bool as_map) {
  const std::string retry =
      R"("retry": { "max_attempts": 2, "backoff": { "shape": "constant", "base_ms": 1 } })";
  std::string nodes;
  if (as_map) {
    nodes =
        R"({ "name": "fan", "type": "fan_out", "map": { "entry": "part", "count": 10 }, "join": "join" },
               { "name": "part", "type": "call", "agents": ["flaky"], )" +
        retry + R"(, "next": "join" },)";
  } else {
    std::string branches;
    for (int b = 0; b < 10; ++b) {
      branches += fmt::format(R"({}"part{}")", b ? ", " : "", b);
      nodes += fmt::format(
          R"({{ "name": "part{}", "type": "call", "agents": ["flaky"], {}, "next": "join" }},)", b,
          retry);
    }
    nodes = R"({ "name": "fan", "type": "fan_out", "branches": [)" + branches +
            R"(], "join": "join" },)" + nodes;
  }
  nodes +=
      R"({ "name": "join", "type": "join", "policy": "all", "next": "done", "on_failure": "failed" },
              { "name": "done", "type": "terminal", "success": true },
              { "name": "failed", "type": "terminal", "success": false, "outcome": "failed" })";
  return scenario(agent("flaky", 5, R"("outcomes": { "transient_error": 0.5 })"), nodes, "fan",
                  4000, 1000);
}

TEST(SilentBug1, MapFanOutCopiesRetryIndependentlyLikeSeparateBranches) {
  const double analytic = std::pow(0.75, 10);
  for (const bool as_map : {true, false}) {
    SCOPED_TRACE(as_map ? "map" : "branches");
    const auto m = metrics_of(run(parse(ten_copies(as_map)), 3));
    const auto completed = m["requests"]["completed"].get<std::uint64_t>();
    const auto finished = m["requests"]["finished"].get<std::uint64_t>();
    ASSERT_EQ(finished, 4000u);
    const Wilson ci = wilson(completed, finished);
    EXPECT_TRUE(ci.contains(analytic))
        << "P(all ten succeed) " << ci.lo << ".." << ci.hi << ", expected " << analytic;
  }
}

TEST(SilentBug1, HedgesOfMapCopiesDrawTheirOwnLatencies) {
  // Each copy is hedged after 1 ms; a hedge's latency is lognormal. With
  // shared draws every hedge of a request had the same duration.
  const std::string nodes =
      R"({ "name": "fan", "type": "fan_out", "map": { "entry": "part", "count": 8 }, "join": "join" },
         { "name": "part", "type": "call", "agents": ["slow"],
           "hedge": { "max_extra_attempts": 1, "delay_ms": 1 }, "next": "join" },
         { "name": "join", "type": "join", "policy": "all", "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const std::string slow = R"({ "name": "slow", "servers": 1000,
      "latency": { "base_ms": { "lognormal": { "median": 100, "p99": 400 } } } })";
  CallCounter calls;
  run(parse(scenario(slow, nodes, "fan", 50, 1000)), 2, &calls);
  std::map<orchestration::RequestId, std::set<std::int64_t>> hedge_durations;
  std::map<orchestration::RequestId, int> hedges;
  for (const auto& e : calls.ended) {
    if (e.kind != AttemptKind::kHedge || e.end != CallEnd::kSuccess) continue;
    hedge_durations[e.request].insert(e.duration.count_ns());
    ++hedges[e.request];
  }
  ASSERT_FALSE(hedges.empty());
  for (const auto& [request, n] : hedges) {
    EXPECT_EQ(hedge_durations[request].size(), static_cast<std::size_t>(n))
        << "request " << request << ": hedges of different copies drew the same latency";
  }
}

// --- Bug 2: visit counters were 16-bit ---------------------------------------

TEST(SilentBug2, MaxVisitsAbove65535Triggers) {
  // A call node that loops on itself, bounded at 70,000 visits; each call
  // takes 1 ms. The bound must end the request after exactly 70,000 calls
  // (a 16-bit counter wrapped and never reached it).
  const std::string nodes =
      R"({ "name": "loop", "type": "call", "agents": ["a"], "next": "loop",
           "max_visits": 70000, "on_exhausted": "done" },
         { "name": "done", "type": "terminal", "success": true, "outcome": "bounded" })";
  const auto r =
      run(parse(scenario(agent("a", 1), nodes, "loop", 1, 1000, R"(, "drain_s": 100)")), 1);
  const auto m = metrics_of(r);
  EXPECT_EQ(r.completed, 1u);
  EXPECT_EQ(r.in_flight, 0u);
  EXPECT_EQ(m["requests"]["completed_by_outcome"].value("bounded", 0), 1);
  EXPECT_EQ(m["agents"][0]["calls_started"], 70000);
}

// --- Bug 3: warm-up counted on one side of a ratio --------------------------

TEST(SilentBug3, StrongFractionExcludesWarmupOnBothSides) {
  // Every request calls the strong model exactly once: its strong fraction
  // is 1 with or without a warm-up (was 1.2 with a fifth of the run as warm-up).
  const std::string nodes =
      R"({ "name": "ask", "type": "call", "agents": ["strong"], "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const auto s =
      parse(scenario(agent("strong", 5), nodes, "ask", 1000, 100, R"(, "warmup_s": 20)"));
  const auto m = metrics_of(run(s, 1));
  const auto arrived = m["requests"]["arrived"].get<std::uint64_t>();  // from 20 s to 100 s
  EXPECT_EQ(arrived, 801u);
  EXPECT_EQ(m["steady_state"]["excluded_warmup"], 199);
  EXPECT_EQ(m["agents"][0]["calls_started"], arrived);
  EXPECT_EQ(eval::strong_fraction(*eval::run_metrics_from_json(m, "run"), "strong"), 1.0);
  // Every call of a measured request is in the agent's figures, and only those.
  EXPECT_EQ(m["agents"][0]["calls_ended"]["success"], arrived);
  EXPECT_EQ(m["routing"]["edges"][0]["count"], arrived);  // start -> ask
}

// --- Bug 4: quantiles snapped to buckets; no P(wait) ------------------------

// M/M/1 with lambda = 5/s and mu = 10/s: sojourn time ~ Exp(5/s), median
// ln 2 / 5 s = 138.63 ms. Per-replication medians used to snap to one or two
// bucket midpoints, so the interval over replications had (nearly) zero
// width and missed the true median.
std::string mm_c(int servers, double lambda, double mean_service_ms, int requests) {
  return fmt::format(R"({{
  "version": 1, "name": "mmc",
  "run": {{ "seed": 1, "requests": {}, "warmup_s": 20 }},
  "agents": [ {{ "name": "server", "servers": {},
                "latency": {{ "base_ms": {{ "exponential": {{ "mean": {} }} }} }} }} ],
  "workload": {{ "arrivals": {{ "poisson": {{ "rate_per_s": {} }} }},
                "classes": [ {{ "name": "c", "input_tokens": 10 }} ] }},
  "workflow": {{ "entry": "serve", "nodes": [
    {{ "name": "serve", "type": "call", "agents": ["server"], "next": "done" }},
    {{ "name": "done", "type": "terminal", "success": true }} ] }}
}})",
                     requests, servers, mean_service_ms, lambda);
}

TEST(SilentBug4, QuantileIntervalsOverReplicationsHaveWidthAndCoverTheTruth) {
  const auto s = parse(mm_c(1, 5.0, 100.0, 4000));
  eval::ReplicationOptions o;
  o.replications = 20;
  const eval::ReplicationSet set = eval::run_replications(s, o);
  const auto summaries = eval::summarize(set.metrics);
  const eval::MetricSummary* p50 = eval::find_metric(summaries, "latency_ms.all.p50");
  ASSERT_NE(p50, nullptr);
  const std::set<double> distinct(p50->values.begin(), p50->values.end());
  EXPECT_GE(distinct.size(), 15u) << "replication medians collapsed onto bucket values";
  const double truth = std::log(2.0) / 5.0 * 1000.0;
  EXPECT_GT(p50->ci.half_width, 0.0);
  EXPECT_LE(p50->ci.low(), truth);
  EXPECT_GE(p50->ci.high(), truth);
  // Never narrower than the histogram's resolution at that value.
  EXPECT_GE(p50->ci.half_width, eval::quantization_bound(p50->ci.mean));
}

TEST(SilentBug4, HistogramQuantilesInterpolateWithinTheirBucket) {
  // 100 values spread over one 8-ns-wide bucket [1024, 1031]: quantiles move
  // with the rank instead of all reading the bucket's midpoint.
  eval::LogLinearHistogram h;
  for (int i = 0; i < 1000; ++i) h.record(1024 + i % 8);
  EXPECT_LT(h.quantile(0.1), h.quantile(0.5));
  EXPECT_LT(h.quantile(0.5), h.quantile(0.9));
  EXPECT_NEAR(h.quantile(0.5), 1028.0, 0.01);  // rank 500 of 1000 over [1024, 1032)
  EXPECT_DOUBLE_EQ(eval::LogLinearHistogram::kRelativeError, 1.0 / 128.0);
}

TEST(SilentBug4, ProbabilityOfWaitingIsErlangC) {
  // M/M/2 with a = lambda / mu = 1.5: Erlang C(2, 1.5) = a^2 / (2! (1 - a/2))
  // / (1 + a + a^2 / (2! (1 - a/2))) = 4.5 / 7 = 0.642857.
  const double erlang_c = 4.5 / 7.0;
  const auto s = parse(mm_c(2, 15.0, 100.0, 8000));
  eval::ReplicationOptions o;
  o.replications = 10;
  const auto summaries = eval::summarize(eval::run_replications(s, o).metrics);
  const eval::MetricSummary* p_wait = eval::find_metric(summaries, "agents.server.p_wait");
  ASSERT_NE(p_wait, nullptr);
  EXPECT_LE(p_wait->ci.low(), erlang_c);
  EXPECT_GE(p_wait->ci.high(), erlang_c);
  EXPECT_LT(p_wait->ci.half_width, 0.03);
}

// --- Bug 5: a run could end long after its drain limit ----------------------

TEST(SilentBug5, RunEndsWithinItsDrainWhateverTheTimeout) {
  // Every call hangs; the attempt timeout is far beyond the 10 s drain. The
  // run must stop at the last arrival + 10 s with the requests in flight, and
  // the timeout's length must not matter (it used to set the end time).
  for (const int timeout_ms : {1'000'000, 2'000'000}) {
    SCOPED_TRACE(timeout_ms);
    const std::string nodes = fmt::format(
        R"({{ "name": "ask", "type": "call", "agents": ["hangs"], "timeout_ms": {}, "next": "done" }},
           {{ "name": "done", "type": "terminal", "success": true }})",
        timeout_ms);
    const auto r = run(parse(scenario(agent("hangs", 5, R"("outcomes": { "hang": 1 })"), nodes,
                                      "ask", 20, 1000, R"(, "drain_s": 10)")),
                       1);
    EXPECT_EQ(r.end, sim::Time::zero() + sim::Duration::seconds(30));  // last arrival at 20 s
    EXPECT_EQ(r.in_flight, 20u);
    EXPECT_EQ(r.failed, 0u);
    const auto m = metrics_of(r);
    EXPECT_EQ(m["end_ms"], 30000.0);
  }
}

// --- Bug 6: token buckets overflowed (scenario level; unit test in mock_agents)

TEST(SilentBug6, LargestRateLimitNeverRejectsOneCallEveryTwoSeconds) {
  const std::string nodes =
      R"({ "name": "ask", "type": "call", "agents": ["api"], "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const auto m = metrics_of(
      run(parse(scenario(agent("api", 5, R"("limits": { "tokens_per_minute": 150000000 })"), nodes,
                         "ask", 100, 2000)),
          1));
  EXPECT_EQ(m["requests"]["completed"], 100);
  EXPECT_EQ(m["agents"][0]["errors"]["rate_limited"], 0);
}

// --- Bug 7: counters counted attempts that never ran -------------------------

TEST(SilentBug7, HedgeRefusedByTheBulkheadIsNotCounted) {
  // One call at a time per agent (orchestrator bulkhead): the hedge of a
  // request whose first attempt is still out is refused every time.
  const std::string nodes =
      R"({ "name": "ask", "type": "call", "agents": ["a"],
           "hedge": { "max_extra_attempts": 1, "delay_ms": 10 }, "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  CallCounter calls;
  const auto m =
      metrics_of(run(parse(scenario(agent("a", 100), nodes, "ask", 50, 1000, "",
                                    R"(, "resilience": { "max_concurrency_per_agent": 1 })")),
                     1, &calls));
  EXPECT_EQ(calls.of_kind(AttemptKind::kHedge), 0u);
  EXPECT_EQ(m["events"]["hedges_launched"], 0);
  EXPECT_EQ(m["per_request"]["hedges"], 0.0);
}

TEST(SilentBug7, RetryCancelledBeforeItsBackoffEndedIsNotCounted) {
  // Two branches, first success wins: the slow branch fails fast and
  // schedules a retry 1 s later; the fast branch wins after 50 ms and the
  // retry never starts.
  const std::string nodes =
      R"({ "name": "fan", "type": "fan_out", "branches": ["broken", "fine"], "join": "join" },
         { "name": "broken", "type": "call", "agents": ["broken"],
           "retry": { "max_attempts": 2,
                      "backoff": { "shape": "constant", "jitter": "none", "base_ms": 1000 } },
           "next": "join" },
         { "name": "fine", "type": "call", "agents": ["fine"], "next": "join" },
         { "name": "join", "type": "join", "policy": "first_success", "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const std::string agents =
      agent("broken", 10, R"("outcomes": { "permanent_error": 0, "transient_error": 1 })") + ", " +
      agent("fine", 50);
  CallCounter calls;
  const auto m = metrics_of(run(parse(scenario(agents, nodes, "fan", 30, 5000)), 1, &calls));
  EXPECT_EQ(calls.of_kind(AttemptKind::kRetry), 0u);
  EXPECT_EQ(m["per_request"]["retries"], 0.0);
  EXPECT_EQ(m["events"]["retries_scheduled"], 30);  // scheduled, honestly named
}

TEST(SilentBug7, FallbackThatCouldNotFitItsContextIsNotCounted) {
  // The primary fails; the fallback's window (50 tokens) cannot hold the
  // query (100) with fit "fail": the fallback never starts.
  const std::string nodes =
      R"({ "name": "ask", "type": "call", "agents": ["primary"], "fallback": ["tiny"],
           "context": { "fit": "fail" }, "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const std::string agents = agent("primary", 10, R"("outcomes": { "transient_error": 1 })") +
                             ", " + agent("tiny", 10, R"("context_window_tokens": 50)");
  CallCounter calls;
  const auto m = metrics_of(run(parse(scenario(agents, nodes, "ask", 20, 1000)), 1, &calls));
  EXPECT_EQ(calls.of_kind(AttemptKind::kFallback), 0u);
  EXPECT_EQ(m["per_request"]["fallbacks"], 0.0);
  EXPECT_EQ(m["requests"]["failed"], 20);
}

// --- Bug 8: redirects, decomposition and hedges ignored the context rules ---

TEST(SilentBug8, RedirectSendsWhatTheStepSendsWithoutContext) {
  // include_context false: the first attempt sends the query only (100
  // tokens, the system prompt is 0); so must the redirect (it sent the whole
  // 5,100-token context).
  const std::string nodes =
      R"({ "name": "retrieve", "type": "call", "agents": ["docs"], "next": "ask" },
         { "name": "ask", "type": "call", "agents": ["slow"],
           "context": { "include_context": false },
           "time_budget": { "budget_ms": 100, "action": "redirect", "agent": "fast" }, "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const std::string agents = agent("docs", 1, R"("tokens": { "output_tokens": 5000 })") + ", " +
                             agent("slow", 1000) + ", " + agent("fast", 10);
  CallCounter calls;
  run(parse(scenario(agents, nodes, "retrieve", 10, 5000)), 1, &calls);
  int redirects = 0;
  for (const auto& e : calls.started) {
    if (e.node != 1) continue;
    EXPECT_EQ(e.input_tokens, 100) << orchestration::to_string(e.kind);
    redirects += e.kind == AttemptKind::kRedirect;
  }
  EXPECT_EQ(redirects, 10);
}

TEST(SilentBug8, DecomposedPartsShareTheFittedInput) {
  // The decompose agent's window is 1,000 tokens, the context 5,100: the
  // parts split what fits that window (truncate_oldest), not the whole context.
  const std::string nodes =
      R"({ "name": "retrieve", "type": "call", "agents": ["docs"], "next": "ask" },
         { "name": "ask", "type": "call", "agents": ["slow"],
           "time_budget": { "budget_ms": 100, "action": "decompose", "agent": "worker", "parts": 4 },
           "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const std::string agents = agent("docs", 1, R"("tokens": { "output_tokens": 5000 })") + ", " +
                             agent("slow", 1000) + ", " +
                             agent("worker", 10, R"("context_window_tokens": 1000)");
  CallCounter calls;
  run(parse(scenario(agents, nodes, "retrieve", 10, 5000)), 1, &calls);
  int parts = 0;
  for (const auto& e : calls.started) {
    if (e.kind != AttemptKind::kDecompose) continue;
    EXPECT_EQ(e.input_tokens, 250);
    ++parts;
  }
  EXPECT_EQ(parts, 40);
}

TEST(SilentBug8, HedgeWaitsForTheSummaryItsContextNeeds) {
  // The context (5,100 tokens) exceeds the answerer's window (2,000) and is
  // summarized first (500 ms). A hedge due 100 ms after the step began used
  // to go out with the unfitted context and fail with context_overflow; it
  // now starts 100 ms after the first attempt, with the fitted context.
  const std::string nodes =
      R"({ "name": "retrieve", "type": "call", "agents": ["docs"], "next": "ask" },
         { "name": "ask", "type": "call", "agents": ["answerer"],
           "context": { "fit": "summarize", "summarizer": "summarizer" },
           "hedge": { "max_extra_attempts": 1, "delay_ms": 100 }, "next": "done" },
         { "name": "done", "type": "terminal", "success": true })";
  const std::string agents = agent("docs", 1, R"("tokens": { "output_tokens": 5000 })") + ", " +
                             agent("answerer", 1000, R"("context_window_tokens": 2000)") + ", " +
                             agent("summarizer", 500, R"("tokens": { "output_tokens": 300 })");
  CallCounter calls;
  const auto m = metrics_of(run(parse(scenario(agents, nodes, "retrieve", 10, 5000)), 1, &calls));
  EXPECT_EQ(m["agents"][1]["errors"]["context_overflow"], 0);
  EXPECT_EQ(calls.of_kind(AttemptKind::kHedge), 10u);
  std::map<orchestration::RequestId, sim::Time> first;
  for (const auto& e : calls.started) {
    if (e.node == 1 && e.kind == AttemptKind::kFirst) first[e.request] = e.at;
  }
  for (const auto& e : calls.started) {
    if (e.kind != AttemptKind::kHedge) continue;
    EXPECT_EQ(e.at - first[e.request], sim::Duration::milliseconds(100));
    EXPECT_LE(e.input_tokens, 2000);
  }
}

// --- Bug 9: a cascade's first tier was never logged --------------------------

TEST(SilentBug9, EveryCascadeTierChoiceIsARoutingDecision) {
  const auto s = parse(R"({
    "version": 1, "name": "cascade",
    "run": { "seed": 1, "requests": 500 },
    "agents": [
      { "name": "cheap", "servers": 100, "latency": { "base_ms": 10 },
        "quality": { "confidence_noise_sd": 0.3 } },
      { "name": "strong", "servers": 100, "latency": { "base_ms": 50 } } ],
    "workload": { "arrivals": { "poisson": { "rate_per_s": 20 } },
                  "classes": [ { "name": "c", "input_tokens": 100, "difficulty": { "uniform": { "min": 0, "max": 1 } } } ] },
    "workflow": { "entry": "answer", "nodes": [
      { "name": "answer", "type": "call", "agents": ["cheap", "strong"],
        "routing": { "policy": "cascade", "tiers": ["cheap", "strong"], "accept_confidence": 0.7 },
        "next": "done" },
      { "name": "done", "type": "terminal", "success": true } ] }
  })");
  const auto m = metrics_of(run(s, 1));
  std::map<std::string, std::uint64_t> decisions;
  for (const auto& d : m["routing"]["decisions"]) {
    decisions[d["agent"].get<std::string>()] = d["count"].get<std::uint64_t>();
  }
  // Every call is a decision: the cheap tier for each request's first call,
  // the strong tier for each escalation.
  EXPECT_EQ(decisions["cheap"], m["agents"][0]["calls_started"].get<std::uint64_t>());
  EXPECT_EQ(decisions["strong"], m["agents"][1]["calls_started"].get<std::uint64_t>());
  EXPECT_GT(decisions["strong"], 0u);
}

// --- Bug 10: the edge after a join was attributed to the fan-out -----------

TEST(SilentBug10, EdgeAfterAJoinLeavesTheJoin) {
  const auto s = parse(R"({
    "version": 1, "name": "fan",
    "run": { "seed": 1, "requests": 200 },
    "agents": [ { "name": "a", "servers": 100, "latency": { "base_ms": 10 } } ],
    "workload": { "arrivals": { "poisson": { "rate_per_s": 20 } },
                  "classes": [ { "name": "c", "input_tokens": 100 } ] },
    "workflow": { "entry": "fan", "nodes": [
      { "name": "fan", "type": "fan_out", "branches": ["x", "y"], "join": "merge" },
      { "name": "x", "type": "call", "agents": ["a"], "next": "merge" },
      { "name": "y", "type": "call", "agents": ["a"], "next": "merge" },
      { "name": "merge", "type": "join", "policy": "all", "next": "generate" },
      { "name": "generate", "type": "call", "agents": ["a"], "next": "done" },
      { "name": "done", "type": "terminal", "success": true } ] }
  })");
  const auto m = metrics_of(run(s, 1));
  std::map<std::string, std::uint64_t> edges;
  for (const auto& e : m["routing"]["edges"]) {
    edges[e["from"].get<std::string>() + "->" + e["to"].get<std::string>()] =
        e["count"].get<std::uint64_t>();
  }
  EXPECT_EQ(edges["merge->generate"], 200u);
  EXPECT_EQ(edges.count("fan->generate"), 0u);
}

}  // namespace
}  // namespace orchsim::validation::silent_bugs_test
