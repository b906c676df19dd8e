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

namespace orchsim::orchestration {
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

TEST(NestedFanOut, JoinPoliciesHoldAtDepthThree) {
  // A third level: map x2 around the depth-two workflow. 12 leaf calls.
  const auto three_levels = [](JoinNode inner, JoinNode middle, JoinNode outer) {
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
  };
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
}  // namespace orchsim::orchestration
