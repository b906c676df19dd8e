// Enum names come from one table per enum (sim/enum_names.hpp), shared by
// to_string, the loader, the schema and the docs: every name a table lets a
// scenario choose loads to its value, to_string spells it the same way, and
// a name that is not in the table is an error with a "did you mean".
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "mock_agents/agent.hpp"
#include "mock_agents/agent_config.hpp"
#include "orchestration/backoff.hpp"
#include "orchestration/circuit_breaker.hpp"
#include "orchestration/context.hpp"
#include "orchestration/retry_budget.hpp"
#include "orchestration/workflow.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::enum_names_test {
namespace {

namespace orch = orchestration;
namespace ma = mock_agents;

std::string kitchen_sink() {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  const std::filesystem::path base =
      root && *root ? std::filesystem::path(root)
                    : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  return (base / "tests" / "scenarios" / "data" / "kitchen_sink.json").string();
}

// Every configurable name of `table`, written at `pointer` of the kitchen
// sink, loads to its value.
template <class E, std::size_t N>
void every_name_loads(const std::string& pointer, const sim::EnumName<E> (&table)[N],
                      const std::function<E(const Scenario&)>& read) {
  for (const sim::EnumName<E>& e : table) {
    if (!e.configurable) continue;
    SCOPED_TRACE(pointer + " = " + std::string(e.name));
    LoadOptions o;
    o.overrides = {{pointer, std::string(e.name)}};
    const LoadResult r = load_scenario(kitchen_sink(), o);
    ASSERT_TRUE(r.ok()) << r.diagnostics.format();
    EXPECT_EQ(read(*r.scenario), e.value);
  }
}

TEST(EnumNames, EveryNameATableOffersLoadsToItsValue) {
  every_name_loads<ma::FaultWindow::Kind>(
      "/agents/0/faults/0/kind", ma::kFaultKindNames,
      [](const Scenario& s) { return s.agents[0].faults[0].kind; });
  const auto call = [](const Scenario& s) -> const orch::CallNode& {
    return s.workflow.nodes[0].call;
  };
  every_name_loads<orch::BackoffShape>(
      "/workflow/nodes/0/retry/backoff/shape", orch::kBackoffShapeNames,
      [&](const Scenario& s) { return call(s).retry.backoff.shape; });
  every_name_loads<orch::Jitter>("/workflow/nodes/0/retry/backoff/jitter", orch::kJitterNames,
                                 [&](const Scenario& s) { return call(s).retry.backoff.jitter; });
  every_name_loads<orch::FitPolicy>("/workflow/nodes/0/context/fit", orch::kFitPolicyNames,
                                    [&](const Scenario& s) { return call(s).fit; });
  every_name_loads<orch::SegmentKind>("/workflow/nodes/0/context/output_segment",
                                      orch::kSegmentKindNames,
                                      [&](const Scenario& s) { return call(s).output_segment; });
  every_name_loads<orch::QualityChannel>("/workflow/nodes/0/quality/input",
                                         orch::kQualityChannelNames,
                                         [&](const Scenario& s) { return call(s).input; });
  every_name_loads<orch::TimeBudgetConfig::Action>(
      "/workflow/nodes/0/time_budget/action", orch::kTimeBudgetActionNames,
      [&](const Scenario& s) { return call(s).time_budget.action; });
  every_name_loads<orch::JoinPolicy>(
      "/workflow/nodes/6/policy", orch::kJoinPolicyNames,
      [](const Scenario& s) { return s.workflow.nodes[6].join.policy; });
  every_name_loads<orch::Merge>("/workflow/nodes/6/merge", orch::kMergeNames,
                                [](const Scenario& s) { return s.workflow.nodes[6].join.merge; });
  every_name_loads<orch::BranchFailure>(
      "/workflow/nodes/6/on_branch_failure", orch::kBranchFailureNames,
      [](const Scenario& s) { return s.workflow.nodes[6].join.on_branch_failure; });
  every_name_loads<orch::CircuitBreakerConfig::Window>(
      "/resilience/circuit_breaker/window", orch::kBreakerWindowNames,
      [](const Scenario& s) { return s.orchestrator.breaker->window; });
  every_name_loads<orch::RetryBudgetConfig::Kind>(
      "/resilience/retry_budget/kind", orch::kRetryBudgetKindNames,
      [](const Scenario& s) { return s.orchestrator.retry_budget.kind; });
  every_name_loads<ma::ErrorKind>("/workflow/nodes/0/retry/retry_on/0", ma::kErrorKindNames,
                                  [&](const Scenario& s) { return call(s).retry.retry_on[0]; });
  every_name_loads<ma::ErrorKind>(
      "/workflow/nodes/3/rules/6/if/error_is", ma::kErrorKindNames,
      [](const Scenario& s) { return s.workflow.nodes[3].gate.rules[6].when.error; });
}

TEST(EnumNames, ToStringSpellsEveryValueAsItsTable) {
  for (const auto& e : ma::kErrorKindNames) EXPECT_EQ(ma::to_string(e.value), e.name);
  for (const auto& e : orch::kBackoffShapeNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kJitterNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kSegmentKindNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kFitPolicyNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kNodeKindNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kJoinPolicyNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kMergeNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  for (const auto& e : orch::kQualityChannelNames) EXPECT_EQ(orch::to_string(e.value), e.name);
  EXPECT_EQ(ma::to_string(static_cast<ma::ErrorKind>(200)), "unknown");
}

// Every value of each enum has exactly one name (a table missing a value, or
// naming one twice, would make to_string print "?").
TEST(EnumNames, EachValueHasOneName) {
  const auto check = [](const auto& table, std::size_t values) {
    EXPECT_EQ(std::size(table), values);
    for (std::size_t i = 0; i < std::size(table); ++i) {
      for (std::size_t j = i + 1; j < std::size(table); ++j) {
        EXPECT_NE(table[i].value, table[j].value) << table[i].name;
        EXPECT_NE(table[i].name, table[j].name);
      }
    }
  };
  check(ma::kErrorKindNames, 7);
  check(ma::kFaultKindNames, 3);
  check(orch::kBackoffShapeNames, 4);
  check(orch::kJitterNames, 5);
  check(orch::kSegmentKindNames, 7);
  check(orch::kFitPolicyNames, 4);
  check(orch::kNodeKindNames, 5);
  check(orch::kJoinPolicyNames, 5);
  check(orch::kMergeNames, 3);
  check(orch::kBranchFailureNames, 2);
  check(orch::kQualityChannelNames, 3);
  check(orch::kConditionNames, 12);
  check(orch::kTimeBudgetActionNames, 2);
  check(orch::kBreakerWindowNames, 2);
  check(orch::kRetryBudgetKindNames, 3);
}

// Used to be mapped to "unavailable" by a fallback branch; now an error
// kind comes from the table or is reported, with the nearest name.
TEST(EnumNames, AnUnknownErrorKindIsAnErrorWithADidYouMean) {
  LoadOptions o;
  o.overrides = {{"/workflow/nodes/3/rules/6/if/error_is", "transiant"}};
  const LoadResult r = load_scenario(kitchen_sink(), o);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u) << r.diagnostics.format();
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.pointer, "/workflow/nodes/3/rules/6/if/error_is");
  EXPECT_EQ(d.hint, "did you mean \"transient\"?");

  o.overrides = {{"/workflow/nodes/0/retry/retry_on/0", "none"}};
  EXPECT_FALSE(load_scenario(kitchen_sink(), o).ok()) << "none is no error to retry on";
}

}  // namespace
}  // namespace orchsim::scenarios::enum_names_test
