// Planner-driven routing through a real Orchestrator and mock agents: a
// planner's output label decides how many parallel branches a dynamic
// fan-out starts (count_from_label) and where a gate sends the request
// (label_is). Every run also checks the orchestrator's invariants (see
// recording_observer.hpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"
#include "tests/orchestration/harness.hpp"

namespace orchsim::orchestration::planner_test {
namespace {

using namespace sim::literals;
using mock_agents::MockAgent;
using mock_agents::MockAgentConfig;
using testing::at;
using testing::call_node;
using testing::Harness;
using testing::terminal;

MockAgentConfig agent(const std::string& name, double latency_ms) {
  MockAgentConfig c;
  c.name = name;
  c.servers = 100;
  c.latency.base_ms = sim::Distribution::constant(latency_ms);
  c.tokens.output_tokens = sim::Distribution::constant(50);
  c.quality.noise_sd = 0.0;
  c.quality.confidence_noise_sd = 0.0;
  return c;
}

// Labels "one", "two", "three": the plan has that many parts.
MockAgentConfig planner(std::vector<double> weights = {1, 2, 1}) {
  MockAgentConfig c = agent("planner", 20);
  c.role = "planner";
  c.labels = {"one", "two", "three"};
  c.label_weights = std::move(weights);
  return c;
}

Node gate(std::string name, std::vector<GateRule> rules, NodeId otherwise) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kGate;
  n.gate.rules = std::move(rules);
  n.gate.otherwise = otherwise;
  return n;
}

GateRule label_is(std::uint32_t label, NodeId then) {
  GateRule rule;
  rule.when.what = Condition::What::kLabelIs;
  rule.when.label = label;
  rule.then = then;
  return rule;
}

Node map_fan_out(NodeId entry, NodeId join, bool from_label, std::uint32_t count = 0) {
  Node n;
  n.name = "fan_out";
  n.kind = NodeKind::kFanOut;
  n.fan_out.map_entry = entry;
  n.fan_out.map_count = count;
  n.fan_out.count_from_label = from_label;
  n.fan_out.join = join;
  return n;
}

Node join_all(NodeId next) {
  Node n;
  n.name = "join";
  n.kind = NodeKind::kJoin;
  n.join.policy = JoinPolicy::kAll;
  n.next = next;
  return n;
}

constexpr std::uint64_t kRequests = 300;

// plan -> gate chain (label 0? 1? 2?) -> fan_out(solve x (label + 1)) -> join(all) -> answered.
// A request with label k passes k + 1 gates, so the gate decisions tell
// the label the orchestrator saw without reading agent internals.
Workflow planner_fan_out() {
  Workflow wf;
  wf.nodes = {
      call_node("plan", {0}, 1),                    // 0
      gate("is_one", {label_is(0, 4)}, 2),          // 1
      gate("is_two", {label_is(1, 4)}, 3),          // 2
      gate("is_three", {label_is(2, 4)}, 8),        // 3
      map_fan_out(5, 6, /*from_label=*/true),       // 4
      call_node("solve", {1}, 6),                   // 5
      join_all(7),                                  // 6
      terminal("answered"),                         // 7
      terminal("unknown_plan", /*success=*/false),  // 8
  };
  wf.nodes[0].call.output = QualityChannel::kNone;
  wf.nodes[5].call.output = QualityChannel::kEvidence;
  return wf;
}

// The label of each request's plan, from the gate decisions.
std::map<RequestId, std::uint32_t> labels_from_gates(const Harness& h) {
  std::map<RequestId, int> gates;
  for (const auto& f : h.obs.flows) {
    if (f.node >= 1 && f.node <= 3) {
      ++gates[f.request];
      if (f.next == 4) {
        EXPECT_EQ(f.node, static_cast<NodeId>(gates[f.request])) << "request " << f.request;
      } else {
        EXPECT_EQ(f.next, f.node + 1) << "request " << f.request;
      }
    }
  }
  std::map<RequestId, std::uint32_t> out;
  for (const auto& [request, count] : gates) out[request] = static_cast<std::uint32_t>(count - 1);
  return out;
}

TEST(Planner, FanOutStartsLabelPlusOneBranches) {
  Harness h({planner(), agent("solver", 100)}, planner_fan_out());
  h.submit_every(kRequests, 10_ms, 200);
  h.run();
  EXPECT_EQ(h.orch->completed(), kRequests);
  for (const auto& outcome : h.obs.outcomes) EXPECT_EQ(outcome, "answered");

  const auto labels = labels_from_gates(h);
  ASSERT_EQ(labels.size(), kRequests);
  const auto plans = h.calls_at(0);
  const auto solves = h.calls_at(5);
  ASSERT_EQ(solves.size(), kRequests);
  std::vector<int> per_label(3, 0);
  for (const auto& [request, label] : labels) {
    SCOPED_TRACE(request);
    ASSERT_LT(label, 3u);
    ++per_label[label];
    EXPECT_EQ(plans.at(request), 1);
    EXPECT_EQ(solves.at(request), static_cast<int>(label) + 1);
  }
  // Every plan size occurs, roughly by its weight (1 : 2 : 1).
  EXPECT_GT(per_label[0], 40);
  EXPECT_GT(per_label[1], per_label[0]);
  EXPECT_GT(per_label[1], per_label[2]);
  EXPECT_GT(per_label[2], 40);

  // The fan-out says so too, once per request, and every branch ran in
  // parallel: the request took plan + one solve.
  std::map<RequestId, int> fan_outs;
  for (const auto& f : h.obs.flows) {
    if (f.node == 4) {
      ++fan_outs[f.request];
      EXPECT_EQ(f.next, 6u);
      EXPECT_EQ(f.reason, "fan out to " + std::to_string(labels.at(f.request) + 1) + " branches");
    }
  }
  EXPECT_EQ(fan_outs.size(), kRequests);
  for (const auto& [request, n] : fan_outs) EXPECT_EQ(n, 1) << request;
  for (const RequestFinished& f : h.obs.finished) {
    EXPECT_EQ(f.latency, 120_ms) << f.request;
    EXPECT_EQ(f.calls, 1u + labels.at(f.request) + 1u) << f.request;
  }
}

TEST(Planner, GateRoutesOnThePlannersLabel) {
  // plan -> gate: label one/two/three -> a terminal of that name.
  Workflow wf;
  wf.nodes = {
      call_node("plan", {0}, 1), gate("route", {label_is(0, 2), label_is(1, 3), label_is(2, 4)}, 5),
      terminal("one"),           terminal("two"),
      terminal("three"),         terminal("unknown_plan", /*success=*/false),
  };
  Harness h({planner()}, wf);
  h.submit_every(kRequests, 10_ms, 200);
  h.run();
  EXPECT_EQ(h.orch->completed(), kRequests);
  std::map<RequestId, std::string> outcome;
  for (const RequestFinished& f : h.obs.finished) outcome[f.request] = std::string(f.outcome);
  ASSERT_EQ(outcome.size(), kRequests);

  // The same seed, planner and request meet the same label (common random
  // numbers): the gate sends each request where the fan-out run's gates
  // said its plan pointed.
  Harness fan({planner(), agent("solver", 100)}, planner_fan_out());
  fan.submit_every(kRequests, 10_ms, 200);
  fan.run();
  const auto labels = labels_from_gates(fan);
  const std::vector<std::string> names = {"one", "two", "three"};
  std::map<std::string, int> counts;
  for (const auto& [request, label] : labels) {
    ASSERT_LT(label, 3u);
    EXPECT_EQ(outcome.at(request), names[label]) << "request " << request;
    ++counts[outcome.at(request)];
  }
  EXPECT_EQ(counts.size(), 3u);
  for (const auto& d : h.obs.flows) {
    EXPECT_EQ(d.node, 1u);
    EXPECT_EQ(d.next, 2u + labels.at(d.request)) << "request " << d.request;
  }
}

TEST(Planner, GateSeesTheLastLabelOnly) {
  // One label only: every request takes the same way.
  Workflow wf;
  wf.nodes = {
      call_node("plan", {0}, 1), gate("route", {label_is(0, 2), label_is(2, 3)}, 4),
      terminal("one"),           terminal("three"),
      terminal("other"),
  };
  Harness h({planner({0, 0, 1})}, wf);
  h.submit_every(50, 10_ms, 200);
  h.run();
  ASSERT_EQ(h.obs.outcomes.size(), 50u);
  for (const auto& o : h.obs.outcomes) EXPECT_EQ(o, "three");
}

TEST(Planner, DynamicMapWithAFixedCountIgnoresTheLabel) {
  Workflow wf = planner_fan_out();
  wf.nodes[4] = map_fan_out(5, 6, /*from_label=*/false, /*count=*/3);
  Harness h({planner(), agent("solver", 100)}, wf);
  h.submit_every(kRequests, 10_ms, 200);
  h.run();
  EXPECT_EQ(h.orch->completed(), kRequests);
  const auto labels = labels_from_gates(h);
  const auto solves = h.calls_at(5);
  ASSERT_EQ(solves.size(), kRequests);
  std::vector<int> per_label(3, 0);
  for (const auto& [request, n] : solves) {
    EXPECT_EQ(n, 3) << "request " << request;
    ++per_label[labels.at(request)];
  }
  for (int n : per_label) EXPECT_GT(n, 0);  // whatever the plan said
}

TEST(Planner, FixedCountMapAddsToStaticBranches) {
  // One static branch (check) plus two copies of solve: three branches.
  Workflow wf;
  wf.nodes = {
      map_fan_out(1, 3, /*from_label=*/false, /*count=*/2),  // 0
      call_node("solve", {0}, 3),                            // 1
      call_node("check", {1}, 3),                            // 2
      join_all(4),                                           // 3
      terminal("answered"),                                  // 4
  };
  wf.nodes[0].fan_out.branches = {2};
  Harness h({agent("solver", 100), agent("checker", 30)}, wf);
  h.submit_every(20, 10_ms, 200);
  h.run();
  EXPECT_EQ(h.orch->completed(), 20u);
  const auto solves = h.calls_at(1);
  const auto checks = h.calls_at(2);
  ASSERT_EQ(solves.size(), 20u);
  ASSERT_EQ(checks.size(), 20u);
  for (const auto& [request, n] : solves) EXPECT_EQ(n, 2) << request;
  for (const auto& [request, n] : checks) EXPECT_EQ(n, 1) << request;
}

TEST(Planner, FailedBranchFailsTheJoin) {
  // The solver always fails: join(all) fails, the request fails, and every
  // call started (failed or cancelled) ends exactly once (the observer checks).
  MockAgentConfig solver = agent("solver", 100);
  solver.outcomes.permanent_error = 1.0;
  Harness h({planner({0, 0, 1}), solver}, planner_fan_out());
  h.submit_every(30, 10_ms, 200);
  h.run();
  EXPECT_EQ(h.orch->failed(), 30u);
  for (const auto& o : h.obs.outcomes) EXPECT_EQ(o, "join_failed");
  const auto solves = h.calls_at(5);
  ASSERT_EQ(solves.size(), 30u);
  for (const auto& [request, n] : solves) EXPECT_EQ(n, 3) << request;
  EXPECT_EQ(h.obs.ended.size(), h.obs.started.size());
}

}  // namespace
}  // namespace orchsim::orchestration::planner_test
