// Sub-workflows as call targets: each attempt of the calling step runs the
// sub-workflow once (an invocation) with its own nodes, routing, retries,
// timeouts and retry budget; its result comes back as the call's output;
// the caller's timeout cancels everything inside; retries at every level
// compose (a^N calls at the bottom of N layers of a attempts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::sub_workflow_test {
namespace {

using namespace sim::literals;
using mock_agents::MockAgentConfig;
using testing::at;
using testing::call_node;
using testing::Harness;
using testing::terminal;

MockAgentConfig agent(const std::string& name, double latency_ms, double quality = 0.9) {
  MockAgentConfig c;
  c.name = name;
  c.servers = 1000;
  c.latency.base_ms = sim::Distribution::constant(latency_ms);
  c.tokens.output_tokens = sim::Distribution::constant(100);
  c.tokens.usd_per_1k_input_tokens = 0.001;
  c.tokens.usd_per_1k_output_tokens = 0.002;
  c.quality.base = quality;
  c.quality.difficulty_weight = 0.0;
  c.quality.input_weight = 0.0;
  c.quality.noise_sd = 0.0;
  c.quality.confidence_noise_sd = 0.0;
  return c;
}

// A call node without agents: it will run a sub-workflow.
Node sub_call(std::string name, NodeId next) { return call_node(std::move(name), {}, next); }

RetryConfig no_wait_retries(std::uint32_t attempts) {
  RetryConfig r;
  r.max_attempts = attempts;
  r.backoff.shape = BackoffShape::kConstant;
  r.backoff.jitter = Jitter::kNone;
  r.backoff.base = 1_ms;
  return r;
}

// top: ask (runs "rag") -> review (agent 2) -> done
// rag: retrieve (agent 0, evidence) -> generate (agent 1, answer) -> ok
Workflow rag_as_a_service() {
  Workflow wf;
  wf.nodes = {sub_call("ask", 1), call_node("review", {2}, 2), terminal("done")};
  wf.nodes[1].call.input = QualityChannel::kAnswer;
  wf.nodes[1].call.output = QualityChannel::kNone;
  Node retrieve = call_node("retrieve", {0}, 1);
  retrieve.call.input = QualityChannel::kNone;
  retrieve.call.output = QualityChannel::kEvidence;
  retrieve.call.output_segment = SegmentKind::kDocument;
  wf.nodes[0].call.sub_workflow =
      wf.add_sub_workflow("rag", {retrieve, call_node("generate", {1}, 2), terminal("ok")});
  return wf;
}

TEST(SubWorkflow, AddSubWorkflowShiftsEdgesAndNamesNodes) {
  Workflow wf = rag_as_a_service();
  ASSERT_EQ(wf.nodes.size(), 6u);
  ASSERT_EQ(wf.sub_workflows.size(), 1u);
  const SubWorkflow& rag = wf.sub_workflows[0];
  EXPECT_EQ(rag.first, 3u);
  EXPECT_EQ(rag.count, 3u);
  EXPECT_EQ(rag.entry, 3u);
  EXPECT_EQ(wf.nodes[3].name, "rag/retrieve");
  EXPECT_EQ(wf.nodes[3].next, 4u);
  EXPECT_EQ(wf.nodes[4].next, 5u);
  EXPECT_EQ(wf.scope_of(4), 0u);
  EXPECT_EQ(wf.scope_of(1), kNoSubWorkflow);
  EXPECT_EQ(wf.validate(3), std::vector<std::string>{});
}

TEST(SubWorkflow, TheRunsResultIsTheCallsOutputAndItsCallsAreItsAgents) {
  Harness h({agent("retriever", 10, 0.8), agent("generator", 100, 0.7), agent("reviewer", 20)},
            rag_as_a_service());
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 1u);
  const RequestFinished& f = h.obs.finished[0];
  EXPECT_TRUE(f.success);
  EXPECT_EQ(f.calls, 3u);  // retrieve and generate inside, review outside: agent calls only
  EXPECT_EQ(f.latency, 130_ms);
  EXPECT_DOUBLE_EQ(f.quality, 0.7);  // the generator's answer, returned by the run
  // Calls are attributed to the sub-workflow's own nodes and agents.
  ASSERT_EQ(h.obs.started.size(), 3u);
  EXPECT_EQ(h.obs.started[0].node, 3u);
  EXPECT_EQ(h.obs.started[0].agent, 0u);
  EXPECT_EQ(h.obs.started[1].node, 4u);
  EXPECT_EQ(h.obs.started[2].node, 1u);
  EXPECT_EQ(h.obs.started[0].invocation, 1u);
  EXPECT_EQ(h.obs.started[2].invocation, 0u);
  // The run sees the caller's context (query), adds its documents and
  // answer, and returns the answer as the call's output: review sees the
  // query and that output (the run's context stays inside it).
  EXPECT_EQ(h.obs.started[0].input_tokens, 50);
  EXPECT_EQ(h.obs.started[1].input_tokens, 150);
  EXPECT_EQ(h.obs.started[2].input_tokens, 150);
  // One run, ended once, with the sums of what happened inside.
  ASSERT_EQ(h.obs.runs_ended.size(), 1u);
  const SubWorkflowEnded& run = h.obs.runs_ended[0];
  EXPECT_EQ(run.end, CallEnd::kSuccess);
  EXPECT_EQ(run.outcome, "ok");
  EXPECT_EQ(run.calls, 2u);
  EXPECT_EQ(run.duration, 110_ms);
  double inner_cost = 0.0;
  for (const CallEnded& e : h.obs.ended) {
    if (e.invocation == 1) inner_cost += e.cost_usd;
  }
  EXPECT_DOUBLE_EQ(run.cost_usd, inner_cost);
  double all_cost = 0.0;
  for (const CallEnded& e : h.obs.ended) all_cost += e.cost_usd;
  EXPECT_NEAR(f.cost_usd, all_cost, 1e-15);  // billed once, not again for the run
  EXPECT_DOUBLE_EQ(run.quality, 0.7);
}

TEST(SubWorkflow, TheCallersTimeoutCancelsEverythingInside) {
  Workflow wf = rag_as_a_service();
  wf.nodes[0].call.attempt_timeout = 50_ms;
  wf.nodes[0].call.retry.max_attempts = 1;
  Harness h({agent("retriever", 10), agent("generator", 500), agent("reviewer", 20)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 1u);
  EXPECT_FALSE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].outcome, "timeout");
  EXPECT_EQ(h.obs.finished[0].latency, 50_ms);
  EXPECT_EQ(h.obs.finished[0].timeouts, 1u);
  // The generator's call, inside, is cancelled at the caller's limit.
  const auto cancelled = h.obs.ended_with(CallEnd::kCancelled);
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].node, 4u);
  EXPECT_EQ(cancelled[0].at, at(50_ms));
  ASSERT_EQ(h.obs.runs_ended.size(), 1u);
  EXPECT_EQ(h.obs.runs_ended[0].end, CallEnd::kTimeout);
  EXPECT_EQ(h.obs.runs_ended[0].at, at(50_ms));
}

TEST(SubWorkflow, ItsOwnTimeoutCancelsItsCallsAndTheCallerRetries) {
  Workflow wf = rag_as_a_service();
  wf.sub_workflows[0].timeout = 60_ms;
  wf.nodes[0].call.retry = no_wait_retries(2);
  Harness h({agent("retriever", 10), agent("generator", 500), agent("reviewer", 20)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 1u);
  EXPECT_FALSE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].latency, 121_ms);  // 60, 1 ms backoff, 60
  EXPECT_EQ(h.obs.runs_ended.size(), 2u);
  for (const auto& r : h.obs.runs_ended) EXPECT_EQ(r.end, CallEnd::kTimeout);
  EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), 2u);
  EXPECT_EQ(h.obs.finished[0].retries, 1u);
  EXPECT_EQ(h.obs.finished[0].calls, 4u);
}

// A service with work in flight at several depths when its time is up:
// top: ask (runs "svc") -> done
// svc: prep (agent 0, 20 ms) -> fan {slow (agent 1, 400 ms), deep (runs "deep")} -> join -> ok
// deep: map x3 of long (agent 2, 1000 ms) -> join -> ok
Workflow busy_service() {
  Workflow wf;
  wf.nodes = {sub_call("ask", 1), terminal("done")};
  Node map;
  map.name = "map";
  map.kind = NodeKind::kFanOut;
  map.fan_out.map_entry = 1;
  map.fan_out.map_count = 3;
  map.fan_out.join = 2;
  Node deep_join;
  deep_join.name = "join";
  deep_join.kind = NodeKind::kJoin;
  deep_join.next = 3;
  const SubWorkflowIndex deep =
      wf.add_sub_workflow("deep", {map, call_node("long", {2}, 2), deep_join, terminal("ok")});
  Node fan;
  fan.name = "fan";
  fan.kind = NodeKind::kFanOut;
  fan.fan_out.branches = {2, 3};
  fan.fan_out.join = 4;
  Node join = deep_join;
  join.next = 5;
  Node deep_call = sub_call("deep", 4);
  deep_call.call.sub_workflow = deep;
  wf.nodes[0].call.sub_workflow = wf.add_sub_workflow(
      "svc",
      {call_node("prep", {0}, 1), fan, call_node("slow", {1}, 4), deep_call, join, terminal("ok")});
  return wf;
}

TEST(SubWorkflow, ATimeoutCancelsEveryCallInsideAtEveryDepthAndNothingRunsPastIt) {
  // The caller's attempt timeout, or svc's own: at 150 ms prep has answered
  // (20 ms) and slow plus the three long calls, two runs deep, are in
  // flight. Each of them ends exactly once (the observer checks), cancelled
  // at 150 ms; nothing of a run starts or ends after the run ended. With a
  // second attempt, the same again from 151 ms (1 ms backoff) to 301 ms.
  struct Case {
    const char* name;
    bool own_timeout;
    std::uint32_t attempts;
  };
  for (const Case& c : {Case{"caller's timeout", false, 1}, Case{"caller's, retried", false, 2},
                        Case{"its own timeout", true, 1}, Case{"its own, retried", true, 2}}) {
    SCOPED_TRACE(c.name);
    Workflow wf = busy_service();
    if (c.own_timeout) {
      wf.sub_workflows[1].timeout = 150_ms;  // svc
    } else {
      wf.nodes[0].call.attempt_timeout = 150_ms;
    }
    wf.nodes[0].call.retry = no_wait_retries(c.attempts);
    Harness h({agent("prep", 20), agent("slow", 400), agent("long", 1000)}, wf);
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_FALSE(h.obs.finished[0].success);
    const sim::Duration end = 150_ms * c.attempts + 1_ms * (c.attempts - 1);
    EXPECT_EQ(h.obs.finished[0].latency, end);
    EXPECT_EQ(h.obs.started.size(), 5u * c.attempts);
    EXPECT_EQ(h.obs.ended.size(), h.obs.started.size());
    EXPECT_EQ(h.obs.ended_with(CallEnd::kSuccess).size(), c.attempts);  // prep
    const auto cancelled = h.obs.ended_with(CallEnd::kCancelled);
    ASSERT_EQ(cancelled.size(), 4u * c.attempts);
    for (std::uint32_t i = 0; i < cancelled.size(); ++i) {
      const std::uint32_t attempt = i / 4;  // the cancelled calls of attempt 1 come first
      EXPECT_EQ(cancelled[i].at, at(150_ms * (attempt + 1) + 1_ms * attempt));
    }
    // Runs: svc and deep per attempt; svc ends as a timeout, deep cancelled with it.
    ASSERT_EQ(h.obs.runs_ended.size(), 2u * c.attempts);
    std::map<std::uint32_t, SubWorkflowEnded> run;
    for (const auto& r : h.obs.runs_ended) {
      run[r.invocation] = r;
      EXPECT_EQ(r.end, r.sub_workflow == 1 ? CallEnd::kTimeout : CallEnd::kCancelled);
    }
    // Nothing of a run (or of a run inside it) starts or ends after it ended.
    const auto latest = [&](std::uint32_t invocation) {
      sim::Time t = sim::Time::max();
      for (auto it = run.find(invocation); it != run.end(); it = run.find(it->second.parent)) {
        t = std::min(t, it->second.at);
      }
      return t;
    };
    for (const auto& e : h.obs.started) {
      ASSERT_NE(e.invocation, 0u);  // every call is inside a run
      EXPECT_LT(e.at, latest(e.invocation));
    }
    for (const auto& e : h.obs.ended) EXPECT_LE(e.at, latest(e.invocation));
  }
}

// N layers: layer k (k < N) is a sub-workflow whose one call node runs layer
// k + 1 with `attempts` attempts; the last layer calls the agent with
// `attempts`. The top level's one call node runs layer 1.
Workflow layers(std::uint32_t n, std::uint32_t attempts) {
  Workflow wf;
  wf.nodes = {call_node("top", {}, 1), terminal("done")};
  wf.nodes[0].call.retry = no_wait_retries(attempts);
  std::vector<SubWorkflowIndex> index(n);
  // The deepest first, so that every layer can name the one below.
  SubWorkflowIndex below = kNoSubWorkflow;
  for (std::uint32_t k = n - 1; k >= 1; --k) {
    Node c = call_node(
        "call", below == kNoSubWorkflow ? std::vector<AgentIndex>{0} : std::vector<AgentIndex>{},
        1);
    c.call.sub_workflow = below;
    c.call.retry = no_wait_retries(attempts);
    below = wf.add_sub_workflow("layer" + std::to_string(k), {c, terminal("ok")});
  }
  if (n == 1) {
    wf.nodes[0].call.agents = {0};
  } else {
    wf.nodes[0].call.sub_workflow = below;
  }
  return wf;
}

TEST(SubWorkflow, NestedRetriesGiveExactlyAToTheNBottomCallsWhenEverythingFails) {
  for (const std::uint32_t a : {2u, 3u}) {
    for (const std::uint32_t n : {1u, 2u, 3u, 5u}) {
      SCOPED_TRACE(::testing::Message() << a << " attempts, " << n << " layers");
      auto bottom = agent("bottom", 1);
      bottom.outcomes.transient_error = 1.0;
      const Workflow wf = layers(n, a);
      Harness h({bottom}, wf);
      h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
      h.run();
      ASSERT_EQ(h.obs.finished.size(), 1u);
      EXPECT_FALSE(h.obs.finished[0].success);
      EXPECT_EQ(h.obs.finished[0].outcome, "transient");
      const auto expected = static_cast<std::uint32_t>(std::pow(a, n));
      EXPECT_EQ(h.obs.started.size(), expected);
      EXPECT_EQ(h.obs.finished[0].calls, expected);
      // Runs of layer k: a^k (each of the a^(k-1) attempts above runs it
      // once), each ended once, as an error: a + a^2 + ... + a^(N-1) in all.
      std::map<std::string, std::uint32_t> runs_of;
      for (const auto& r : h.obs.runs_started) ++runs_of[wf.sub_workflows[r.sub_workflow].name];
      std::uint32_t runs = 0;
      for (std::uint32_t k = 1; k < n; ++k) {
        const auto per_layer = static_cast<std::uint32_t>(std::pow(a, k));
        EXPECT_EQ(runs_of["layer" + std::to_string(k)], per_layer) << "layer " << k;
        runs += per_layer;
      }
      EXPECT_EQ(h.obs.runs_started.size(), runs);
      EXPECT_EQ(h.obs.runs_ended.size(), runs);
      for (const auto& r : h.obs.runs_ended) EXPECT_EQ(r.end, CallEnd::kError);
      // Every step at every level retried a - 1 times: a^N - 1 retries in all.
      EXPECT_EQ(h.obs.finished[0].retries, expected - 1);
    }
  }
}

TEST(SubWorkflow, ARetryBudgetPerLayerCutsTheAmplification) {
  const std::uint32_t a = 3, n = 3;
  auto bottom = agent("bottom", 1);
  bottom.outcomes.transient_error = 1.0;
  std::size_t unlimited = 0, budgeted = 0;
  for (const bool budget : {false, true}) {
    Workflow wf = layers(n, a);
    if (budget) {
      // Each layer throttles its own retries: 2 tokens, a retry needs more than 1.
      for (SubWorkflow& sub : wf.sub_workflows) {
        sub.retry_budget = RetryBudgetConfig::grpc(2, 0.1);
      }
    }
    Harness h({bottom}, wf);
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    (budget ? budgeted : unlimited) = h.obs.started.size();
  }
  EXPECT_EQ(unlimited, 27u);
  // Each budget starts full (2 tokens) and a failed attempt takes one: after
  // its first failure a layer's bucket holds 1, not more than half, so no
  // layer inside retries again, and only the top level (unlimited) does. Each
  // of its a runs reaches the bottom once: a calls instead of a^N.
  EXPECT_EQ(budgeted, a);
}

// A token bucket (gRPC) of M tokens admits a retry while tokens > M/2; each
// failed attempt takes one and nothing succeeds here, so after its layer's
// j-th failure (over all its runs) a retry is admitted only while j < M/2.
TEST(SubWorkflow, ARetryBudgetOfOneRetryPerLayerLeavesAPlusNMinusOneBottomCalls) {
  // M = 4 at every layer below the top (which retries freely, a attempts):
  // each layer retries once in all, so each layer runs the next once more
  // than it is run. Runs of layer 1: a; of layer k: a + k - 1; calls at the
  // bottom (layer N-1's attempts): a + N - 1, where a^N without budgets.
  // Denials: with a >= 3 every run of a budgeted layer ends on a denied retry
  // (the run that retried still had attempts left), so sum over k of (a + k - 1).
  const std::uint32_t a = 3;
  for (const std::uint32_t n : {2u, 3u, 5u}) {
    SCOPED_TRACE(::testing::Message() << n << " layers");
    auto bottom = agent("bottom", 1);
    bottom.outcomes.transient_error = 1.0;
    Workflow wf = layers(n, a);
    for (SubWorkflow& sub : wf.sub_workflows) sub.retry_budget = RetryBudgetConfig::grpc(4, 0.1);
    Harness h({bottom}, wf);
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_FALSE(h.obs.finished[0].success);
    EXPECT_EQ(h.obs.started.size(), a + n - 1);
    std::map<std::string, std::uint32_t> runs_of;
    for (const auto& r : h.obs.runs_started) ++runs_of[wf.sub_workflows[r.sub_workflow].name];
    std::uint32_t denials = 0;
    for (std::uint32_t k = 1; k < n; ++k) {
      EXPECT_EQ(runs_of["layer" + std::to_string(k)], a + k - 1) << "layer " << k;
      denials += a + k - 1;
    }
    std::uint32_t exhausted = 0;
    for (const auto& e : h.obs.exhausted)
      exhausted += e.kind == BudgetExhausted::Kind::kRetryBudget;
    EXPECT_EQ(exhausted, denials);
  }
}

TEST(SubWorkflow, ARetryBudgetAtTheBottomLayerOnlyAdmitsItsTokensWorthOfRetries) {
  // M = 10 at the bottom layer only, whose R = a^(N-1) runs the layers above
  // make (they retry freely). Each of its first M/2 = 5 failures but the
  // last is followed by another call, a retry while the run has attempts
  // left: run 1 makes 3 calls, run 2 two (the 5th failure leaves 5 tokens,
  // not more than half), every later run one: 5 + (R - 2) = R + 3 calls at
  // the bottom, where R * a without the budget.
  const std::uint32_t a = 3;
  for (const std::uint32_t n : {2u, 3u, 4u}) {
    SCOPED_TRACE(::testing::Message() << n << " layers");
    auto bottom = agent("bottom", 1);
    bottom.outcomes.transient_error = 1.0;
    Workflow wf = layers(n, a);
    wf.sub_workflows.front().retry_budget = RetryBudgetConfig::grpc(10, 0.1);  // the deepest
    Harness h({bottom}, wf);
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    const auto runs = static_cast<std::uint32_t>(std::pow(a, n - 1));
    EXPECT_EQ(h.obs.started.size(), runs + 3);
    // Denied: run 2's second retry, then every later run's first.
    std::uint32_t exhausted = 0;
    for (const auto& e : h.obs.exhausted)
      exhausted += e.kind == BudgetExhausted::Kind::kRetryBudget;
    EXPECT_EQ(exhausted, runs - 1);
  }
}

TEST(SubWorkflow, EachRunMeetsAFreshWorldSoOuterRetriesCanSucceed) {
  // Inside: one attempt on an agent failing half the time. Outside: up to 5
  // runs. Were the runs keyed alike, a request would fail or succeed on its
  // first run; with fresh draws many succeed on a later one.
  auto coin = agent("coin", 1);
  coin.outcomes.transient_error = 0.5;
  Workflow wf = layers(2, 1);
  wf.nodes[0].call.retry = no_wait_retries(5);
  Harness h({coin}, wf);
  h.submit_every(400, 10_ms, 10);
  h.run();
  std::size_t later = 0, ok = 0;
  for (const auto& f : h.obs.finished) {
    ok += f.success;
    later += f.success && f.retries > 0;
  }
  EXPECT_GT(later, 100u);
  EXPECT_GT(ok, 350u);  // 1 - 0.5^5 = 97%
}

TEST(SubWorkflow, AHedgedRunIsCancelledWithItsCallsWhenTheOtherWins) {
  Workflow wf = rag_as_a_service();
  wf.nodes[0].call.hedge.max_extra_attempts = 1;
  wf.nodes[0].call.hedge.delay = 20_ms;
  auto slow_then_fast = agent("generator", 100);
  Harness h({agent("retriever", 10), slow_then_fast, agent("reviewer", 20)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 1u);
  EXPECT_TRUE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].hedges, 1u);
  ASSERT_EQ(h.obs.runs_ended.size(), 2u);
  EXPECT_EQ(h.obs.runs_ended[0].end, CallEnd::kSuccess);
  EXPECT_EQ(h.obs.runs_ended[1].end, CallEnd::kCancelled);
  // The hedge's generator call was still running: cancelled with its run.
  EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), 1u);
}

TEST(SubWorkflow, AFailedRunFallsBackToAnAgent) {
  Workflow wf = rag_as_a_service();
  wf.nodes[0].call.fallback_agents = {2};
  auto broken = agent("generator", 10);
  broken.outcomes.permanent_error = 1.0;
  Harness h({agent("retriever", 10), broken, agent("reviewer", 20)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  EXPECT_TRUE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].fallbacks, 1u);
  EXPECT_EQ(h.obs.run_outcomes, std::vector<std::string>{"permanent"});
}

TEST(SubWorkflow, InnerVisitsAreCountedPerRun) {
  // Inside: a loop of at most 2 visits that always goes round. Each of the
  // caller's 3 runs gets its own 2 visits (6 calls), not 2 for the request.
  Workflow wf;
  wf.nodes = {call_node("ask", {}, 1), terminal("done")};
  wf.nodes[0].call.retry = no_wait_retries(3);
  Node loop = call_node("again", {0}, 0);  // next: itself
  loop.max_visits = 2;
  loop.exhausted_is_success = false;
  wf.nodes[0].call.sub_workflow = wf.add_sub_workflow("svc", {loop});
  Harness h({agent("a", 1)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
  h.run();
  EXPECT_FALSE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].calls, 6u);
  EXPECT_EQ(h.obs.run_outcomes,
            (std::vector<std::string>{"loop_exhausted", "loop_exhausted", "loop_exhausted"}));
}

TEST(SubWorkflow, FanOutThreeDeepAndSubWorkflowsTwoDeepConserveEverything) {
  // The issue's "done means": fan-out three levels deep inside a sub-workflow
  // that runs another sub-workflow, with failures, retries and timeouts.
  Workflow wf;
  wf.nodes = {call_node("outer", {}, 1), terminal("done")};
  wf.nodes[0].call.retry = no_wait_retries(2);
  wf.nodes[0].call.attempt_timeout = 300_ms;
  // inner: a map of maps of maps of one call (retried).
  Node m1, m2, m3, j1, j2, j3;
  for (auto* m : {&m1, &m2, &m3}) m->kind = NodeKind::kFanOut;
  m1.name = "m1";
  m2.name = "m2";
  m3.name = "m3";
  m1.fan_out = {.branches = {}, .map_entry = 1, .map_count = 2, .join = 6};
  m2.fan_out = {.branches = {}, .map_entry = 2, .map_count = 2, .join = 5};
  m3.fan_out = {.branches = {}, .map_entry = 3, .map_count = 2, .join = 4};
  for (auto* j : {&j1, &j2, &j3}) j->kind = NodeKind::kJoin;
  j3.name = "j3";
  j2.name = "j2";
  j1.name = "j1";
  j3.next = 5;
  j2.next = 6;
  j1.next = 7;
  j3.join.on_branch_failure = BranchFailure::kWaitAll;
  Node leaf = call_node("leaf", {0}, 4);
  leaf.call.retry = no_wait_retries(2);
  leaf.call.attempt_timeout = 80_ms;
  const SubWorkflowIndex inner =
      wf.add_sub_workflow("inner", {m1, m2, m3, leaf, j3, j2, j1, terminal("ok")});
  Node mid = call_node("mid", {}, 1);
  mid.call.sub_workflow = inner;
  mid.call.retry = no_wait_retries(2);
  wf.nodes[0].call.sub_workflow = wf.add_sub_workflow("middle", {mid, terminal("ok")});
  auto worker = agent("worker", 10);
  worker.latency.base_ms = sim::Distribution::exponential_mean(40.0);
  worker.outcomes.transient_error = 0.4;
  Harness h({worker}, wf);
  for (std::uint64_t i = 0; i < 300; ++i) {
    const auto t = sim::Duration::milliseconds(static_cast<std::int64_t>(i * 5));
    h.submit_at(at(t), {.id = i, .input_tokens = 20, .deadline = at(t + 1_s)});
  }
  h.run();  // every request, call and run ends once; nothing in flight
  EXPECT_EQ(h.obs.finished.size(), 300u);
  EXPECT_EQ(h.obs.runs_started.size(), h.obs.runs_ended.size());
  std::size_t ok = 0;
  for (const auto& f : h.obs.finished) ok += f.success;
  EXPECT_GT(ok, 0u);
  EXPECT_LT(ok, 300u);
  // Runs two deep: invocations inside invocations.
  std::size_t nested = 0;
  for (const auto& r : h.obs.runs_started) nested += r.parent != 0;
  EXPECT_GT(nested, 0u);
}

TEST(SubWorkflow, SameSeedSameEvents) {
  const auto run = [] {
    auto coin = agent("coin", 1);
    coin.outcomes.transient_error = 0.3;
    coin.latency.base_ms = sim::Distribution::exponential_mean(5.0);
    Harness h({coin}, layers(3, 2));
    h.submit_every(100, 3_ms, 10);
    h.run();
    std::vector<std::tuple<std::int64_t, RequestId, NodeId, std::uint32_t, int>> out;
    for (const CallEnded& e : h.obs.ended) {
      out.emplace_back(e.at.count_ns(), e.request, e.node, e.invocation, static_cast<int>(e.end));
    }
    return out;
  };
  EXPECT_EQ(run(), run());
}

TEST(SubWorkflow, ValidateRejectsRecursionUnusedSubWorkflowsAndEdgesAcrossLevels) {
  Workflow wf;
  wf.nodes = {call_node("top", {}, 1), terminal("done")};
  Node a = call_node("call_b", {}, 1);
  a.call.sub_workflow = 1;
  Node b = call_node("call_a", {}, 1);
  b.call.sub_workflow = 0;
  wf.add_sub_workflow("a", {a, terminal("ok")});
  wf.add_sub_workflow("b", {b, terminal("ok")});
  wf.nodes[0].call.sub_workflow = 0;
  const auto problems = wf.validate(1);
  const auto has = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("calls itself (a -> b -> a)")) << ::testing::PrintToString(problems);

  Workflow unused = rag_as_a_service();
  unused.add_sub_workflow("spare", {terminal("ok")});
  EXPECT_EQ(unused.validate(3),
            std::vector<std::string>{"spare: no call node runs this sub-workflow"});

  Workflow crossing = rag_as_a_service();
  crossing.nodes[4].next = 1;  // rag/generate -> review, a node of the top level
  const auto p = crossing.validate(3);
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p[0].find("rag/generate: edge to review, a node of the top level, expected one of "
                      "sub-workflow rag"),
            std::string::npos)
      << p[0];

  Workflow both = rag_as_a_service();
  both.nodes[0].call.agents = {0};
  EXPECT_EQ(both.validate(3),
            std::vector<std::string>{"ask: names agents and a sub-workflow, expected one"});
}

TEST(OnRevisit, TheSecondVisitSendsWhatTheRuleSays) {
  // retrieve -> check (a critic that never passes) -> back to retrieve, at
  // most 3 visits. From the second visit on, retrieval goes to the deep
  // retriever and returns twice the tokens: the generator's input grows.
  Workflow wf;
  Node gate;
  gate.name = "grounded";
  gate.kind = NodeKind::kGate;
  gate.gate.rules = {{{.what = Condition::What::kVerdictPass}, 4}};
  gate.gate.otherwise = 0;
  wf.nodes = {call_node("retrieve", {0}, 1), call_node("generate", {2}, 2),
              call_node("critic", {3}, 3), gate, terminal("answered")};
  wf.nodes[0].call.output = QualityChannel::kEvidence;
  wf.nodes[0].call.output_segment = SegmentKind::kDocument;
  wf.nodes[0].max_visits = 3;
  Revisit deeper{.from_visit = 2, .call = wf.nodes[0].call};
  deeper.call.agents = {1};
  deeper.call.output_tokens_factor = 2.0;
  wf.nodes[0].on_revisit = {deeper};
  wf.nodes[2].call.output = QualityChannel::kNone;
  wf.nodes[2].call.include_context = false;
  wf.nodes[2].call.output_to_context = false;
  auto judge = agent("critic", 10);
  judge.judge = {.enabled = true, .accuracy = 1.0, .pass_threshold = 0.999};
  Harness h({agent("retriever", 10), agent("deep_retriever", 30), agent("generator", 10), judge},
            wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  std::vector<AgentIndex> retrievers;
  std::vector<std::int64_t> retrieved, generator_input;
  for (const CallEnded& e : h.obs.ended) {
    if (e.node == 0) {
      retrievers.push_back(e.agent);
      retrieved.push_back(e.output_tokens);
    }
    if (e.node == 1) generator_input.push_back(e.input_tokens);
  }
  EXPECT_EQ(retrievers, (std::vector<AgentIndex>{0, 1, 1}));
  EXPECT_EQ(retrieved, (std::vector<std::int64_t>{100, 200, 200}));
  // Context grows by what each round retrieved and generated.
  EXPECT_EQ(generator_input, (std::vector<std::int64_t>{150, 450, 750}));
  EXPECT_EQ(h.obs.finished[0].outcome, "best_so_far");
}

// The policy of a visit is the one its rule names, and so are its hooks: a
// cascade on the second visit declines the first tier's answer and escalates,
// though the node's own policy (static) never declines anything.
TEST(OnRevisit, TheRulesRoutingPolicyDecidesWhatItAcceptsOnItsVisits) {
  Workflow wf;
  Node again;
  again.name = "again";
  again.kind = NodeKind::kGate;
  again.gate.rules = {{{.what = Condition::What::kVisitsAtLeast, .node = 0, .count = 2}, 2}};
  again.gate.otherwise = 0;
  wf.nodes = {call_node("ask", {0, 1}, 1), again, terminal("done")};
  wf.nodes[0].max_visits = 3;  // the gate ends it after two
  Revisit cascade{.from_visit = 2, .call = wf.nodes[0].call};
  cascade.call.routing =
      RoutingConfig::named("cascade", R"({"tiers": ["small", "large"], "accept_confidence": 1.0})");
  wf.nodes[0].on_revisit = {cascade};
  Harness h({agent("small", 10), agent("large", 10)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 50});
  h.run();
  std::vector<AgentIndex> asked;
  for (const CallEnded& e : h.obs.ended) asked.push_back(e.agent);
  // Visit 1: static, small. Visit 2: the cascade's small, declined, then large.
  EXPECT_EQ(asked, (std::vector<AgentIndex>{0, 0, 1}));
  EXPECT_EQ(h.obs.finished.size(), 1u);
}

TEST(OnRevisit, RulesMustComeInIncreasingVisitsFromTheSecond) {
  Workflow wf;
  wf.nodes = {call_node("a", {0}, 1), terminal("done")};
  wf.nodes[0].on_revisit = {{.from_visit = 1, .call = wf.nodes[0].call}};
  EXPECT_EQ(wf.validate(1), std::vector<std::string>{"a: on_revisit 0: from_visit 1 must be > 1"});
  wf.nodes[0].on_revisit = {{.from_visit = 3, .call = wf.nodes[0].call},
                            {.from_visit = 3, .call = wf.nodes[0].call}};
  EXPECT_EQ(wf.validate(1), std::vector<std::string>{"a: on_revisit 1: from_visit 3 must be > 3"});
  wf.nodes[0].on_revisit = {{.from_visit = 2, .call = wf.nodes[0].call}};
  wf.nodes[0].on_revisit[0].call.agents = {5};
  EXPECT_EQ(wf.validate(1),
            std::vector<std::string>{"a: on_revisit 0: agent 5 is not an agent (there are 1)"});
}

}  // namespace
}  // namespace orchsim::orchestration::sub_workflow_test
