// PolicyHooks: hooks_of<T>() names exactly the calls a final policy
// overrides, the built-ins say so, and the orchestrator makes only the calls
// a policy's hooks() asks for (the default: all of them).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/policy_registry.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::policy_hooks_test {
namespace {

using namespace sim::literals;
using testing::call_node;
using testing::Harness;
using testing::terminal;

class Chooses final : public RoutingPolicy {
 public:
  Choice choose(const DecisionContext&) override { return {}; }
};
class Learns final : public RoutingPolicy {
 public:
  Choice choose(const DecisionContext&) override { return {}; }
  void observe(const AttemptOutcome&) override {}
};
// Not final: a class derived from it inherits its accepts().
class Picky : public RoutingPolicy {
 public:
  Choice choose(const DecisionContext&) override { return {}; }
  bool accepts(const AttemptOutcome&) override { return false; }
};
class PickyAndTold final : public Picky {
 public:
  void request_finished(const RequestOutcome&) override {}
};

constexpr bool same(PolicyHooks a, PolicyHooks b) {
  return a.observe == b.observe && a.accepts == b.accepts &&
         a.request_finished == b.request_finished;
}
static_assert(same(hooks_of<Chooses>(), {false, false, false}));
static_assert(same(hooks_of<Learns>(), {true, false, false}));
static_assert(same(hooks_of<PickyAndTold>(), {false, true, true}));

PolicyHooks builtin_hooks(std::string_view name, std::string_view params = "{}") {
  std::vector<AgentIndex> candidates = {0, 1};
  const std::vector<std::string> agents = {"a", "b"};
  std::vector<ParamProblem> problems;
  const auto policy = make_node_policy(RoutingConfig::named(std::string(name), params), "node",
                                       candidates, agents, 1, PolicyRegistry::global(), problems);
  EXPECT_TRUE(problems.empty()) << name;
  return policy ? policy->hooks() : PolicyHooks{};
}

TEST(PolicyHooks, BuiltinsAskForWhatTheyOverride) {
  EXPECT_TRUE(same(builtin_hooks("static"), {false, false, false}));
  EXPECT_TRUE(same(builtin_hooks("least_loaded"), {false, false, false}));
  EXPECT_TRUE(same(builtin_hooks("latency_ewma"), {true, false, false}));
  EXPECT_TRUE(same(builtin_hooks("thompson"), {true, false, false}));
  EXPECT_TRUE(same(builtin_hooks("cascade", R"({"tiers": ["a", "b"]})"), {false, true, false}));
  // Only static may be answered for (its choice is the first eligible one).
  EXPECT_TRUE(builtin_hooks("static").first_eligible);
  for (const char* name : {"least_loaded", "latency_ewma", "thompson", "round_robin", "p2c"}) {
    EXPECT_FALSE(builtin_hooks(name).first_eligible) << name;
  }
}

// Counts every call; its hooks are what the test says.
struct Counts {
  int observed = 0, asked = 0, finished = 0, chose = 0;
  int decisions_seen = 0, contexts_seen = 0;  // by the quiet observer
};
Counts counts;
PolicyHooks hooks_given;

class Counting final : public RoutingPolicy {
 public:
  Choice choose(const DecisionContext&) override {
    ++counts.chose;
    return {};
  }
  void observe(const AttemptOutcome&) override { ++counts.observed; }
  bool accepts(const AttemptOutcome&) override {
    ++counts.asked;
    return true;
  }
  void request_finished(const RequestOutcome&) override { ++counts.finished; }
  PolicyHooks hooks() const override { return hooks_given; }
};

// Sees the decisions, reads none of their contexts.
class Quiet final : public Observer {
 public:
  bool reads_decision_context() const override { return false; }
  void on_routing_decision(const RoutingDecision& e) override {
    ++counts.decisions_seen;
    if (e.context != nullptr) ++counts.contexts_seen;
  }
};

// With `quiet`, the harness's recorder (which reads everything) is replaced
// by an observer that reads no decision context.
Counts run_with(PolicyHooks hooks, bool quiet = false) {
  static const bool registered = [] {
    PolicyRegistry::global().add({.name = "test_counting_hooks",
                                  .summary = "counts the calls its hooks let through",
                                  .params = "",
                                  .builtin = false},
                                 [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
                                   p.finish();
                                   return std::make_unique<Counting>();
                                 });
    return true;
  }();
  (void)registered;
  counts = {};
  hooks_given = hooks;
  mock_agents::MockAgentConfig agent;
  agent.name = "only";
  agent.latency.base_ms = sim::Distribution::constant(10);
  Workflow wf;
  wf.name = "hooks";
  wf.nodes = {call_node("answer", {0}, 1), terminal("answered")};
  wf.nodes[0].call.routing = RoutingConfig::named("test_counting_hooks", "{}");
  Harness h({agent}, wf);
  Quiet quiet_observer;
  if (quiet) h.orch->set_observer(&quiet_observer);
  h.submit_every(4, 1_s, 100);
  h.run();
  EXPECT_EQ(h.orch->completed(), 4u);
  return counts;
}

TEST(PolicyHooks, TheOrchestratorMakesOnlyTheCallsAskedFor) {
  const Counts all = run_with({});
  EXPECT_EQ(all.observed, 4);
  EXPECT_EQ(all.asked, 4);
  EXPECT_EQ(all.finished, 4);
  const Counts told_only = run_with({.observe = false, .accepts = false, .request_finished = true});
  EXPECT_EQ(told_only.observed, 0);
  EXPECT_EQ(told_only.asked, 0);
  EXPECT_EQ(told_only.finished, 4);
  const Counts none = run_with({false, false, false});
  EXPECT_EQ(none.observed + none.asked + none.finished, 0);
}

// A first_eligible policy (static) is answered for only when nobody reads
// the context: the decisions are the same, made without it.
TEST(PolicyHooks, AFirstEligiblePolicyIsAskedOnlyWhenSomeoneReadsTheContext) {
  const PolicyHooks fixed{false, false, false, true};
  const Counts read = run_with(fixed);
  EXPECT_EQ(read.chose, 4);
  const Counts unread = run_with(fixed, /*quiet=*/true);
  EXPECT_EQ(unread.chose, 0);
  EXPECT_EQ(unread.decisions_seen, 4);
  EXPECT_EQ(unread.contexts_seen, 0);
  // Any other policy is always asked, and its context always shown.
  const Counts asked = run_with({false, false, false, false}, /*quiet=*/true);
  EXPECT_EQ(asked.chose, 4);
  EXPECT_EQ(asked.contexts_seen, 4);
}

}  // namespace
}  // namespace orchsim::orchestration::policy_hooks_test
