// The built-in scenario library: every scenario loads, documents itself in a
// leading // comment, and has the structure it claims to demonstrate. These
// tests only load and inspect scenarios (running them belongs to the eval
// layer, which this suite does not link).
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::library_test {
namespace {

using orchestration::Condition;
using orchestration::JoinPolicy;
using orchestration::Node;
using orchestration::NodeId;
using orchestration::NodeKind;
using orchestration::TimeBudgetConfig;

const std::vector<std::string>& library_scenarios() {
  static const std::vector<std::string> names = {
      "rag_orchestrated", "langgraph_chain",   "tool_calling_loop",
      "evaluator_optimizer", "query_fanout",  "hedged_requests",
      "retry_storm",      "model_cascade",     "learned_router",
      "timeout_fallback_decompose", "calibrated_providers"};
  return names;
}

Scenario load(const std::string& name, const LoadOptions& options = {}) {
  LoadResult r = load_scenario(name, options);
  EXPECT_TRUE(r.ok()) << name << ":\n" << r.diagnostics.format();
  if (!r.ok()) return Scenario{};
  return std::move(*r.scenario);
}

const Node& node(const Scenario& s, const std::string& name) {
  const NodeId id = s.workflow.find(name);
  EXPECT_NE(id, orchestration::kNoNode) << s.name << " has no node " << name;
  return s.workflow.nodes.at(id == orchestration::kNoNode ? 0 : id);
}

std::uint32_t agent(const Scenario& s, const std::string& name) {
  const std::int32_t i = s.agent_index(name);
  EXPECT_GE(i, 0) << s.name << " has no agent " << name;
  return static_cast<std::uint32_t>(std::max(i, 0));
}

TEST(Library, EveryListedScenarioIsInstalled) {
  const std::vector<std::string> installed = library_names();
  for (const std::string& name : library_scenarios()) {
    EXPECT_NE(std::find(installed.begin(), installed.end(), name), installed.end()) << name;
  }
}

TEST(Library, EveryScenarioLoadsAndIsBounded) {
  for (const std::string& name : library_names()) {
    SCOPED_TRACE(name);
    const Scenario s = load(name);
    EXPECT_EQ(s.name, name) << "the name field should match the file name";
    EXPECT_FALSE(s.description.empty());
    // Each must run on its own: a bounded default run of sane size.
    EXPECT_GE(s.run.requests, 5000u);
    EXPECT_LE(s.run.requests, 20000u);
  }
}

TEST(Library, EveryFileOpensWithACommentNamingTheScenario) {
  for (const std::string& name : library_names()) {
    SCOPED_TRACE(name);
    std::ifstream in(library_dir() + "/" + name + ".json");
    ASSERT_TRUE(in.good());
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("//", 0), 0u) << "first line: " << first;
    EXPECT_NE(first.find(name), std::string::npos) << "first line: " << first;
    // A header of several lines, not a one-liner.
    int comment_lines = 1;
    std::string line;
    while (std::getline(in, line) && line.rfind("//", 0) == 0) ++comment_lines;
    EXPECT_GE(comment_lines, 5);
    EXPECT_LE(comment_lines, 12);
  }
}

TEST(Library, LanggraphChainRecoversAndFitsAtEveryTransition) {
  const Scenario s = load("langgraph_chain");
  const std::vector<std::string> chain = {"retrieve", "rerank", "generate"};
  for (const std::string& name : chain) {
    SCOPED_TRACE(name);
    const Node& n = node(s, name);
    ASSERT_EQ(n.kind, NodeKind::kCall);
    EXPECT_GE(n.call.retry.max_attempts, 3u);
    EXPECT_EQ(n.call.retry.backoff.base, sim::Duration::milliseconds(500));  // the LangGraph preset
    EXPECT_GT(n.call.attempt_timeout, sim::Duration::zero());
    EXPECT_NE(n.on_failure, orchestration::kNoNode);
  }
  EXPECT_EQ(node(s, "retrieve").next, s.workflow.find("rerank"));
  EXPECT_EQ(node(s, "rerank").next, s.workflow.find("generate"));
  EXPECT_FALSE(node(s, "generate").call.fallback_agents.empty());
  // Every fit policy appears, the summarizer one with a summarizer agent.
  std::vector<orchestration::FitPolicy> fits;
  for (const Node& n : s.workflow.nodes) {
    if (n.kind == NodeKind::kCall) fits.push_back(n.call.fit);
  }
  for (const auto p : {orchestration::FitPolicy::kTruncateOldest, orchestration::FitPolicy::kDropLeastRelevant,
                       orchestration::FitPolicy::kSummarize}) {
    EXPECT_NE(std::find(fits.begin(), fits.end(), p), fits.end()) << orchestration::to_string(p);
  }
  EXPECT_EQ(node(s, "format").call.summarizer, agent(s, "summarizer"));
  // Heterogeneous windows, so fitting has work to do.
  EXPECT_LT(s.agents[agent(s, "reranker")].context_window_tokens,
            s.agents[agent(s, "generator")].context_window_tokens);
}

TEST(Library, ToolCallingLoopIsABoundedLabelledLoop) {
  const Scenario s = load("tool_calling_loop");
  const auto& assistant = s.agents[agent(s, "assistant")];
  ASSERT_GE(assistant.labels.size(), 3u);
  EXPECT_NE(std::find(assistant.labels.begin(), assistant.labels.end(), "final"), assistant.labels.end());
  const Node& turn = node(s, "assistant");
  EXPECT_EQ(turn.max_visits, 8u);
  EXPECT_TRUE(turn.exhausted_is_success);
  // The first gate sends "final" to the answer, everything else to the tools.
  const Node& route = node(s, "route_turn");
  ASSERT_EQ(route.kind, NodeKind::kGate);
  ASSERT_FALSE(route.gate.rules.empty());
  EXPECT_EQ(route.gate.rules[0].when.what, Condition::What::kLabelIs);
  EXPECT_EQ(s.workflow.nodes[route.gate.rules[0].then].kind, NodeKind::kTerminal);
  // The second gate dispatches different labels to different tools, which loop back.
  const Node& dispatch = node(s, "dispatch_tool");
  ASSERT_GE(dispatch.gate.rules.size(), 2u);
  std::vector<std::uint32_t> tool_agents;
  for (const auto& rule : dispatch.gate.rules) {
    EXPECT_EQ(rule.when.what, Condition::What::kLabelIs);
    const Node& tool = s.workflow.nodes[rule.then];
    ASSERT_EQ(tool.kind, NodeKind::kCall);
    EXPECT_EQ(tool.next, s.workflow.find("assistant"));
    EXPECT_GE(tool.call.retry.max_attempts, 2u);  // the orchestrator owns the retries
    EXPECT_GT(tool.call.attempt_timeout, sim::Duration::zero());
    tool_agents.push_back(tool.call.agents.at(0));
  }
  std::sort(tool_agents.begin(), tool_agents.end());
  EXPECT_EQ(std::unique(tool_agents.begin(), tool_agents.end()), tool_agents.end());
  // Label indices resolve against the assistant's own list.
  EXPECT_EQ(assistant.labels[route.gate.rules[0].when.label], "final");
}

TEST(Library, EvaluatorOptimizerJudgesAndRepairsInABoundedLoop) {
  const Scenario s = load("evaluator_optimizer");
  const auto& judge = s.agents[agent(s, "judge")];
  EXPECT_TRUE(judge.judge.enabled);
  EXPECT_NEAR(judge.judge.accuracy, 0.85, 1e-9);
  EXPECT_TRUE(node(s, "judge").call.judges_answer);
  const Node& verdict = node(s, "verdict");
  ASSERT_EQ(verdict.kind, NodeKind::kGate);
  bool pass_to_format = false, fail_to_cleanup = false;
  for (const auto& rule : verdict.gate.rules) {
    pass_to_format |= rule.when.what == Condition::What::kVerdictPass && rule.then == s.workflow.find("format");
    fail_to_cleanup |= rule.when.what == Condition::What::kVerdictFail && rule.then == s.workflow.find("cleanup");
  }
  EXPECT_TRUE(pass_to_format);
  EXPECT_TRUE(fail_to_cleanup);
  const Node& cleanup = node(s, "cleanup");
  EXPECT_EQ(cleanup.next, s.workflow.find("judge"));
  EXPECT_GE(cleanup.max_visits, 1u);
  EXPECT_EQ(cleanup.on_exhausted, s.workflow.find("format"));
  // Different windows: 128k generator, 8k cleanup model (node 3, as the header says).
  EXPECT_EQ(s.agents[agent(s, "generator_128k")].context_window_tokens, 128000);
  EXPECT_EQ(s.agents[agent(s, "cleanup_8k")].context_window_tokens, 8192);
  EXPECT_EQ(s.workflow.nodes[3].name, "cleanup");
}

TEST(Library, QueryFanoutJoinsFourRetrieversFirstKByDefault) {
  const Scenario s = load("query_fanout");
  const Node& fan = node(s, "fan_out");
  ASSERT_EQ(fan.kind, NodeKind::kFanOut);
  EXPECT_GE(fan.fan_out.branches.size(), 3u);
  EXPECT_LE(fan.fan_out.branches.size(), 4u);
  std::vector<std::uint32_t> agents;
  for (NodeId b : fan.fan_out.branches) {
    EXPECT_EQ(s.workflow.nodes[b].kind, NodeKind::kCall);
    EXPECT_EQ(s.workflow.nodes[b].next, fan.fan_out.join);
    agents.push_back(s.workflow.nodes[b].call.agents.at(0));
  }
  std::sort(agents.begin(), agents.end());
  EXPECT_EQ(std::unique(agents.begin(), agents.end()), agents.end()) << "one retriever per branch";
  // The header's --set examples address the join as node 5.
  ASSERT_EQ(fan.fan_out.join, 5u);
  const Node& join = s.workflow.nodes[5];
  ASSERT_EQ(join.kind, NodeKind::kJoin);
  EXPECT_EQ(join.join.policy, JoinPolicy::kFirstK);
  EXPECT_EQ(join.join.k, 2u);
  EXPECT_EQ(s.workflow.nodes[join.next].name, "generate");
  // Every other policy is reachable by overriding the existing key.
  for (const auto& [policy, expected] : std::vector<std::pair<std::string, JoinPolicy>>{
           {"all", JoinPolicy::kAll}, {"first_success", JoinPolicy::kFirstSuccess},
           {"quorum", JoinPolicy::kQuorum}, {"deadline", JoinPolicy::kDeadline}}) {
    LoadOptions o;
    o.overrides = {{"/workflow/nodes/5/policy", policy}};
    const Scenario t = load("query_fanout", o);
    ASSERT_EQ(t.workflow.nodes.size(), s.workflow.nodes.size()) << policy;
    EXPECT_EQ(t.workflow.nodes[5].join.policy, expected) << policy;
  }
}

TEST(Library, HedgedRequestsHedgesNodeZeroAndCanTurnItOff) {
  const Scenario s = load("hedged_requests");
  const Node& n = s.workflow.nodes.at(0);
  ASSERT_EQ(n.kind, NodeKind::kCall);
  EXPECT_GE(n.call.hedge.max_extra_attempts, 1u);
  EXPECT_GT(n.call.hedge.delay, sim::Duration::zero());
  LoadOptions o;
  o.overrides = {{"/workflow/nodes/0/hedge/max_extra_attempts", "0"}};
  const Scenario off = load("hedged_requests", o);
  ASSERT_FALSE(off.workflow.nodes.empty());
  EXPECT_EQ(off.workflow.nodes[0].call.hedge.max_extra_attempts, 0u);
}

TEST(Library, RetryStormHasAFaultAndNestedRetryingLayers) {
  const Scenario s = load("retry_storm");
  ASSERT_EQ(s.agents.size(), 1u);
  const auto& backend = s.agents[0];
  ASSERT_FALSE(backend.faults.empty());
  EXPECT_GE(backend.queue_capacity, 0) << "bounded capacity";
  const double fault_s = (backend.faults[0].end - backend.faults[0].start).seconds_f();
  EXPECT_GE(fault_s, 15.0);
  EXPECT_LE(fault_s, 40.0);
  // At least two call nodes retry the same agent hard, and a failure loops
  // back for another whole round (the outer layer), bounded.
  std::size_t retrying = 0;
  bool outer_layer = false;
  for (const Node& n : s.workflow.nodes) {
    if (n.kind != NodeKind::kCall) continue;
    EXPECT_EQ(n.call.agents, std::vector<std::uint32_t>{0});
    if (n.call.retry.max_attempts >= 5) ++retrying;
    outer_layer |= n.on_failure != orchestration::kNoNode &&
                   s.workflow.nodes[n.on_failure].max_visits >= 2;
  }
  EXPECT_GE(retrying, 2u);
  EXPECT_TRUE(outer_layer);
  // Unlimited by default; the header's override turns on a token bucket.
  EXPECT_EQ(s.orchestrator.retry_budget.kind, orchestration::RetryBudgetConfig::Kind::kUnlimited);
  LoadOptions o;
  o.overrides = {{"/resilience/retry_budget", R"({"kind":"token_bucket","max_tokens":20,"token_ratio":0.1})"}};
  const Scenario budgeted = load("retry_storm", o);
  EXPECT_EQ(budgeted.orchestrator.retry_budget.kind, orchestration::RetryBudgetConfig::Kind::kTokenBucket);
}

TEST(Library, ModelCascadeEscalatesCheapToStrong) {
  const Scenario s = load("model_cascade");
  const Node& n = s.workflow.nodes.at(0);
  ASSERT_EQ(n.kind, NodeKind::kCall);
  EXPECT_EQ(n.call.routing.policy, "cascade");
  const auto cheap = agent(s, "cheap_model"), strong = agent(s, "strong_model");
  ASSERT_NE(n.call.routing.legacy, nullptr);
  const auto& routing = *n.call.routing.legacy;
  EXPECT_EQ(routing.at("tiers"), (nlohmann::ordered_json{"cheap_model", "strong_model"}));
  EXPECT_NEAR(routing.at("accept_confidence").get<double>(), 0.7, 0.1);
  // The tiers are the node's candidates.
  EXPECT_EQ(std::count(n.call.agents.begin(), n.call.agents.end(), cheap), 1);
  EXPECT_EQ(std::count(n.call.agents.begin(), n.call.agents.end(), strong), 1);
  EXPECT_LT(s.agents[cheap].tokens.usd_per_1k_output_tokens, s.agents[strong].tokens.usd_per_1k_output_tokens);
  EXPECT_GT(s.agents[cheap].quality.difficulty_weight, s.agents[strong].quality.difficulty_weight);
  EXPECT_GE(s.class_names.size(), 2u);
  // Static routing (the header's always-strong baseline) picks the strong model first.
  EXPECT_EQ(n.call.agents.at(0), strong);
}

TEST(Library, LearnedRouterUsesLinUcbOverClassesThatDiffer) {
  const Scenario s = load("learned_router");
  const Node& n = s.workflow.nodes.at(0);
  ASSERT_EQ(n.kind, NodeKind::kCall);
  EXPECT_EQ(n.call.routing.policy, "linucb");
  EXPECT_EQ(n.call.agents.size(), 2u);
  ASSERT_NE(n.call.routing.legacy, nullptr);
  EXPECT_GT(n.call.routing.legacy->at("cost_weight").get<double>(), 0.0);
  EXPECT_GT(n.call.routing.legacy->at("exploration").get<double>(), 0.0);
  ASSERT_EQ(s.class_names.size(), 2u);
  EXPECT_EQ(s.orchestrator.class_count, 2u);
}

TEST(Library, TimeoutFallbackDecomposeHasBothTimeBudgetActions) {
  const Scenario s = load("timeout_fallback_decompose");
  bool redirect = false, decompose = false;
  for (const Node& n : s.workflow.nodes) {
    if (n.kind != NodeKind::kCall || n.call.time_budget.budget <= sim::Duration::zero()) continue;
    EXPECT_GT(n.call.attempt_timeout, n.call.time_budget.budget) << n.name;
    EXPECT_FALSE(n.call.fallback_agents.empty()) << n.name;
    if (n.call.time_budget.action == TimeBudgetConfig::Action::kRedirect) {
      redirect = true;
      EXPECT_NE(n.call.time_budget.fast_agent, n.call.agents.at(0));
    } else {
      decompose = true;
      EXPECT_GE(n.call.time_budget.parts, 2u);
      EXPECT_NE(n.call.time_budget.decompose_agent, n.call.agents.at(0));
    }
  }
  EXPECT_TRUE(redirect);
  EXPECT_TRUE(decompose);
}

// Three providers fitted from the shared LLMPerf runs (orchsim fit), under
// the Azure production trace replayed with its own tokens.
TEST(Library, CalibratedProvidersAreFittedAgentsUnderTheAzureTrace) {
  const Scenario s = load("calibrated_providers");
  ASSERT_EQ(s.agents.size(), 3u);
  for (const auto& a : s.agents) {
    SCOPED_TRACE(a.name);
    EXPECT_TRUE(a.tokens.output_tokens_from_request);
    EXPECT_GT(a.latency.time_to_first_token_ms.quantile(0.5), 100.0);  // fitted, in ms
    EXPECT_GT(a.latency.inter_token_ms.quantile(0.5), 1.0);
  }
  EXPECT_GT(s.agents[agent(s, "perplexity_70b")].outcomes.rate_limited, 0.0);  // its 2 429s of 150
  ASSERT_TRUE(s.workload.replay);
  EXPECT_EQ(s.workload.replay->input_tokens.size(), 8819u);
  EXPECT_EQ(s.workload.replay->output_tokens.size(), 8819u);
  const auto& arrivals = std::get<ReplayArrivals>(std::get<ArrivalSpec>(s.workload.arrivals));
  ASSERT_EQ(arrivals.offsets.size(), 8819u);
  // 4x the recorded speed: the hour (57 min) in a quarter of it.
  EXPECT_NEAR(arrivals.offsets.back().seconds_f(), 3435.948 / 4, 0.01);
  EXPECT_EQ(s.run.requests, 8819u);
  EXPECT_EQ(node(s, "call").call.agents.size(), 3u);
}

// The library ships the trace it replays, with its license; it must be the
// shared data's file byte for byte.
TEST(Library, TheShippedAzureTraceIsTheSharedOne) {
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string shipped =
      slurp(library_dir() + "/data/azure-llm-2023/AzureLLMInferenceTrace_code.csv");
  ASSERT_EQ(shipped.size(), 320117u);
  EXPECT_EQ(shipped, slurp(std::string(ORCHSIM_SHARED_DATA) +
                           "/azure-llm-2023/AzureLLMInferenceTrace_code.csv"));
  EXPECT_FALSE(slurp(library_dir() + "/data/azure-llm-2023/LICENSE").empty());
}

}  // namespace
}  // namespace orchsim::scenarios::library_test
