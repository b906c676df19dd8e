// PolicyRegistry: names are checked and unique, entries come sorted, the
// built-ins are flagged, an unknown name gets the list and "did you mean",
// a registry may layer over a parent; make_node_policy reports every
// problem against the node's JSON pointers.
#include "orchestration/policy_registry.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchsim::orchestration::policy_registry_test {
namespace {

// A policy that always picks its node's last candidate.
class Last final : public RoutingPolicy {
 public:
  Choice choose(const DecisionContext& ctx) override { return {.candidate = ctx.size() - 1}; }
};

PolicyInfo info(std::string name, bool builtin = false, std::string summary = {}) {
  PolicyInfo i;
  i.name = std::move(name);
  i.summary = std::move(summary);
  i.builtin = builtin;
  return i;
}

PolicyFactory last_factory() {
  return [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
    p.finish();
    return std::make_unique<Last>();
  };
}

std::vector<std::string> names_of(const std::vector<const PolicyRegistry::Entry*>& entries) {
  std::vector<std::string> out;
  for (const auto* e : entries) out.push_back(e->info.name);
  return out;
}

TEST(PolicyRegistry, TheGlobalTableHoldsTheBuiltInsFlaggedAndSorted) {
  const PolicyRegistry& g = PolicyRegistry::global();
  const std::vector<std::string> builtins = {
      "cascade", "cost_aware",  "epsilon_greedy", "latency_ewma", "least_loaded",   "linucb",
      "p2c",     "round_robin", "static",         "thompson",     "weighted_random"};
  std::vector<std::string> flagged;
  for (const auto* e : g.entries()) {
    if (e->info.builtin) {
      flagged.push_back(e->info.name);
      EXPECT_FALSE(e->info.summary.empty()) << e->info.name;
      EXPECT_NE(e->factory, nullptr);
    }
  }
  EXPECT_EQ(flagged, builtins);
  const std::vector<std::string> names = g.names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names, names_of(g.entries()));
  ASSERT_NE(g.find("p2c"), nullptr);
  EXPECT_EQ(g.find("p2c")->info.name, "p2c");
  EXPECT_EQ(g.find("P2C"), nullptr);
  EXPECT_EQ(g.find("power_of_two"), nullptr);
}

TEST(PolicyRegistry, MalformedNamesThrow) {
  PolicyRegistry r;
  for (const char* bad : {"", "Fast", "fast-er", "2fast", "_fast", "fast er", "fast.er", "fäst"}) {
    EXPECT_THROW(r.add(info(bad), last_factory()), std::invalid_argument) << '"' << bad << '"';
  }
  EXPECT_TRUE(r.names().empty());
  for (const char* good : {"f", "fast", "fast_er", "fast2", "f_2_"}) {
    EXPECT_NO_THROW(r.add(info(good), last_factory())) << good;
  }
  EXPECT_EQ(r.names(), (std::vector<std::string>{"f", "f_2_", "fast", "fast2", "fast_er"}));
}

TEST(PolicyRegistry, TakenNamesAndMissingFactoriesThrow) {
  PolicyRegistry r;
  r.add(info("mine", false, "first"), last_factory());
  try {
    r.add(info("mine", false, "second"), last_factory());
    ADD_FAILURE() << "a taken name was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "routing policy \"mine\" is already registered");
  }
  ASSERT_NE(r.find("mine"), nullptr);
  EXPECT_EQ(r.find("mine")->info.summary, "first");
  EXPECT_THROW(r.add(info("empty"), PolicyFactory()), std::invalid_argument);
  EXPECT_EQ(r.find("empty"), nullptr);
}

TEST(PolicyRegistry, ALayerAddsToItsParentWithoutTouchingIt) {
  PolicyRegistry parent;
  parent.add(info("middle", true), last_factory());
  parent.add(info("zeta"), last_factory());
  PolicyRegistry layer(&parent);
  layer.add(info("alpha", false, "user"), last_factory());
  layer.add(info("omega"), last_factory());
  EXPECT_EQ(layer.names(), (std::vector<std::string>{"alpha", "middle", "omega", "zeta"}));
  EXPECT_EQ(parent.names(), (std::vector<std::string>{"middle", "zeta"}));
  ASSERT_NE(layer.find("middle"), nullptr);
  EXPECT_EQ(layer.find("middle"), parent.find("middle"));  // the parent's own entry
  EXPECT_TRUE(layer.find("middle")->info.builtin);
  ASSERT_NE(layer.find("alpha"), nullptr);
  EXPECT_FALSE(layer.find("alpha")->info.builtin);  // a user's unless said
  EXPECT_EQ(parent.find("alpha"), nullptr);
  // A parent's name is taken for the layer too.
  EXPECT_THROW(layer.add(info("zeta"), last_factory()), std::invalid_argument);
  // Over the global table: the built-ins and the layer's own.
  PolicyRegistry over_global(&PolicyRegistry::global());
  over_global.add(info("registry_test_local"), last_factory());
  EXPECT_NE(over_global.find("thompson"), nullptr);
  EXPECT_NE(over_global.find("registry_test_local"), nullptr);
  EXPECT_EQ(PolicyRegistry::global().find("registry_test_local"), nullptr);
  EXPECT_EQ(over_global.names().size(), PolicyRegistry::global().names().size() + 1);
}

TEST(PolicyRegistry, AnUnknownNameGetsTheListAndDidYouMean) {
  PolicyRegistry parent;
  parent.add(info("round_robin"), last_factory());
  PolicyRegistry r(&parent);
  r.add(info("least_loaded"), last_factory());
  const auto [message, hint] = r.explain_unknown("round-robin");
  EXPECT_EQ(message,
            "found \"round-robin\", expected a registered routing policy: least_loaded, "
            "round_robin");
  EXPECT_EQ(hint, "did you mean \"round_robin\"?");
  EXPECT_EQ(r.explain_unknown("least_load").second, "did you mean \"least_loaded\"?");
  EXPECT_EQ(r.explain_unknown("thompson").second, "");
}

// ---------------------------------------------------------------- make_node_policy

struct Made {
  std::unique_ptr<RoutingPolicy> policy;
  std::vector<ParamProblem> problems;
  std::vector<AgentIndex> candidates = {0, 1};
};

Made make(const RoutingConfig& routing, const PolicyRegistry& registry) {
  static const std::vector<std::string> kNames = {"a", "b", "c"};
  Made m;
  m.policy = make_node_policy(routing, "answer", m.candidates, kNames, 2, registry, m.problems);
  return m;
}

TEST(MakeNodePolicy, MakesTheNamedPolicyWithItsParameters) {
  RoutingConfig c = RoutingConfig::named("epsilon_greedy", R"({"epsilon": 0.5})");
  c.pointer = "/workflow/nodes/0/routing";
  const Made m = make(c, PolicyRegistry::global());
  EXPECT_NE(m.policy, nullptr);
  EXPECT_TRUE(m.problems.empty());
}

TEST(MakeNodePolicy, AnUnknownNameIsAProblemAtPolicy) {
  RoutingConfig c = RoutingConfig::named("tompson");
  c.pointer = "/workflow/nodes/4/routing";
  const Made m = make(c, PolicyRegistry::global());
  EXPECT_EQ(m.policy, nullptr);
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].pointer, "/workflow/nodes/4/routing/policy");
  EXPECT_NE(m.problems[0].message.find("expected a registered routing policy: cascade, "),
            std::string::npos)
      << m.problems[0].message;
  EXPECT_EQ(m.problems[0].hint, "did you mean \"thompson\"?");
}

TEST(MakeNodePolicy, ParameterProblemsCarryTheNodesPointers) {
  RoutingConfig c = RoutingConfig::named("epsilon_greedy", R"({"epsilon": 2, "epsilom": 0.1})");
  c.pointer = "/workflow/nodes/1/routing";
  const Made m = make(c, PolicyRegistry::global());
  ASSERT_EQ(m.problems.size(), 2u);
  EXPECT_EQ(m.problems[0].pointer, "/workflow/nodes/1/routing/params/epsilon");
  EXPECT_EQ(m.problems[1].pointer, "/workflow/nodes/1/routing/params/epsilom");
  EXPECT_EQ(m.problems[1].hint, "did you mean \"epsilon\"?");
}

TEST(MakeNodePolicy, LooksUpTheGivenRegistryUnlessTheLoaderResolvedAFactory) {
  PolicyRegistry local(&PolicyRegistry::global());
  local.add(info("registry_test_last"), last_factory());
  const RoutingConfig c = RoutingConfig::named("registry_test_last");
  EXPECT_NE(make(c, local).policy, nullptr);
  EXPECT_EQ(make(c, PolicyRegistry::global()).policy, nullptr);
  // A resolved factory is used as it is, whatever the registry holds.
  RoutingConfig resolved = c;
  ASSERT_NE(local.find("registry_test_last"), nullptr);
  resolved.factory = local.find("registry_test_last")->factory;
  const Made m = make(resolved, PolicyRegistry::global());
  ASSERT_NE(m.policy, nullptr);
  EXPECT_TRUE(m.problems.empty());
}

TEST(MakeNodePolicy, AFactoryThatMakesNothingIsAProblem) {
  PolicyRegistry r;
  r.add(info("nothing"), [](PolicyParams& p, NodeSpec&) -> std::unique_ptr<RoutingPolicy> {
    p.finish();
    return nullptr;
  });
  RoutingConfig c = RoutingConfig::named("nothing");
  c.pointer = "/n";
  const Made m = make(c, r);
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].pointer, "/n/policy");
  EXPECT_EQ(m.problems[0].message, "the factory of \"nothing\" made no policy");
}

TEST(MakeNodePolicy, TheFactorySeesTheNode) {
  PolicyRegistry r;
  std::string seen;
  r.add(info("spy"), [&seen](PolicyParams& p, NodeSpec& node) -> std::unique_ptr<RoutingPolicy> {
    seen = fmt::format("{} {} {} {}", node.node_name, node.size(), node.agent_names.size(),
                       node.class_count);
    node.candidates->push_back(2);
    p.finish();
    return std::make_unique<Last>();
  });
  const Made m = make(RoutingConfig::named("spy"), r);
  EXPECT_EQ(seen, "answer 2 3 2");
  EXPECT_EQ(m.candidates, (std::vector<AgentIndex>{0, 1, 2}));  // what it added is kept
}

}  // namespace
}  // namespace orchsim::orchestration::policy_registry_test
