#include <gtest/gtest.h>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios {
namespace {

using namespace sim::literals;

TEST(ScenarioLoader, LoadsTheDefaultScenario) {
  const LoadResult r = load_scenario(kDefaultScenario);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.name, "rag_orchestrated");
  EXPECT_EQ(s.agents.size(), 4u);
  EXPECT_EQ(s.agents[2].name, "generator");
  EXPECT_EQ(s.agents[2].servers, 256u);
  EXPECT_DOUBLE_EQ(s.agents[2].latency.output_tokens_per_second, 80);
  EXPECT_TRUE(s.agents[3].judge.enabled);
  EXPECT_EQ(s.workflow.nodes.size(), 7u);
  EXPECT_EQ(s.workflow.entry, 0u);
  EXPECT_EQ(s.workflow.nodes[1].kind, orchestration::NodeKind::kGate);
  EXPECT_EQ(s.workflow.nodes[0].max_visits, 3u);
  EXPECT_EQ(s.workflow.nodes[0].call.attempt_timeout, 2_s);
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

TEST(ScenarioLoader, UnknownScenarioNameSuggestsTheClosest) {
  const LoadResult r = load_scenario("rag_orchestrate");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].hint, "did you mean \"rag_orchestrated\"?");
}

}  // namespace
}  // namespace orchsim::scenarios
