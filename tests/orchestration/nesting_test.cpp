// Fan-out at any depth: branches that fan out again, maps inside branches,
// maps of maps; joins at each level keep their semantics (all with fail_fast
// or wait_all and a tolerance, first_success, quorum), and the events nest
// (flow ids form a tree).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::nesting_test {
namespace {

using namespace sim::literals;
using mock_agents::MockAgentConfig;
using testing::at;
using testing::call_node;
using testing::Harness;
using testing::terminal;

MockAgentConfig agent(const std::string& name, double latency_ms, double fails = 0.0) {
  MockAgentConfig c;
  c.name = name;
  c.servers = 1000;
  c.latency.base_ms = sim::Distribution::constant(latency_ms);
  c.tokens.output_tokens = sim::Distribution::constant(10);
  c.tokens.usd_per_1k_input_tokens = 0.001;
  c.quality.noise_sd = 0.0;
  c.quality.confidence_noise_sd = 0.0;
  c.outcomes.permanent_error = fails;
  c.outcomes.error_latency_fraction = 1.0;  // an error takes as long as an answer
  return c;
}

Node fan_out(std::string name, std::vector<NodeId> branches, NodeId join) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kFanOut;
  n.fan_out.branches = std::move(branches);
  n.fan_out.join = join;
  return n;
}

Node map_node(std::string name, NodeId entry, std::uint32_t count, NodeId join) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kFanOut;
  n.fan_out.map_entry = entry;
  n.fan_out.map_count = count;
  n.fan_out.join = join;
  return n;
}

Node join(std::string name, NodeId next, JoinPolicy policy = JoinPolicy::kAll) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kJoin;
  n.join.policy = policy;
  n.next = next;
  return n;
}

// A map of maps of maps: 2 x 2 x 2 leaves, each one call. Every level joins
// with `all`. Each leaf branch has its own flow; the flow ids nest three deep.
Workflow map_of_maps(std::uint32_t width) {
  Workflow wf;
  // 0 m1, 1 m2, 2 m3, 3 leaf, 4 j3, 5 j2, 6 j1, 7 done
  wf.nodes = {map_node("m1", 1, width, 6),
              map_node("m2", 2, width, 5),
              map_node("m3", 3, width, 4),
              call_node("leaf", {0}, 4),
              join("j3", 5),
              join("j2", 6),
              join("j1", 7),
              terminal("done")};
  return wf;
}

class FlowTree final : public Observer {
 public:
  void on_flow_decision(const FlowDecision& e) override {
    for (std::uint32_t b = 0; b < e.branches; ++b) parent[e.first_branch + b] = e.flow;
  }
  void on_call_started(const CallStarted& e) override { call_flows.push_back(e.flow); }
  std::uint32_t depth(std::uint32_t flow) const {
    std::uint32_t d = 0;
    for (auto it = parent.find(flow); it != parent.end(); it = parent.find(it->second)) ++d;
    return d;
  }
  std::map<std::uint32_t, std::uint32_t> parent;
  std::vector<std::uint32_t> call_flows;
};

TEST(NestedFanOut, MapOfMapsOfMapsRunsEveryLeafAndTheFlowsNestThreeDeep) {
  Harness h({agent("worker", 100)}, map_of_maps(2));
  FlowTree tree;
  ObserverList both;
  both.add(&h.obs);
  both.add(&tree);
  h.orch->set_observer(&both);
  h.submit_every(5, 1_s, 50);
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 5u);
  for (const auto& f : h.obs.finished) {
    EXPECT_TRUE(f.success);
    EXPECT_EQ(f.calls, 8u);
    EXPECT_EQ(f.latency, 100_ms);  // every leaf in parallel
  }
  // Each request: 2 + 4 + 8 branches, the leaves three levels down.
  EXPECT_EQ(tree.call_flows.size(), 40u);
  for (const std::uint32_t flow : tree.call_flows) EXPECT_EQ(tree.depth(flow), 3u);
  std::set<std::uint32_t> first_request(tree.call_flows.begin(), tree.call_flows.begin() + 8);
  EXPECT_EQ(first_request.size(), 8u);  // one flow per leaf
}

TEST(NestedFanOut, ABranchThatFansOutWaitsForItsOwnJoin) {
  // 0 fan A -> {1 fast call, 2 fan B}; fan B -> {3 slow, 4 slower} -> 5 join B -> 6 after_b
  // -> 7 join A -> 8 done. The outer join waits for the inner branch's whole path.
  Workflow wf;
  wf.nodes = {fan_out("A", {1, 2}, 7),      call_node("fast", {0}, 7),   fan_out("B", {3, 4}, 5),
              call_node("slow", {1}, 5),    call_node("slower", {2}, 5), join("join_b", 6),
              call_node("after_b", {0}, 7), join("join_a", 8),           terminal("done")};
  Harness h({agent("a", 10), agent("b", 100), agent("c", 200)}, wf);
  h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
  h.run();
  ASSERT_EQ(h.obs.finished.size(), 1u);
  EXPECT_TRUE(h.obs.finished[0].success);
  EXPECT_EQ(h.obs.finished[0].calls, 4u);
  EXPECT_EQ(h.obs.finished[0].latency, 210_ms);  // slower (200) then after_b (10)
  // The inner join's branches added their output to the branch that waited,
  // which passes it on: after_b sees both inner outputs in its context.
  const auto after = std::find_if(h.obs.started.begin(), h.obs.started.end(),
                                  [](const CallStarted& e) { return e.node == 6; });
  ASSERT_NE(after, h.obs.started.end());
  EXPECT_EQ(after->input_tokens, 10 + 10 + 10);
}

// Depth 2: an outer `all` join over branches that each fan out into an
// inner join. `inner` decides each inner group; `outer` the request.
Workflow two_levels(JoinNode inner, JoinNode outer) {
  Workflow wf;
  // 0 outer map x2 -> 1 inner fan {2 ok, 3 flaky, 4 slow} -> 5 inner join -> 6 outer join -> 7
  wf.nodes = {map_node("outer", 1, 2, 6), fan_out("inner", {2, 3, 4}, 5),
              call_node("ok", {0}, 5),    call_node("flaky", {1}, 5),
              call_node("slow", {2}, 5),  join("inner_join", 6),
              join("outer_join", 7),      terminal("done")};
  wf.nodes[5].join = inner;
  wf.nodes[6].join = outer;
  return wf;
}

std::vector<MockAgentConfig> ok_flaky_slow() {
  return {agent("ok", 100), agent("flaky", 50, /*fails=*/1.0), agent("slow", 300)};
}

JoinNode first_k(std::uint32_t k) {
  JoinNode j;
  j.policy = JoinPolicy::kFirstK;
  j.k = k;
  return j;
}

JoinNode policy_join(JoinPolicy policy) {
  JoinNode j;
  j.policy = policy;
  return j;
}

JoinNode all_join(BranchFailure on_failure, std::uint32_t tolerated = JoinNode::kUnset,
                  double percent = -1.0) {
  JoinNode j;
  j.policy = JoinPolicy::kAll;
  j.on_branch_failure = on_failure;
  j.tolerated_failures = tolerated;
  j.tolerated_failure_percent = percent;
  return j;
}

TEST(NestedFanOut, JoinPoliciesHoldAtDepthTwo) {
  struct Case {
    const char* name;
    JoinNode inner, outer;
    bool success;
    sim::Duration latency;
    std::size_t cancelled;
  };
  JoinNode first;
  first.policy = JoinPolicy::kFirstSuccess;
  JoinNode quorum;
  quorum.policy = JoinPolicy::kQuorum;
  const Case cases[] = {
      // The flaky branch fails at 50 ms in both inner groups: fail-fast ends
      // everything then; the outer join fails with it.
      // The second group's flaky call, due at that same instant, is cancelled
      // with the rest: 6 calls, 1 failed, 5 cancelled.
      {"fail_fast inside", all_join(BranchFailure::kFailFast), all_join(BranchFailure::kFailFast),
       false, 50_ms, 5},
      // Waiting for all: the inner groups fail at 300 ms, so does the request
      // (the second group's slow call, due then too, is cancelled).
      {"wait_all inside", all_join(BranchFailure::kWaitAll), all_join(BranchFailure::kFailFast),
       false, 300_ms, 1},
      // Tolerating one failure inside: every group succeeds when its slow branch does.
      {"tolerate one", all_join(BranchFailure::kWaitAll, 1), all_join(BranchFailure::kFailFast),
       true, 300_ms, 0},
      {"tolerate 34%", all_join(BranchFailure::kFailFast, JoinNode::kUnset, 34.0),
       all_join(BranchFailure::kFailFast), true, 300_ms, 0},
      // First success inside: the ok branch at 100 ms; each group's slow one is cancelled.
      {"first_success inside", first, all_join(BranchFailure::kFailFast), true, 100_ms, 2},
      // Quorum (2 of 3) inside: ok at 100, then flaky has failed: slow decides at 300.
      {"quorum inside", quorum, all_join(BranchFailure::kFailFast), true, 300_ms, 0},
      // 2 of 3 inside: ok at 100 and slow at 300 in each group, nothing cancelled.
      {"first_k 2 inside", first_k(2), all_join(BranchFailure::kFailFast), true, 300_ms, 0},
      // 3 of 3 inside cannot happen once flaky failed (50 ms): that group's
      // join fails, and so does the outer one, cancelling the 5 other calls.
      {"first_k 3 inside", first_k(3), all_join(BranchFailure::kFailFast), false, 50_ms, 5},
      // 1 of 2 outside: each group fails fast at 50 ms (cancelling its own ok
      // and slow); the outer join fails when the second does, at 50 ms too.
      {"first_k 1 outside", all_join(BranchFailure::kFailFast), first_k(1), false, 50_ms, 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h(ok_flaky_slow(), two_levels(c.inner, c.outer));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_EQ(h.obs.finished[0].success, c.success);
    EXPECT_EQ(h.obs.finished[0].latency, c.latency);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), c.cancelled);
    EXPECT_EQ(h.obs.started.size(), 6u);  // 2 groups x 3 branches, whatever the policy
  }
}

// Depth 3: map x2 around the depth-two workflow. 12 leaf calls, 4 inner
// groups, 2 middle ones.
Workflow three_levels(JoinNode inner, JoinNode middle, JoinNode outer) {
  Workflow wf;
  // 0 top map x2 -> 1 mid map x2 -> 2 fan {3 ok, 4 flaky, 5 slow} -> 6 j3 -> 7 j2 -> 8 j1 -> 9
  wf.nodes = {map_node("top", 1, 2, 8),
              map_node("mid", 2, 2, 7),
              fan_out("inner", {3, 4, 5}, 6),
              call_node("ok", {0}, 6),
              call_node("flaky", {1}, 6),
              call_node("slow", {2}, 6),
              join("j3", 7),
              join("j2", 8),
              join("j1", 9),
              terminal("done")};
  wf.nodes[6].join = inner;
  wf.nodes[7].join = middle;
  wf.nodes[8].join = outer;
  return wf;
}

TEST(NestedFanOut, JoinPoliciesHoldAtDepthThree) {
  {
    // Every inner group fails (flaky fails, nothing tolerated): the middle
    // groups tolerate it (wait_all, 2 tolerated), the top one fails fast on
    // nothing: the request succeeds after every slow branch.
    Harness h(ok_flaky_slow(),
              three_levels(all_join(BranchFailure::kWaitAll), all_join(BranchFailure::kWaitAll, 2),
                           all_join(BranchFailure::kFailFast)));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_TRUE(h.obs.finished[0].success);
    EXPECT_EQ(h.obs.finished[0].latency, 300_ms);
    EXPECT_EQ(h.obs.started.size(), 12u);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), 0u);
  }
  {
    // The same, but the middle joins tolerate only one failed inner group:
    // the first fails when its second group does (300 ms), and the top fails
    // fast, cancelling the two slow calls of the other middle group.
    Harness h(ok_flaky_slow(),
              three_levels(all_join(BranchFailure::kWaitAll), all_join(BranchFailure::kFailFast, 1),
                           all_join(BranchFailure::kFailFast)));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_FALSE(h.obs.finished[0].success);
    EXPECT_EQ(h.obs.finished[0].outcome, "join_failed");
    EXPECT_EQ(h.obs.finished[0].latency, 300_ms);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), 2u);
  }
  {
    // Fail fast all the way up: the first flaky failure (50 ms) ends the
    // request and cancels the other 11 calls still running.
    Harness h(ok_flaky_slow(),
              three_levels(all_join(BranchFailure::kFailFast), all_join(BranchFailure::kFailFast),
                           all_join(BranchFailure::kFailFast)));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    EXPECT_FALSE(h.obs.finished[0].success);
    EXPECT_EQ(h.obs.finished[0].latency, 50_ms);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), 11u);
  }
}

// any (first_success), k of n (first_k) and quorum at every level of three.
// Each case is decided whatever the order of the calls that end at the same
// instant in the four identical groups.
TEST(NestedFanOut, AnyKOfNAndQuorumJoinsHoldAtDepthThree) {
  struct Case {
    const char* name;
    JoinNode inner, middle, outer;
    bool success;
    sim::Duration latency;
    std::size_t cancelled;
  };
  JoinNode tolerate_both = all_join(BranchFailure::kWaitAll, 2);
  const Case cases[] = {
      // Every group's ok answers at 100 ms and cancels its slow call; each
      // middle join needs both its groups, the top quorum (2 of 2) both middles.
      {"any, 2 of 2, quorum", policy_join(JoinPolicy::kFirstSuccess), first_k(2),
       policy_join(JoinPolicy::kQuorum), true, 100_ms, 4},
      // Each group's quorum (2 of 3) comes with its slow call at 300 ms; the
      // top needs both middles: every call ends by itself.
      {"quorum, all waiting, 2 of 2", policy_join(JoinPolicy::kQuorum),
       all_join(BranchFailure::kWaitAll), first_k(2), true, 300_ms, 0},
      // 3 of 3 fails in every group at 50 ms (flaky), cancelling its ok and
      // slow; the middle joins accept 2 failed groups of 2 and succeed; so
      // does the top quorum, at 50 ms.
      {"3 of 3, all tolerating 2, quorum", first_k(3), tolerate_both,
       policy_join(JoinPolicy::kQuorum), true, 50_ms, 8},
      // 1 of 2 in the middle after groups that fail fast: each middle join
      // fails when its second group does (50 ms), and the top one with them.
      {"fail fast, 1 of 2, any", all_join(BranchFailure::kFailFast), first_k(1),
       policy_join(JoinPolicy::kFirstSuccess), false, 50_ms, 8},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h(ok_flaky_slow(), three_levels(c.inner, c.middle, c.outer));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_EQ(h.obs.finished[0].success, c.success);
    EXPECT_EQ(h.obs.finished[0].latency, c.latency);
    EXPECT_EQ(h.obs.started.size(), 12u);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), c.cancelled);
    // The four flaky calls always fail by themselves: no join decides before them.
    EXPECT_EQ(h.obs.ended_with(CallEnd::kError).size(), 4u);
    if (!c.success) {
      EXPECT_EQ(h.obs.finished[0].outcome, "join_failed");
    }
  }
}

// The same `all` join, inside a sub-workflow, fail_fast against wait_all:
// fail_fast ends the run (and the request) at the first failure, cancelling
// the branches still running; wait_all lets every branch end and ends at the
// slowest one's. Neither tolerates a failure, so both fail.
TEST(JoinPolicy, FailFastEndsAtTheFirstFailureAndWaitAllAtTheSlowestBranch) {
  struct Branch {
    double ms;
    bool fails;
  };
  const std::vector<std::vector<Branch>> sets = {
      {{100, false}, {50, true}, {300, false}},
      {{400, false}, {250, true}, {120, false}},  // the failure after a success
      {{80, true}, {60, true}, {200, false}, {30, false}},
  };
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const std::vector<Branch>& branches = sets[i];
    double first_failure = 1e9, slowest = 0;
    for (const Branch& b : branches) {
      if (b.fails) first_failure = std::min(first_failure, b.ms);
      slowest = std::max(slowest, b.ms);
    }
    std::size_t running_at_first_failure = 0;
    for (const Branch& b : branches) running_at_first_failure += b.ms > first_failure;
    for (const BranchFailure policy : {BranchFailure::kFailFast, BranchFailure::kWaitAll}) {
      const bool fail_fast = policy == BranchFailure::kFailFast;
      SCOPED_TRACE(::testing::Message() << "set " << i << (fail_fast ? " fail_fast" : " wait_all"));
      // top: ask (runs "svc") -> done; svc: fan {b0, b1, ...} -> join -> ok
      std::vector<MockAgentConfig> agents;
      std::vector<Node> svc = {fan_out("fan", {}, static_cast<NodeId>(branches.size() + 1))};
      const auto join_at = static_cast<NodeId>(branches.size() + 1);
      for (std::size_t b = 0; b < branches.size(); ++b) {
        agents.push_back(
            agent("b" + std::to_string(b), branches[b].ms, branches[b].fails ? 1.0 : 0.0));
        svc[0].fan_out.branches.push_back(static_cast<NodeId>(b + 1));
        svc.push_back(call_node("b" + std::to_string(b), {static_cast<AgentIndex>(b)}, join_at));
      }
      svc.push_back(join("join", join_at + 1));
      svc.back().join = all_join(policy);
      svc.push_back(terminal("ok"));
      Workflow wf;
      wf.nodes = {call_node("ask", {}, 1), terminal("done")};
      wf.nodes[0].call.sub_workflow = wf.add_sub_workflow("svc", svc);
      Harness h(agents, wf);
      h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
      h.run();
      const auto ms = [](double x) {
        return sim::Duration::milliseconds(static_cast<std::int64_t>(x));
      };
      const sim::Duration expected = ms(fail_fast ? first_failure : slowest);
      ASSERT_EQ(h.obs.finished.size(), 1u);
      EXPECT_FALSE(h.obs.finished[0].success);
      EXPECT_EQ(h.obs.finished[0].latency, expected);
      ASSERT_EQ(h.obs.runs_ended.size(), 1u);
      EXPECT_EQ(h.obs.runs_ended[0].at, at(expected));
      EXPECT_EQ(h.obs.runs_ended[0].end, CallEnd::kError);
      EXPECT_EQ(h.obs.started.size(), branches.size());
      EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(),
                fail_fast ? running_at_first_failure : 0u);
      for (const CallEnded& e : h.obs.ended) EXPECT_LE(e.at, at(expected));
    }
  }
}

TEST(JoinPolicy, WaitAllWaitsForEveryBranchWhereFailFastStopsAtTheFirstFailure) {
  // One level: ok (100 ms), flaky (fails at 50 ms), slow (300 ms).
  const auto one_level = [](JoinNode j) {
    Workflow wf;
    wf.nodes = {fan_out("fan", {1, 2, 3}, 4), call_node("ok", {0}, 4), call_node("flaky", {1}, 4),
                call_node("slow", {2}, 4),    join("join", 5),         terminal("done")};
    wf.nodes[4].join = j;
    return wf;
  };
  struct Case {
    const char* name;
    JoinNode join;
    bool success;
    sim::Duration latency;
    std::size_t cancelled;
  };
  const Case cases[] = {
      {"fail_fast", all_join(BranchFailure::kFailFast), false, 50_ms, 2},
      {"wait_all", all_join(BranchFailure::kWaitAll), false, 300_ms, 0},
      {"wait_all, 1 tolerated", all_join(BranchFailure::kWaitAll, 1), true, 300_ms, 0},
      {"fail_fast, 1 tolerated", all_join(BranchFailure::kFailFast, 1), true, 300_ms, 0},
      // floor(33% of 3) = 0 tolerated; floor(34% of 3) = 1.
      {"fail_fast, 33%", all_join(BranchFailure::kFailFast, JoinNode::kUnset, 33.0), false, 50_ms,
       2},
      {"wait_all, 34%", all_join(BranchFailure::kWaitAll, JoinNode::kUnset, 34.0), true, 300_ms, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h(ok_flaky_slow(), one_level(c.join));
    h.submit_at(at(0_s), {.id = 1, .input_tokens = 10});
    h.run();
    ASSERT_EQ(h.obs.finished.size(), 1u);
    EXPECT_EQ(h.obs.finished[0].success, c.success);
    EXPECT_EQ(h.obs.finished[0].latency, c.latency);
    EXPECT_EQ(h.obs.ended_with(CallEnd::kCancelled).size(), c.cancelled);
    if (!c.success) {
      EXPECT_EQ(h.obs.finished[0].outcome, "join_failed");
    }
  }
}

TEST(NestedFanOut, ManyRequestsWithFailuresEndOnceAndLeaveNothingInFlight) {
  // Failing and slow agents at every level of a map of maps of maps: every
  // request and call ends exactly once (the harness and observer check).
  auto flaky = agent("worker", 20);
  flaky.latency.base_ms = sim::Distribution::exponential_mean(30.0);
  flaky.outcomes.permanent_error = 0.0;
  flaky.outcomes.transient_error = 0.3;
  Workflow wf = map_of_maps(3);
  wf.nodes[3].call.retry.max_attempts = 2;
  wf.nodes[3].call.attempt_timeout = 60_ms;
  wf.nodes[4].join = all_join(BranchFailure::kWaitAll, 1);
  wf.nodes[5].join.policy = JoinPolicy::kQuorum;
  Harness h({flaky}, wf);
  for (std::uint64_t i = 0; i < 200; ++i) {
    h.submit_at(
        at(sim::Duration::milliseconds(static_cast<std::int64_t>(i * 7))),
        {.id = i,
         .input_tokens = 30,
         .deadline = at(sim::Duration::milliseconds(static_cast<std::int64_t>(i * 7) + 400))});
  }
  h.run();
  EXPECT_EQ(h.obs.finished.size(), 200u);
  EXPECT_EQ(h.obs.started.size(), h.obs.ended.size());
  std::size_t ok = 0;
  for (const auto& f : h.obs.finished) ok += f.success;
  EXPECT_GT(ok, 0u);
  EXPECT_LT(ok, 200u);
}

}  // namespace
}  // namespace orchsim::orchestration::nesting_test
