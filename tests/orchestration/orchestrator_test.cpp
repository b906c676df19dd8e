// The orchestrator end to end, with mock agents: one test per mechanism, each
// also checking the invariants (see recording_observer.hpp).
#include "orchestration/orchestrator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "mock_agents/mock_agent.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::orchestrator_test {
namespace {

using namespace sim::literals;
using mock_agents::MockAgent;
using mock_agents::MockAgentConfig;
using testing::at;
using testing::call_node;
using testing::Harness;
using testing::terminal;

MockAgentConfig agent(const std::string& name, double latency_ms, std::uint32_t servers = 100) {
  MockAgentConfig c;
  c.name = name;
  c.servers = servers;
  c.latency.base_ms = sim::Distribution::constant(latency_ms);
  c.tokens.output_tokens = sim::Distribution::constant(100);
  c.tokens.usd_per_1k_input_tokens = 0.001;
  c.tokens.usd_per_1k_output_tokens = 0.002;
  c.quality.noise_sd = 0.0;
  c.quality.confidence_noise_sd = 0.0;
  return c;
}

TEST(Orchestrator, SequentialChainPassesContextAndBillsEveryCall) {
  Workflow wf;
  wf.system_prompt_tokens = 200;
  wf.nodes = {call_node("retrieve", {0}, 1), call_node("generate", {1}, 2), terminal("answered")};
  wf.nodes[0].call.output = QualityChannel::kEvidence;
  wf.nodes[0].call.output_segment = SegmentKind::kDocument;
  Harness h({agent("retriever", 50), agent("generator", 400)}, wf);
  h.submit_at(at(0_s), {.id = 7, .input_tokens = 300});
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 1u);
  const RequestFinished& f = h.obs.finished[0];
  EXPECT_TRUE(f.success);
  EXPECT_EQ(f.outcome, "answered");
  EXPECT_EQ(f.latency, 450_ms);
  EXPECT_EQ(f.calls, 2u);
  ASSERT_EQ(h.obs.started.size(), 2u);
  EXPECT_EQ(h.obs.started[0].input_tokens, 500);        // system + query
  EXPECT_EQ(h.obs.started[1].input_tokens, 500 + 100);  // + the retrieved document
  EXPECT_EQ(f.input_tokens, 1100);
  EXPECT_EQ(f.output_tokens, 200);
  EXPECT_DOUBLE_EQ(f.cost_usd, 1.1 * 0.001 + 0.2 * 0.002);
  // The generator saw the retriever's quality as its input quality.
  EXPECT_DOUBLE_EQ(f.quality, 0.65 * 0.65);  // (0.9 - 0.5*0.5) for both, input weight 1
}

TEST(Orchestrator, ExponentialBackoffWithoutJitterSpacesRetriesExactly) {
  Workflow wf;
  wf.nodes = {call_node("flaky", {0}, 1), terminal("answered")};
  RetryConfig& r = wf.nodes[0].call.retry;
  r.max_attempts = 4;
  r.backoff = {BackoffShape::kExponential, Jitter::kNone, 100_ms, 1_s, 2.0};
  auto flaky = agent("flaky", 40);
  flaky.outcomes.transient_error = 1.0;
  flaky.outcomes.error_latency_fraction = 1.0;
  Harness h({flaky}, wf);
  h.submit_at(at(0_s), {.id = 1});
  h.run();
  ASSERT_EQ(h.obs.started.size(), 4u);
  // start, +40 ms error, +100 ms backoff, ... then +200, +400.
  EXPECT_EQ(h.obs.started[1].at, at(40_ms + 100_ms));
  EXPECT_EQ(h.obs.started[2].at, at(2 * 40_ms + 100_ms + 200_ms));
  EXPECT_EQ(h.obs.started[3].at, at(3 * 40_ms + 100_ms + 200_ms + 400_ms));
  ASSERT_EQ(h.obs.retries.size(), 3u);
  EXPECT_EQ(h.obs.retries[2].delay, 400_ms);
  EXPECT_EQ(h.obs.started[3].kind, AttemptKind::kRetry);
  ASSERT_EQ(h.obs.finished.size(), 1u);
  EXPECT_FALSE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].outcome, "transient");
  EXPECT_EQ(h.obs.finished[0].retries, 3u);
}

TEST(Orchestrator, NonRetryableErrorsAreNotRetriedButFallBack) {
  Workflow wf;
  wf.nodes = {call_node("step", {0}, 1), terminal("answered")};
  wf.nodes[0].call.retry.max_attempts = 5;
  wf.nodes[0].call.fallback_agents = {1};
  auto broken = agent("broken", 10);
  broken.outcomes.permanent_error = 1.0;
  Harness h({broken, agent("backup", 30)}, wf);
  h.submit_at(at(0_s), {.id = 1});
  h.run();
  ASSERT_EQ(h.obs.started.size(), 2u);
  EXPECT_EQ(h.obs.started[1].kind, AttemptKind::kFallback);
  EXPECT_EQ(h.obs.started[1].agent, 1u);
  EXPECT_TRUE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].fallbacks, 1u);
  EXPECT_TRUE(h.obs.retries.empty());
}

TEST(Orchestrator, RetryAfterIsHonoured) {
  Workflow wf;
  wf.nodes = {call_node("llm", {0}, 1), terminal("answered")};
  wf.nodes[0].call.retry.max_attempts = 2;
  wf.nodes[0].call.retry.backoff = {BackoffShape::kConstant, Jitter::kNone, 10_ms, 1_s, 1.0};
  auto limited = agent("provider", 20);
  limited.limits.requests_per_minute = 1;  // the second call must wait a minute
  Harness h({limited}, wf);
  h.submit_at(at(0_s), {.id = 1});
  h.submit_at(at(0_s), {.id = 2});
  h.run();
  ASSERT_EQ(h.obs.retries.size(), 1u);
  EXPECT_EQ(h.obs.retries[0].after_error, ErrorKind::kRateLimited);
  EXPECT_EQ(h.obs.retries[0].delay, 60_s);  // retry-after beats the 10 ms backoff
  EXPECT_EQ(h.orch->completed(), 2u);
}

TEST(Orchestrator, TimeoutsCancelTheCallAndNoCallOutlivesTheDeadline) {
  Workflow wf;
  wf.nodes = {call_node("slow", {0}, 1), terminal("answered")};
  wf.nodes[0].call.attempt_timeout = 1_s;
  wf.nodes[0].call.retry.max_attempts = 10;
  wf.nodes[0].call.retry.backoff = {BackoffShape::kConstant, Jitter::kNone, 100_ms, 1_s, 1.0};
  Harness h({agent("slow", 10'000)}, wf);
  h.submit_at(at(0_s), {.id = 1, .deadline = at(2500_ms)});
  h.run();
  // 0-1 s timeout, 1.1-2.1 s timeout, 2.2 s: capped by the deadline at 2.5 s.
  ASSERT_EQ(h.obs.ended.size(), 3u);
  for (const auto& e : h.obs.ended) {
    EXPECT_EQ(e.end, CallEnd::kTimeout);
    EXPECT_LE(e.at, at(2500_ms));
  }
  EXPECT_EQ(h.obs.ended[2].at, at(2500_ms));
  EXPECT_EQ(h.obs.finished[0].outcome, "deadline_exceeded");
  EXPECT_EQ(h.obs.finished[0].timeouts, 3u);
  // A timed-out call's prompt was processed: billed.
  EXPECT_EQ(h.obs.finished[0].input_tokens, 3 * 0);  // no query tokens in this request
  EXPECT_EQ(h.agents[0]->in_service(), 0u);          // the agent's servers were freed
}

TEST(Orchestrator, ACallThatAnOutageHangsStillTimesOut) {
  // Calls that will answer before their timeout arm none (the agent vouches
  // for the end), but one that a hanging outage will catch mid-call must:
  // 300 ms calls, a 1 s timeout, an outage that hangs calls from 10.1 s.
  Workflow wf;
  wf.nodes = {call_node("gen", {0}, 1), terminal("answered")};
  wf.nodes[0].call.attempt_timeout = 1_s;
  MockAgentConfig a = agent("gen", 300);
  a.faults = {{.kind = mock_agents::FaultWindow::Kind::kOutageHang,
               .start = at(10'100_ms),
               .end = at(60_s)}};
  Harness h({a}, wf);
  h.submit_at(at(0_s), {.id = 1});
  h.submit_at(at(10_s), {.id = 2});
  h.run();
  ASSERT_EQ(h.obs.ended.size(), 2u);
  EXPECT_EQ(h.obs.ended[0].end, CallEnd::kSuccess);
  EXPECT_EQ(h.obs.ended[0].at, at(300_ms));
  EXPECT_EQ(h.obs.ended[1].end, CallEnd::kTimeout);
  EXPECT_EQ(h.obs.ended[1].at, at(11_s));
  EXPECT_EQ(h.agents[0]->in_service(), 0u);
}

TEST(Orchestrator, HedgeWinsAndTheLoserIsCancelledButBilled) {
  Workflow wf;
  wf.nodes = {call_node("llm", {0}, 1), terminal("answered")};
  wf.nodes[0].call.hedge = {.max_extra_attempts = 1, .delay = 100_ms, .agents = {1}};
  auto slow = agent("primary", 1000);
  slow.latency.output_tokens_per_second = 100;  // 100 tokens over 1 s of generation
  slow.latency.base_ms = sim::Distribution::constant(0);
  Harness h({slow, agent("hedge", 200)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 1000});
  h.run();
  ASSERT_EQ(h.obs.hedges.size(), 1u);
  EXPECT_EQ(h.obs.hedges[0].at, at(100_ms));
  const auto cancelled = h.obs.ended_with(CallEnd::kCancelled);
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].agent, 0u);
  EXPECT_EQ(cancelled[0].at, at(300_ms));  // when the hedge answered
  EXPECT_EQ(cancelled[0].input_tokens, 1000);
  EXPECT_EQ(cancelled[0].output_tokens, 30);  // 30% of its generation had happened
  const RequestFinished& f = h.obs.finished[0];
  EXPECT_EQ(f.latency, 300_ms);
  EXPECT_EQ(f.hedges, 1u);
  EXPECT_EQ(f.input_tokens, 2000);
  EXPECT_EQ(f.output_tokens, 130);
}

TEST(Orchestrator, BreakerOpensAtItsThresholdThenRejectsWithoutCalling) {
  Workflow wf;
  wf.nodes = {call_node("llm", {0}, 1), terminal("answered")};
  wf.nodes[0].call.fallback_agents = {1};
  OrchestratorConfig oc;
  CircuitBreakerConfig b;
  b.window_size = 10;
  b.minimum_calls = 10;
  b.failure_rate_threshold = 50;
  b.open_duration = 30_s;
  b.half_open_calls = 2;
  oc.breaker = b;
  auto down = agent("down", 10);
  down.outcomes.transient_error = 1.0;
  Harness h({down, agent("backup", 10)}, wf, oc);
  for (std::uint64_t i = 0; i < 20; ++i)
    h.submit_at(at(sim::Duration::seconds(static_cast<std::int64_t>(i))), {.id = i});
  h.run();
  // Ten failures open the breaker at the tenth; requests 10..19 skip the agent.
  std::size_t calls_to_down = 0;
  for (const auto& s : h.obs.started) calls_to_down += s.agent == 0;
  EXPECT_EQ(calls_to_down, 10u);
  ASSERT_FALSE(h.obs.breaker_changes.empty());
  EXPECT_EQ(h.obs.breaker_changes[0].to, BreakerState::kOpen);
  EXPECT_EQ(h.obs.breaker_changes[0].at, at(9_s + 2500_us));  // the tenth call's error
  EXPECT_EQ(h.orch->completed(), 20u);                        // all served by the fallback
}

// A breaker that opens once half of four calls in its window failed.
OrchestratorConfig opens_after_four_calls(sim::Duration open_for) {
  CircuitBreakerConfig b;
  b.window_size = 4;
  b.minimum_calls = 4;
  b.failure_rate_threshold = 50;
  b.open_duration = open_for;
  b.half_open_calls = 1;
  OrchestratorConfig oc;
  oc.breaker = b;
  return oc;
}

MockAgentConfig failing_agent(const std::string& name) {
  MockAgentConfig c = agent(name, 10);
  c.outcomes.transient_error = 1.0;
  return c;
}

// Routing reads a breaker's state through the eligibility mask: a candidate
// whose breaker is open is skipped (static routing: the first eligible one).
TEST(Orchestrator, RoutingSkipsCandidatesWhoseBreakerIsOpen) {
  Workflow wf;
  wf.nodes = {call_node("llm", {0, 1, 2}, 1), terminal("answered")};
  Harness h({failing_agent("down0"), failing_agent("down1"), agent("up", 10)}, wf,
            opens_after_four_calls(100_s));
  for (std::uint64_t i = 0; i < 12; ++i) {
    h.submit_at(at(sim::Duration::seconds(static_cast<std::int64_t>(i))), {.id = i});
  }
  h.run();
  std::vector<AgentIndex> called;
  for (const auto& s : h.obs.started) called.push_back(s.agent);
  EXPECT_EQ(called, (std::vector<AgentIndex>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}));
  EXPECT_EQ(h.orch->completed(), 4u);
  EXPECT_EQ(h.orch->failed(), 8u);
}

// With every candidate's breaker open the step fails without a call; once a
// candidate's open period is over it is eligible again (a half-open probe),
// whether or not a later candidate is still open.
TEST(Orchestrator, EveryCandidateOpenFailsTheStepWithoutCallingUntilTheOpenPeriodEnds) {
  Workflow wf;
  wf.nodes = {call_node("llm", {0, 1}, 1), terminal("answered")};
  Harness h({failing_agent("down0"), failing_agent("down1")}, wf, opens_after_four_calls(20_s));
  // down0 opens at 3.01 s (until 23.01 s), down1 at 7.01 s (until 27.01 s).
  for (std::uint64_t i = 0; i < 10; ++i) {
    h.submit_at(at(sim::Duration::seconds(static_cast<std::int64_t>(i))), {.id = i});
  }
  // down0's period is over, down1's is not: down0 gets the probe, fails it
  // and opens again until 45.01 s.
  h.submit_at(at(25_s), {.id = 10});
  h.submit_at(at(40_s), {.id = 11});  // now down1's period is over: its probe
  h.run();
  std::vector<AgentIndex> called;
  for (const auto& s : h.obs.started) called.push_back(s.agent);
  EXPECT_EQ(called, (std::vector<AgentIndex>{0, 0, 0, 0, 1, 1, 1, 1, 0, 1}));
  EXPECT_EQ(std::count(h.obs.outcomes.begin(), h.obs.outcomes.end(), "breaker_open"), 2);
  std::size_t breaker_open = 0;
  for (const auto& e : h.obs.exhausted) {
    breaker_open += e.kind == BudgetExhausted::Kind::kBreakerOpen;
  }
  EXPECT_EQ(breaker_open, 2u);
  EXPECT_EQ(h.orch->completed(), 0u);
}

Workflow fan_out_workflow(JoinPolicy policy, std::uint32_t k = 1, sim::Duration deadline = 0_s) {
  Workflow wf;
  // 0 fan-out, 1..3 retrievers, 4 join, 5 terminal
  Node fo;
  fo.name = "fan_out";
  fo.kind = NodeKind::kFanOut;
  fo.fan_out.branches = {1, 2, 3};
  fo.fan_out.join = 4;
  Node join;
  join.name = "join";
  join.kind = NodeKind::kJoin;
  join.join.policy = policy;
  join.join.k = k;
  join.join.deadline = deadline;
  join.join.merge = Merge::kMax;
  join.next = 5;
  wf.nodes = {fo,   call_node("r0", {0}, 4), call_node("r1", {1}, 4), call_node("r2", {2}, 4),
              join, terminal("answered")};
  for (NodeId i = 1; i <= 3; ++i) {
    wf.nodes[i].call.output = QualityChannel::kEvidence;
    wf.nodes[i].call.output_segment = SegmentKind::kDocument;
  }
  return wf;
}

std::vector<MockAgentConfig> three_retrievers() {
  auto a = agent("fast", 100), b = agent("medium", 200), c = agent("slow", 400);
  a.quality.base = 0.5;
  b.quality.base = 0.7;
  c.quality.base = 0.9;
  return {a, b, c};
}

TEST(Orchestrator, JoinPoliciesDecideWhenTheFanOutIsDone) {
  struct Case {
    JoinPolicy policy;
    std::uint32_t k;
    sim::Duration deadline;
    sim::Duration latency;
    std::size_t cancelled;
  };
  for (const Case& c :
       {Case{JoinPolicy::kAll, 1, 0_s, 400_ms, 0},
        Case{JoinPolicy::kFirstSuccess, 1, 0_s, 100_ms, 2},
        Case{JoinPolicy::kFirstK, 2, 0_s, 200_ms, 1}, Case{JoinPolicy::kQuorum, 1, 0_s, 200_ms, 1},
        Case{JoinPolicy::kDeadline, 1, 250_ms, 250_ms, 1}}) {
    SCOPED_TRACE(std::string(to_string(c.policy)));
    Harness h(three_retrievers(), fan_out_workflow(c.policy, c.k, c.deadline));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_TRUE(h.obs.finished[0].success);
    EXPECT_EQ(h.obs.finished[0].latency, c.latency);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), c.cancelled);
  }
}

TEST(Orchestrator, JoinFailsWhenTooFewBranchesSucceed) {
  auto agents = three_retrievers();
  agents[0].outcomes.permanent_error = 1.0;
  agents[1].outcomes.permanent_error = 1.0;
  Harness h(agents, fan_out_workflow(JoinPolicy::kQuorum));
  h.submit_at(at(0_s), {.id = 1});
  h.run();
  EXPECT_FALSE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].outcome, "join_failed");
  // Quorum is impossible after the second failure: the slow branch is cancelled.
  EXPECT_EQ(h.obs.finished[0].latency, 50_ms);
}

// query -> retrieve -> generate -> critic -> gate: pass -> answer; fail -> retrieve again (bounded)
Workflow critic_loop(std::uint32_t max_visits, bool exhausted_is_success) {
  Workflow wf;
  Node gate;
  gate.name = "check";
  gate.kind = NodeKind::kGate;
  gate.gate.rules = {{{.what = Condition::What::kVerdictPass}, 4}};
  gate.gate.otherwise = 0;
  wf.nodes = {call_node("retrieve", {0}, 1), call_node("generate", {1}, 2),
              call_node("critic", {2}, 3), gate, terminal("answered")};
  wf.nodes[0].call.output = QualityChannel::kEvidence;
  wf.nodes[0].max_visits = max_visits;
  wf.nodes[0].exhausted_is_success = exhausted_is_success;
  wf.nodes[2].call.output = QualityChannel::kNone;
  wf.nodes[2].call.include_context = false;
  return wf;
}

TEST(Orchestrator, BoundedLoopEndsWithBestAnswerOrNamedFailure) {
  auto judge = agent("critic", 10);
  judge.judge = {.enabled = true, .accuracy = 1.0, .pass_threshold = 0.99};  // never passes
  for (bool best : {true, false}) {
    Harness h({agent("retriever", 10), agent("generator", 10), judge}, critic_loop(3, best));
    h.submit_at(at(0_s), {.id = 1});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_EQ(h.obs.finished[0].calls, 9u);  // three rounds of three calls
    EXPECT_EQ(h.obs.finished[0].success, best);
    EXPECT_EQ(h.obs.finished[0].outcome, best ? "best_so_far" : "loop_exhausted");
    EXPECT_EQ(h.obs.exhausted.back().kind, BudgetExhausted::Kind::kLoopBound);
  }
}

TEST(Orchestrator, GateRoutesOnTheCriticsVerdict) {
  auto judge = agent("critic", 10);
  judge.judge = {.enabled = true, .accuracy = 1.0, .pass_threshold = 0.3};  // passes at once
  Harness h({agent("retriever", 10), agent("generator", 10), judge}, critic_loop(3, false));
  h.submit_at(at(0_s), {.id = 1});
  h.run();
  EXPECT_TRUE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].calls, 3u);
  ASSERT_EQ(h.obs.flows.size(), 1u);
  EXPECT_EQ(h.obs.flows[0].next, 4u);
}

TEST(Orchestrator, ContextIsFittedIntoEachAgentsWindow) {
  Workflow wf;
  wf.system_prompt_tokens = 100;
  wf.nodes = {call_node("retrieve", {0}, 1), call_node("generate", {1}, 2), terminal("answered")};
  wf.nodes[0].call.output_segment = SegmentKind::kDocument;
  wf.nodes[0].call.output = QualityChannel::kEvidence;
  wf.nodes[1].call.fit = FitPolicy::kTruncateOldest;
  auto retriever = agent("retriever", 10);
  retriever.tokens.output_tokens = sim::Distribution::constant(1000);
  auto small = agent("small_window", 10);
  small.context_window_tokens = 800;  // 100 system + 200 query + 1000 document does not fit
  Harness h({retriever, small}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 200});
  h.run();
  ASSERT_EQ(h.obs.fits.size(), 1u);
  EXPECT_EQ(h.obs.fits[0].tokens_before, 1300);
  EXPECT_EQ(h.obs.fits[0].tokens_after, 800);
  EXPECT_DOUBLE_EQ(h.obs.fits[0].retained, 800.0 / 1300.0);
  EXPECT_EQ(h.obs.started[1].input_tokens, 800);
  // With the fail policy the step cannot run.
  wf.nodes[1].call.fit = FitPolicy::kFail;
  Harness strict({retriever, small}, wf);
  strict.submit_at(at(0_s), {.id = 1, .input_tokens = 200});
  strict.run();
  EXPECT_EQ(strict.obs.finished[0].outcome, "context_overflow");
}

TEST(Orchestrator, SummarizerShrinksTheContextAtACost) {
  Workflow wf;
  wf.nodes = {call_node("retrieve", {0}, 1), call_node("generate", {1}, 2), terminal("answered")};
  wf.nodes[0].call.output_segment = SegmentKind::kDocument;
  wf.nodes[1].call.fit = FitPolicy::kSummarize;
  wf.nodes[1].call.summarizer = 2;
  wf.nodes[1].call.summary_ratio = 0.25;
  auto retriever = agent("retriever", 10);
  retriever.tokens.output_tokens = sim::Distribution::constant(2000);
  auto small = agent("generator", 10);
  small.context_window_tokens = 1000;
  Harness h({retriever, small, agent("summarizer", 50)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 100});
  h.run();
  ASSERT_EQ(h.obs.started.size(), 3u);
  EXPECT_EQ(h.obs.started[1].kind, AttemptKind::kSummarize);
  EXPECT_EQ(h.obs.started[1].input_tokens, 2000);
  EXPECT_EQ(h.obs.started[2].input_tokens, 100 + 500);  // query + summary
  ASSERT_EQ(h.obs.fits.size(), 1u);
  EXPECT_TRUE(h.obs.fits[0].summarized);
  EXPECT_TRUE(h.obs.finished[0].success);
}

TEST(Orchestrator, CascadeEscalatesOnlyWhenTheCheapModelIsUnsure) {
  Workflow wf;
  wf.nodes = {call_node("answer", {}, 1), terminal("answered")};
  wf.nodes[0].call.routing =
      RoutingConfig::named("cascade", R"({"tiers": [0, 1], "accept_confidence": 0.6})");
  auto cheap = agent("cheap", 50);
  cheap.quality.base = 0.9;
  cheap.quality.difficulty_weight = 0.8;  // confident on easy requests only
  auto strong = agent("strong", 500);
  Harness h({cheap, strong}, wf);
  h.submit_at(at(0_s), {.id = 1, .difficulty = 0.1});  // 0.82: accepted
  h.submit_at(at(0_s), {.id = 2, .difficulty = 0.9});  // 0.18: escalated
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 2u);
  const auto& easy = h.obs.finished[0].request == 1 ? h.obs.finished[0] : h.obs.finished[1];
  const auto& hard = h.obs.finished[0].request == 2 ? h.obs.finished[0] : h.obs.finished[1];
  EXPECT_EQ(easy.calls, 1u);
  EXPECT_EQ(hard.calls, 2u);
  EXPECT_EQ(hard.latency, 550_ms);
  EXPECT_GT(hard.cost_usd, easy.cost_usd);  // a cascade pays for every model it calls
}

TEST(Orchestrator, TimeBudgetRedirectsToAFasterAgent) {
  Workflow wf;
  wf.nodes = {call_node("answer", {0}, 1), terminal("answered")};
  wf.nodes[0].call.time_budget = {
      .budget = 500_ms, .action = TimeBudgetConfig::Action::kRedirect, .fast_agent = 1};
  Harness h({agent("slow", 3000), agent("fast", 200)}, wf);
  h.submit_at(at(0_s), {.id = 1});
  h.run();
  EXPECT_EQ(h.obs.finished[0].latency, 700_ms);
  EXPECT_EQ(h.obs.finished[0].redirects, 1u);
  EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), 1u);
}

TEST(Orchestrator, TimeBudgetDecomposesIntoParallelSubRequests) {
  Workflow wf;
  wf.nodes = {call_node("answer", {0}, 1), terminal("answered")};
  wf.nodes[0].call.time_budget = {.budget = 500_ms,
                                  .action = TimeBudgetConfig::Action::kDecompose,
                                  .decompose_agent = 1,
                                  .parts = 4};
  auto worker = agent("worker", 100);
  worker.latency.prefill_ms_per_input_token = 1.0;  // time grows with the input
  Harness h({agent("slow", 3000), worker}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 400});
  h.run();
  // Each part gets 100 tokens: 100 ms + 100 ms prefill, all four in parallel.
  EXPECT_EQ(h.obs.finished[0].latency, 700_ms);
  std::size_t parts = 0;
  for (const auto& s : h.obs.started) parts += s.kind == AttemptKind::kDecompose;
  EXPECT_EQ(parts, 4u);
  EXPECT_TRUE(h.obs.finished[0].success);
}

TEST(Orchestrator, ValidatorCatchesSilentFailuresAndRetries) {
  Workflow wf;
  wf.nodes = {call_node("answer", {0}, 1), terminal("answered")};
  wf.nodes[0].call.validator = {
      .enabled = true, .bad_below = 0.3, .true_positive_rate = 1.0, .false_positive_rate = 0.0};
  wf.nodes[0].call.retry.max_attempts = 20;
  wf.nodes[0].call.retry.backoff = {BackoffShape::kConstant, Jitter::kNone, 1_ms, 1_s, 1.0};
  auto liar = agent("liar", 10);
  liar.outcomes.silent_failure = 0.5;
  Harness h({liar}, wf);
  for (std::uint64_t i = 0; i < 200; ++i) h.submit_at(at(0_s), {.id = i});
  h.run();
  EXPECT_EQ(h.orch->completed(), 200u);
  for (const auto& f : h.obs.finished) EXPECT_FALSE(f.answer_silent_failure);
  EXPECT_GT(h.obs.ended_with(CallEnd::kInvalid).size(), 150u);  // ~200 of ~400 calls
}

TEST(Orchestrator, RetryBudgetStopsRetryStorms) {
  Workflow wf;
  wf.nodes = {call_node("answer", {0}, 1), terminal("answered")};
  wf.nodes[0].call.retry.max_attempts = 5;
  wf.nodes[0].call.retry.backoff = {BackoffShape::kConstant, Jitter::kNone, 10_ms, 1_s, 1.0};
  auto down = agent("down", 10);
  down.outcomes.transient_error = 1.0;
  OrchestratorConfig unlimited;
  OrchestratorConfig throttled;
  throttled.retry_budget = RetryBudgetConfig::grpc(10, 0.1);
  std::size_t calls[2];
  int i = 0;
  for (const OrchestratorConfig& oc : {unlimited, throttled}) {
    Harness h({down}, wf, oc);
    for (std::uint64_t r = 0; r < 100; ++r)
      h.submit_at(at(sim::Duration::seconds(static_cast<std::int64_t>(r))), {.id = r});
    h.run();
    calls[i++] = h.obs.started.size();
  }
  EXPECT_EQ(calls[0], 500u);  // 5 attempts each
  EXPECT_LT(calls[1], 120u);  // only while the bucket is above half
}

TEST(Orchestrator, LearnedRouterPrefersTheAgentThatPaysOff) {
  Workflow wf;
  wf.nodes = {call_node("answer", {0, 1}, 1), terminal("answered")};
  wf.nodes[0].call.routing =
      RoutingConfig::named("linucb", R"({"exploration": 0.5, "cost_weight": 0})");
  auto poor = agent("poor", 10);
  poor.quality.base = 0.4;
  auto good = agent("good", 10);
  good.quality.base = 0.9;
  good.quality.noise_sd = 0.05;
  Harness h({poor, good}, wf);
  for (std::uint64_t r = 0; r < 400; ++r) {
    h.submit_at(at(sim::Duration::milliseconds(static_cast<std::int64_t>(100 * r))),
                {.id = r, .input_tokens = 100});
  }
  h.run();
  std::size_t late_good = 0;
  for (const auto& s : h.obs.started) late_good += s.request >= 200 && s.agent == 1;
  EXPECT_GT(late_good, 190u);
}

TEST(Orchestrator, RefusesACallNodeWithoutCandidatesOrWithABadPolicy) {
  sim::Simulation sim;
  sim::RandomSource rng(1);
  auto a = agent("a", 10);
  mock_agents::MockAgent agent_a(sim, rng, a);
  Workflow wf;
  wf.nodes = {call_node("answer", {}, 1), terminal("answered")};
  try {
    Orchestrator o(sim, rng, wf, {&agent_a}, {});
    ADD_FAILURE() << "a node without candidates was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("answer: no candidate agents"), std::string::npos) << e.what();
  }
  wf.nodes[0].call.agents = {0};
  wf.nodes[0].call.routing = RoutingConfig::named("round-robin");
  try {
    Orchestrator o(sim, rng, wf, {&agent_a}, {});
    ADD_FAILURE() << "an unknown policy was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean \"round_robin\"?"), std::string::npos)
        << e.what();
  }
}

TEST(Orchestrator, SameSeedSameEventsRegardlessOfObserver) {
  // Attaching an observer must not change what happens.
  Workflow wf = fan_out_workflow(JoinPolicy::kFirstK, 2);
  auto agents = three_retrievers();
  for (auto& a : agents) {
    a.latency.base_ms = sim::Distribution::lognormal_from_median_p99(100, 800);
    a.outcomes.transient_error = 0.1;
  }
  Harness observed(agents, wf, {}, 42);
  Harness silent(agents, wf, {}, 42);
  silent.orch->set_observer(nullptr);
  for (Harness* h : {&observed, &silent}) {
    for (std::uint64_t r = 0; r < 300; ++r) {
      h->submit_at(at(sim::Duration::milliseconds(static_cast<std::int64_t>(20 * r))), {.id = r});
    }
    h->sim.run();
  }
  EXPECT_EQ(observed.orch->completed(), silent.orch->completed());
  EXPECT_EQ(observed.sim.now(), silent.sim.now());
  EXPECT_EQ(observed.sim.events_run(), silent.sim.events_run());
}

}  // namespace
}  // namespace orchsim::orchestration::orchestrator_test
