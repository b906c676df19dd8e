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

namespace orchsim::validation {
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
  eval::InvariantChecker checker(s.workflow);
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

}  // namespace
}  // namespace orchsim::validation
