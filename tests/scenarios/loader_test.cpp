#include <gtest/gtest.h>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::loader_test {
namespace {

using namespace sim::literals;

TEST(ScenarioLoader, LoadsTheDefaultScenario) {
  const LoadResult r = load_scenario(kDefaultScenario);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.name, "rag_orchestrated");
  EXPECT_EQ(s.agents.size(), 5u);
  EXPECT_EQ(s.agents[4].name, "deep_retriever");
  EXPECT_EQ(s.agents[2].name, "generator");
  EXPECT_EQ(s.agents[2].servers, 256u);
  EXPECT_DOUBLE_EQ(s.agents[2].latency.output_tokens_per_second, 80);
  EXPECT_TRUE(s.agents[3].judge.enabled);
  EXPECT_EQ(s.workflow.nodes.size(), 7u);
  EXPECT_EQ(s.workflow.entry, 0u);
  EXPECT_EQ(s.workflow.nodes[1].kind, orchestration::NodeKind::kGate);
  EXPECT_EQ(s.workflow.nodes[0].max_visits, 3u);
  EXPECT_EQ(s.workflow.nodes[0].call.attempt_timeout, 2_s);
  // Step 9 of the seed: the re-retrieval uses other parameters.
  ASSERT_EQ(s.workflow.nodes[0].on_revisit.size(), 1u);
  const orchestration::Revisit& again = s.workflow.nodes[0].on_revisit[0];
  EXPECT_EQ(again.from_visit, 2u);
  EXPECT_EQ(again.call.agents, std::vector<orchestration::AgentIndex>{4});
  EXPECT_EQ(again.call.attempt_timeout, 4_s);
  EXPECT_DOUBLE_EQ(again.call.output_tokens_factor, 2.0);
  EXPECT_EQ(again.call.retry.max_attempts, 3u);  // the rest is the node's own
  EXPECT_EQ(again.call.output_segment, orchestration::SegmentKind::kDocument);
  EXPECT_EQ(s.workflow.nodes[3].call.retry.backoff.base, 500_ms);  // langgraph preset
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"faq", "research"}));
  EXPECT_EQ(s.run.requests, 20000u);
  ASSERT_TRUE(s.orchestrator.breaker.has_value());
  EXPECT_EQ(s.orchestrator.breaker->minimum_calls, 100u);
}

TEST(ScenarioLoader, EveryBuiltInScenarioValidates) {
  const auto names = library_names();
  EXPECT_GE(names.size(), 1u);
  for (const std::string& name : names) {
    const LoadResult r = load_scenario(name);
    EXPECT_TRUE(r.ok()) << name << ":\n" << r.diagnostics.format();
  }
}

TEST(ScenarioLoader, OverridesApplyBeforeReading) {
  LoadOptions o;
  o.overrides = {{"/workload/arrivals/poisson/rate_per_s", "55"}, {"/agents/0/servers", "3"}};
  const LoadResult r = load_scenario(kDefaultScenario, o);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  EXPECT_EQ(r.scenario->agents[0].servers, 3u);
  const auto& arrivals = std::get<ArrivalSpec>(r.scenario->workload.arrivals);
  EXPECT_DOUBLE_EQ(std::get<PoissonArrivals>(arrivals).rate_per_second, 55);
}

TEST(ScenarioLoader, SetMayAddAPolicyParamWhichThePolicyThenChecks) {
  LoadOptions o;
  o.overrides = {{"/workflow/nodes/0/routing/policy", "epsilon_greedy"},
                 {"/workflow/nodes/0/routing/params/epsilon", "0.3"}};
  const LoadResult added = load_scenario("learned_router", o);
  ASSERT_TRUE(added.ok()) << added.diagnostics.format();
  EXPECT_EQ(added.scenario->workflow.nodes[0].call.routing.params->at("epsilon"), 0.3);

  o.overrides = {{"/workflow/nodes/0/routing/policy", "epsilon_greedy"},
                 {"/workflow/nodes/0/routing/params", R"({"epsilon": 0.3})"}};
  EXPECT_TRUE(load_scenario("learned_router", o).ok());

  // A typo in a param's name is still an error, named by the policy.
  o.overrides = {{"/workflow/nodes/0/routing/policy", "epsilon_greedy"},
                 {"/workflow/nodes/0/routing/params/epsilom", "0.3"}};
  const LoadResult typo = load_scenario("learned_router", o);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.diagnostics.format().find("/workflow/nodes/0/routing/params/epsilom"),
            std::string::npos)
      << typo.diagnostics.format();
  // Anywhere else only existing values can be set; nor can a param nest.
  for (const char* pointer : {"/workflow/nodes/0/routing/epsilon",
                              "/workflow/nodes/0/routing/params/reward/quality"}) {
    o.overrides = {{pointer, "0.3"}};
    EXPECT_FALSE(load_scenario("learned_router", o).ok()) << pointer;
  }
}

TEST(ScenarioLoader, SeedsTakeTheWholeUnsignedRangeAndOtherIntegersNeverWrap) {
  LoadOptions o;
  o.overrides = {{"/run/seed", "18446744073709551615"}};
  const LoadResult r = load_scenario(kDefaultScenario, o);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  EXPECT_EQ(r.scenario->run.seed, 18446744073709551615u);

  o.overrides = {{"/run/seed", "-1"}};
  const LoadResult negative = load_scenario(kDefaultScenario, o);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.diagnostics.format().find(
                "/run/seed: found -1, expected an integer from 0 to 18446744073709551615"),
            std::string::npos)
      << negative.diagnostics.format();

  // 2^64 - 1 in a signed field used to wrap to -1 and be reported as "found -1".
  o.overrides = {{"/run/requests", "18446744073709551615"}};
  const LoadResult wrapped = load_scenario(kDefaultScenario, o);
  ASSERT_FALSE(wrapped.ok());
  EXPECT_NE(wrapped.diagnostics.format().find("/run/requests: found 18446744073709551615"),
            std::string::npos)
      << wrapped.diagnostics.format();
}

TEST(ScenarioLoader, SetCanSwitchTheKindOfARetryBudget) {
  LoadOptions o;
  o.overrides = {{"/resilience/retry_budget/kind", "token_bucket"}};
  const LoadResult r = load_scenario("retry_storm", o);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const auto& budget = r.scenario->orchestrator.retry_budget;
  EXPECT_EQ(budget.kind, orchestration::RetryBudgetConfig::Kind::kTokenBucket);
  EXPECT_DOUBLE_EQ(budget.max_tokens, 20);
}

// /workflows through the field tables: each sub-workflow's nodes are
// appended after the top level's with their edges shifted and their names
// qualified, its settings kept; a call node names one by name; an
// on_revisit rule that names a workflow drops the node's agents and routing.
TEST(ScenarioLoader, SubWorkflowsJoinTheWorkflowWithTheirSettings) {
  const LoadResult r = parse_scenario(R"({
    "version": 1, "name": "nested",
    "agents": [ { "name": "llm", "latency": { "base_ms": { "constant": 10 } } } ],
    "workload": { "arrivals": { "poisson": { "rate_per_s": 10 } } },
    "workflow": { "nodes": [
      { "name": "ask", "type": "call", "agents": ["llm"], "routing": { "policy": "round_robin" },
        "max_visits": 2,
        "on_revisit": [ { "from_visit": 2, "set": { "workflow": "svc", "timeout_ms": 900 } } ],
        "next": "fan" },
      { "name": "fan", "type": "fan_out", "map": { "entry": "inner", "count": 2 }, "join": "j" },
      { "name": "inner", "type": "call", "workflow": "svc", "next": "j" },
      { "name": "j", "type": "join", "on_branch_failure": "wait_all",
        "tolerated_failure_percent": 50, "next": "done" },
      { "name": "done", "type": "terminal" } ] },
    "workflows": {
      "// svc": "annotations are not sub-workflows",
      "svc": { "entry": "b", "context_window_tokens": 3000, "timeout_ms": 1500,
               "retry_budget": { "kind": "token_bucket", "max_tokens": 4, "token_ratio": 0.5 },
               "nodes": [ { "name": "a", "type": "terminal" },
                          { "name": "b", "type": "call", "agents": ["llm"], "next": "a" } ] } }
  })",
                                      "nested.json");
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const orchestration::Workflow& wf = r.scenario->workflow;
  ASSERT_EQ(wf.sub_workflows.size(), 1u);
  const orchestration::SubWorkflow& svc = wf.sub_workflows[0];
  EXPECT_EQ(svc.name, "svc");
  EXPECT_EQ(svc.first, 5u);
  EXPECT_EQ(svc.count, 2u);
  EXPECT_EQ(svc.entry, 6u);
  EXPECT_EQ(svc.context_window_tokens, 3000);
  EXPECT_EQ(svc.timeout, 1500_ms);
  ASSERT_TRUE(svc.retry_budget.has_value());
  EXPECT_EQ(svc.retry_budget->kind, orchestration::RetryBudgetConfig::Kind::kTokenBucket);
  EXPECT_DOUBLE_EQ(svc.retry_budget->max_tokens, 4);
  EXPECT_EQ(wf.nodes[6].name, "svc/b");
  EXPECT_EQ(wf.nodes[6].next, 5u);  // "a", shifted
  EXPECT_EQ(wf.nodes[2].call.sub_workflow, 0u);
  EXPECT_TRUE(wf.nodes[2].call.agents.empty());
  EXPECT_EQ(wf.nodes[3].join.on_branch_failure, orchestration::BranchFailure::kWaitAll);
  EXPECT_EQ(wf.nodes[3].join.tolerated_failures, orchestration::JoinNode::kUnset);
  EXPECT_EQ(wf.nodes[3].join.tolerated(4), 2u);
  ASSERT_EQ(wf.nodes[0].on_revisit.size(), 1u);
  const orchestration::CallNode& again = wf.nodes[0].on_revisit[0].call;
  EXPECT_EQ(again.sub_workflow, 0u);
  EXPECT_TRUE(again.agents.empty());
  EXPECT_EQ(again.routing.policy, "static");
  EXPECT_EQ(again.attempt_timeout, 900_ms);
  EXPECT_EQ(wf.nodes[0].call.routing.policy, "round_robin");  // the first visit's, untouched
}

TEST(ScenarioLoader, UnknownScenarioNameSuggestsTheClosest) {
  const LoadResult r = load_scenario("rag_orchestrate");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].hint, "did you mean \"rag_orchestrated\"?");
}

}  // namespace
}  // namespace orchsim::scenarios::loader_test
