// Workflow::validate: every problem is reported, with its node and what is
// wrong, and a valid workflow (with a bounded loop) passes.
#include "orchestration/workflow.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchsim::orchestration::workflow_test {
namespace {

using namespace sim::literals;
using Problems = std::vector<std::string>;

constexpr std::size_t kAgents = 3;

Node call(std::string name, std::vector<AgentIndex> agents, NodeId next) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kCall;
  n.call.agents = std::move(agents);
  n.next = next;
  return n;
}

// plan (0) -> check (1) -[confidence < 0.5]-> plan   (a loop bounded by plan.max_visits)
//                       -otherwise-> fan (2) => search_a (3), search_b (4) => join (5) -> done (6)
Workflow valid() {
  Workflow w;
  w.name = "research";
  Node plan = call("plan", {0}, 1);
  plan.max_visits = 3;
  w.nodes.push_back(plan);

  Node check;
  check.name = "check";
  check.kind = NodeKind::kGate;
  GateRule retry;
  retry.when.what = Condition::What::kConfidenceBelow;
  retry.when.value = 0.5;
  retry.then = 0;
  check.gate.rules = {retry};
  check.gate.otherwise = 2;
  w.nodes.push_back(check);

  Node fan;
  fan.name = "fan";
  fan.kind = NodeKind::kFanOut;
  fan.fan_out.branches = {3, 4};
  fan.fan_out.join = 5;
  w.nodes.push_back(fan);

  w.nodes.push_back(call("search_a", {1}, 5));
  w.nodes.push_back(call("search_b", {2}, 5));

  Node join;
  join.name = "join";
  join.kind = NodeKind::kJoin;
  join.join.policy = JoinPolicy::kAll;
  join.next = 6;
  w.nodes.push_back(join);

  Node done;
  done.name = "done";
  done.kind = NodeKind::kTerminal;
  w.nodes.push_back(done);
  return w;
}

TEST(Workflow, AValidWorkflowWithABoundedLoopPasses) {
  EXPECT_EQ(valid().validate(kAgents), Problems{});
}

TEST(Workflow, ALoopBoundedOnAnyOfItsNodesPasses) {
  Workflow w = valid();
  w.nodes[0].max_visits = 0;
  w.nodes[1].max_visits = 2;  // the gate bounds the loop instead
  EXPECT_EQ(w.validate(kAgents), Problems{});
}

TEST(Workflow, FindLooksNodesUpByName) {
  const Workflow w = valid();
  EXPECT_EQ(w.find("plan"), 0u);
  EXPECT_EQ(w.find("join"), 5u);
  EXPECT_EQ(w.find("nope"), kNoNode);
}

// ---- Structure ----

TEST(Workflow, ReportsAnEmptyWorkflow) {
  EXPECT_EQ(Workflow{}.validate(kAgents),
            Problems{"workflow: found no nodes, expected at least one"});
}

TEST(Workflow, ReportsAnEntryThatIsNotANode) {
  Workflow w = valid();
  w.entry = 99;
  EXPECT_EQ(w.validate(kAgents), Problems{"workflow: entry 99 is not a node"});
}

TEST(Workflow, ReportsEdgesToUnknownNodes) {
  Workflow w = valid();
  w.nodes[0].on_failure = 42;
  w.nodes[1].gate.rules[0].then = 43;
  w.nodes[5].join.on_failure = 44;
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"plan: edge to unknown node 42", "check: edge to unknown node 43",
                      "join: edge to unknown node 44"}));
}

TEST(Workflow, ReportsUnreachableNodes) {
  Workflow w = valid();
  Node orphan;
  orphan.name = "orphan";
  orphan.kind = NodeKind::kTerminal;
  w.nodes.push_back(orphan);
  w.nodes.push_back(Node{});  // unnamed: reported by index
  w.nodes.back().kind = NodeKind::kTerminal;
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"orphan: unreachable from the entry", "node 8: unreachable from the entry"}));
}

TEST(Workflow, ReportsALoopWithoutAnyMaxVisits) {
  Workflow w = valid();
  w.nodes[0].max_visits = 0;
  EXPECT_EQ(w.validate(kAgents),
            Problems{"plan: on a loop without a bound through plan, check (set max_visits on a "
                     "node of it)"});
}

TEST(Workflow, ReportsEveryUnboundedLoopOnce) {
  Workflow w = valid();
  w.nodes[0].max_visits = 0;
  // A second loop: search_a fails back to itself, unbounded.
  w.nodes[3].on_failure = 3;
  // A third loop, through the join: join fails over to the fan-out again.
  w.nodes[5].join.on_failure = 2;
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"plan: on a loop without a bound through plan, check (set max_visits on a "
                      "node of it)",
                      "fan: on a loop without a bound through fan, search_a, search_b, join (set "
                      "max_visits on a node of it)"}));
  // Bounding the fan-out leaves search_a's loop to itself, which is still unbounded.
  w.nodes[2].max_visits = 2;
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"plan: on a loop without a bound through plan, check (set max_visits on a "
                      "node of it)",
                      "search_a: on a loop without a bound through search_a (set max_visits on a "
                      "node of it)"}));
}

TEST(Workflow, ReportsALoopThroughAnExhaustedNode) {
  // plan is bounded, but once exhausted it sends the request to check, whose
  // rule sends it back to plan: plan -> check -> plan for ever, at one
  // instant (a random scenario found this: a stack overflow, no error).
  Workflow w = valid();
  w.nodes[0].on_exhausted = 1;
  EXPECT_EQ(w.validate(kAgents),
            Problems{"plan: on a loop without a bound through plan (exhausted), check (set "
                     "max_visits on a node of it, or send on_exhausted out of the loop)"});
  // A bound on the gate ends the loop (the request ends when it is exhausted).
  w.nodes[1].max_visits = 5;
  EXPECT_EQ(w.validate(kAgents), Problems{});
  // So does sending on_exhausted out of the loop.
  w.nodes[1].max_visits = 0;
  w.nodes[0].on_exhausted = 2;
  EXPECT_EQ(w.validate(kAgents), Problems{});
}

TEST(Workflow, ReportsAnExhaustedNodeThatSendsTheRequestToItself) {
  Workflow w = valid();
  w.nodes[0].on_exhausted = 0;
  EXPECT_EQ(w.validate(kAgents),
            Problems{"plan: on a loop without a bound through plan (exhausted) (set max_visits on "
                     "a node of it, or send on_exhausted out of the loop)"});
}

// ---- Call nodes ----


TEST(Workflow, ReportsUnknownAgentIndices) {
  Workflow w = valid();
  w.nodes[3].call.agents = {1, 7};
  w.nodes[3].call.fallback_agents = {9};
  w.nodes[4].call.hedge.agents = {3};
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"search_a: agent 7 is not an agent (there are 3)",
                      "search_a: fallback agent 9 is not an agent (there are 3)",
                      "search_b: hedge agent 3 is not an agent (there are 3)"}));
}

// Routing policies and their parameters are checked where they are made
// (tests/orchestration/policy_registry_test.cpp), not by Workflow::validate.
TEST(Workflow, LeavesRoutingPoliciesToTheirFactories) {
  Workflow w = valid();
  w.nodes[0].call.routing.policy = "no-such-policy";
  EXPECT_EQ(w.validate(kAgents), Problems{});
}

TEST(Workflow, ReportsACallNodeWithoutNext) {
  Workflow w = valid();
  w.nodes[3].next = kNoNode;
  EXPECT_EQ(w.validate(kAgents), Problems{"search_a: call node has no next"});
}

TEST(Workflow, ReportsZeroMaxAttempts) {
  Workflow w = valid();
  w.nodes[0].call.retry.max_attempts = 0;
  EXPECT_EQ(w.validate(kAgents), Problems{"plan: max_attempts must be >= 1"});
}

TEST(Workflow, ReportsAnUnknownSummarizer) {
  Workflow w = valid();
  w.nodes[0].call.fit = FitPolicy::kSummarize;
  w.nodes[0].call.summarizer = 3;
  EXPECT_EQ(w.validate(kAgents), Problems{"plan: summarizer 3 is not an agent (there are 3)"});
}

TEST(Workflow, ReportsTimeBudgetProblems) {
  Workflow w = valid();
  w.nodes[0].call.time_budget.budget = 2_s;
  w.nodes[0].call.time_budget.fast_agent = 4;
  EXPECT_EQ(w.validate(kAgents), Problems{"plan: fast agent 4 is not an agent (there are 3)"});
  w.nodes[0].call.time_budget.action = TimeBudgetConfig::Action::kDecompose;
  w.nodes[0].call.time_budget.decompose_agent = 5;
  w.nodes[0].call.time_budget.parts = 1;
  EXPECT_EQ(w.validate(kAgents), (Problems{"plan: decompose agent 5 is not an agent (there are 3)",
                                           "plan: decompose parts must be >= 2"}));
  w.nodes[0].call.time_budget.budget = sim::Duration::zero();  // no budget: nothing to check
  EXPECT_EQ(w.validate(kAgents), Problems{});
}

// ---- Gates, fan-outs, joins ----

TEST(Workflow, ReportsAGateWithoutOtherwise) {
  Workflow w = valid();
  GateRule always;
  always.then = 2;
  w.nodes[1].gate.rules.push_back(always);
  w.nodes[1].gate.otherwise = kNoNode;
  EXPECT_EQ(w.validate(kAgents), Problems{"check: gate has no 'otherwise' target"});
}

TEST(Workflow, ReportsAVisitsConditionOnAnUnknownNode) {
  Workflow w = valid();
  GateRule visits;
  visits.when.what = Condition::What::kVisitsAtLeast;
  visits.when.count = 2;  // node left at kNoNode
  visits.then = 2;
  w.nodes[1].gate.rules.push_back(visits);
  EXPECT_EQ(w.validate(kAgents),
            Problems{"check: rule 1 counts visits of unknown node 4294967295"});
  w.nodes[1].gate.rules.back().when.node = 0;
  EXPECT_EQ(w.validate(kAgents), Problems{});
}

TEST(Workflow, ReportsAFanOutWithoutAJoinNode) {
  Workflow w = valid();
  w.nodes[2].fan_out.join = 6;  // a terminal, not a join
  EXPECT_EQ(w.validate(kAgents), Problems{"fan: fan-out must name a join node"});
  w.nodes[2].fan_out.join = kNoNode;
  EXPECT_EQ(w.validate(kAgents), Problems{"fan: fan-out must name a join node"});
}

TEST(Workflow, ReportsAFanOutWithoutBranches) {
  Workflow w = valid();
  w.nodes[2].fan_out.branches.clear();
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"fan: fan-out has no branches", "search_a: unreachable from the entry",
                      "search_b: unreachable from the entry"}));
  // A dynamic (map) fan-out needs no static branches.
  w.nodes[2].fan_out.map_entry = 3;
  w.nodes[2].fan_out.map_count = 4;
  EXPECT_EQ(w.validate(kAgents), Problems{"search_b: unreachable from the entry"});
}

TEST(Workflow, ReportsADeadlineJoinWithoutADeadline) {
  Workflow w = valid();
  w.nodes[5].join.policy = JoinPolicy::kDeadline;
  EXPECT_EQ(w.validate(kAgents), Problems{"join: deadline join needs a deadline > 0"});
  w.nodes[5].join.deadline = 5_s;
  EXPECT_EQ(w.validate(kAgents), Problems{});
}

TEST(Workflow, ReportsAJoinWithoutNext) {
  Workflow w = valid();
  w.nodes[5].next = kNoNode;
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"join: join has no next", "done: unreachable from the entry"}));
}

TEST(Workflow, ReportsEveryKindOfProblemInOneRun) {
  Workflow w = valid();
  w.nodes[0].max_visits = 0;     // unbounded loop
  w.nodes[3].call.agents = {8};  // unknown agent
  w.nodes[4].on_failure = 40;    // unknown edge
  Node orphan;
  orphan.name = "orphan";
  w.nodes.push_back(orphan);  // unreachable
  EXPECT_EQ(w.validate(kAgents),
            (Problems{"search_a: agent 8 is not an agent (there are 3)",
                      "search_b: edge to unknown node 40", "orphan: unreachable from the entry",
                      "plan: on a loop without a bound through plan, check (set max_visits on a "
                      "node of it)"}));
}

TEST(Workflow, NamesAreStable) {
  EXPECT_EQ(to_string(NodeKind::kCall), "call");
  EXPECT_EQ(to_string(NodeKind::kGate), "gate");
  EXPECT_EQ(to_string(NodeKind::kFanOut), "fan_out");
  EXPECT_EQ(to_string(NodeKind::kJoin), "join");
  EXPECT_EQ(to_string(NodeKind::kTerminal), "terminal");
  EXPECT_EQ(to_string(JoinPolicy::kAll), "all");
  EXPECT_EQ(to_string(JoinPolicy::kFirstSuccess), "first_success");
  EXPECT_EQ(to_string(JoinPolicy::kFirstK), "first_k");
  EXPECT_EQ(to_string(JoinPolicy::kQuorum), "quorum");
  EXPECT_EQ(to_string(JoinPolicy::kDeadline), "deadline");
}

}  // namespace
}  // namespace orchsim::orchestration::workflow_test
