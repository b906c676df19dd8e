// Tail amplification: a request that fans out to n parallel calls and waits
// for all of them (join policy all) is slow when any call is slow. With each
// call slow independently with probability p, P(request slow) = 1 - (1 - p)^n
// (REFERENCE.md "Tail amplification": p = 1%, n = 100 gives 63%).
//
// Each call's latency is a mixture: 10 ms with probability 1 - p, 1000 ms
// with probability p; a request is slow when its latency exceeds 500 ms.
// Requests are 2 s apart and every branch has its own server, so there is no
// queueing: the request latency is the maximum of its calls'. The check is a
// 95% Wilson score interval for the binomial share of slow requests
// (K requests, fixed seeds), which must contain the analytic value and
// exclude the two usual wrong answers: p (branches perfectly correlated, as
// if all copies shared one random draw) and min(1, n p) (the union bound).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"

namespace orchsim::validation::tail_amplification_test {
namespace {

using namespace orchestration;
using mock_agents::MockAgent;
using mock_agents::MockAgentConfig;

constexpr double kFastMs = 10.0, kSlowMs = 1000.0;
constexpr sim::Duration kThreshold = sim::Duration::milliseconds(500);
constexpr double kZ975 = 1.959963984540054;

struct Wilson {
  double lo, hi;
  bool contains(double x) const { return lo <= x && x <= hi; }
};

Wilson wilson(std::uint64_t successes, std::uint64_t trials) {
  const auto n = static_cast<double>(trials);
  const double ph = static_cast<double>(successes) / n;
  const double z2 = kZ975 * kZ975;
  const double centre = (ph + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ975 * std::sqrt(ph * (1 - ph) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {centre - half, centre + half};
}

MockAgentConfig bimodal_agent(const std::string& name, double p_slow, std::uint32_t servers) {
  MockAgentConfig c;
  c.name = name;
  c.servers = servers;
  c.latency.base_ms = sim::Distribution::mixture(
      {1.0 - p_slow, p_slow},
      {sim::Distribution::constant(kFastMs), sim::Distribution::constant(kSlowMs)});
  return c;
}

Node call_node(std::string name, AgentIndex agent, NodeId next) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kCall;
  n.call.agents = {agent};
  n.next = next;
  return n;
}

// 0 fan-out -> n branches -> join (all) -> terminal. `static_branches`: n
// distinct call nodes (each on its own agent); otherwise n copies of one
// call node (map).
Workflow fan_out_workflow(std::uint32_t n, bool static_branches) {
  Workflow wf;
  Node fo;
  fo.name = "fan_out";
  fo.kind = NodeKind::kFanOut;
  wf.nodes.push_back(fo);
  const NodeId join = static_branches ? 1 + n : 2;
  if (static_branches) {
    for (std::uint32_t b = 0; b < n; ++b) {
      wf.nodes[0].fan_out.branches.push_back(1 + b);
      wf.nodes.push_back(call_node("branch" + std::to_string(b), b, join));
    }
  } else {
    wf.nodes[0].fan_out.map_entry = 1;
    wf.nodes[0].fan_out.map_count = n;
    wf.nodes.push_back(call_node("branch", 0, join));
  }
  wf.nodes[0].fan_out.join = join;
  Node j;
  j.name = "join";
  j.kind = NodeKind::kJoin;
  j.join.policy = JoinPolicy::kAll;
  j.next = join + 1;
  wf.nodes.push_back(j);
  Node t;
  t.name = "answered";
  t.kind = NodeKind::kTerminal;
  wf.nodes.push_back(t);
  return wf;
}

class SlowCounter final : public Observer {
 public:
  void on_request_finished(const RequestFinished& e) override {
    ++finished;
    if (e.success) ++succeeded;
    if (e.latency > kThreshold) ++slow;
  }
  void on_call_ended(const CallEnded& e) override {
    ++calls;
    if (e.duration > kThreshold) ++slow_calls;
  }
  std::uint64_t finished = 0, succeeded = 0, slow = 0, calls = 0, slow_calls = 0;
};

struct TailResult {
  std::uint64_t requests = 0, slow = 0, calls = 0, slow_calls = 0;
};

TailResult run_fan_out(std::uint32_t n, double p, std::uint64_t requests, std::uint64_t seed,
                       bool static_branches) {
  sim::Simulation sim;
  const sim::RandomSource rng(seed);
  std::vector<std::unique_ptr<MockAgent>> agents;
  std::vector<mock_agents::Agent*> pointers;
  const std::uint32_t agent_count = static_branches ? n : 1;
  for (std::uint32_t a = 0; a < agent_count; ++a) {
    agents.push_back(std::make_unique<MockAgent>(
        sim, rng, bimodal_agent("agent" + std::to_string(a), p, static_branches ? 1 : n)));
    pointers.push_back(agents.back().get());
  }
  const Workflow wf = fan_out_workflow(n, static_branches);
  const auto problems = wf.validate(pointers.size());
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : problems.front());
  Orchestrator orch(sim, rng, wf, pointers, OrchestratorConfig{});
  SlowCounter counter;
  orch.set_observer(&counter);
  for (std::uint64_t i = 0; i < requests; ++i) {
    sim.schedule_at(sim::Time::zero() + sim::Duration::seconds(2 * static_cast<std::int64_t>(i)),
                    [&orch, i] { orch.submit({.id = i}); });
  }
  sim.run();
  EXPECT_EQ(counter.finished, requests);
  EXPECT_EQ(counter.succeeded, requests);
  EXPECT_EQ(counter.calls, requests * n);  // one call per branch: no retries, no hedges
  EXPECT_EQ(orch.in_flight(), 0u);
  return {counter.finished, counter.slow, counter.calls, counter.slow_calls};
}

void check_tail(std::uint32_t n, double p, std::uint64_t requests, std::uint64_t seed,
                bool static_branches) {
  const std::string label =
      (static_branches ? "static n=" : "map n=") + std::to_string(n) + " p=" + std::to_string(p);
  SCOPED_TRACE(label);
  const TailResult r = run_fan_out(n, p, requests, seed, static_branches);
  const double expected = 1.0 - std::pow(1.0 - p, n);
  const double measured = static_cast<double>(r.slow) / static_cast<double>(r.requests);
  const Wilson ci = wilson(r.slow, r.requests);
  const Wilson call_ci = wilson(r.slow_calls, r.calls);
  std::printf(
      "[validation] tail %-22s K %llu  expected %.4f measured %.4f  95%% CI [%.4f, %.4f]  "
      "per-call slow %.4f [%.4f, %.4f]\n",
      label.c_str(), static_cast<unsigned long long>(r.requests), expected, measured, ci.lo, ci.hi,
      static_cast<double>(r.slow_calls) / static_cast<double>(r.calls), call_ci.lo, call_ci.hi);
  // Each call is slow with probability p...
  EXPECT_TRUE(call_ci.contains(p))
      << "per-call slow share [" << call_ci.lo << ", " << call_ci.hi << "] excludes p = " << p;
  // ... and the request with 1 - (1 - p)^n.
  EXPECT_TRUE(ci.contains(expected))
      << "expected " << expected << " outside [" << ci.lo << ", " << ci.hi << "]";
  EXPECT_NEAR(measured, expected, 0.1 * expected + 0.005);  // sanity
  EXPECT_LT(ci.hi - ci.lo, 0.05);                           // narrow enough to decide
  if (n > 1) {
    EXPECT_FALSE(ci.contains(p)) << "cannot tell independent branches from correlated ones";
    EXPECT_FALSE(ci.contains(std::min(1.0, n * p))) << "cannot tell the union bound from the truth";
  }
}

TEST(TailAmplificationValidation, WilsonIntervalIsRight) {
  // Published values: 50 of 100 -> [0.4038, 0.5962]; 0 of 10 -> [0, 0.2775].
  const Wilson w = wilson(50, 100);
  EXPECT_NEAR(w.lo, 0.4038, 1e-4);
  EXPECT_NEAR(w.hi, 0.5962, 1e-4);
  const Wilson z = wilson(0, 10);
  EXPECT_NEAR(z.lo, 0.0, 1e-12);
  EXPECT_NEAR(z.hi, 0.2775, 1e-4);
}

TEST(TailAmplificationValidation, OneBranch) { check_tail(1, 0.05, 4000, 101, false); }
TEST(TailAmplificationValidation, FiveMapBranches) { check_tail(5, 0.05, 4000, 102, false); }
TEST(TailAmplificationValidation, FiveStaticBranches) { check_tail(5, 0.05, 4000, 103, true); }
TEST(TailAmplificationValidation, TwentyMapBranches) { check_tail(20, 0.05, 4000, 104, false); }
// REFERENCE.md's example: p = 1%, n = 100 -> 63.4%.
TEST(TailAmplificationValidation, HundredMapBranchesAtOnePercent) {
  check_tail(100, 0.01, 4000, 105, false);
}

// A map fan-out wider than 255 copies. Until issue 22 a call's randomness
// was keyed by the node's visit count capped at 255, so copies 255 and up
// shared one draw (seed 106: 0.228 [0.215, 0.241], what 255 independent
// copies give, where 1 - 0.999^400 = 0.330 is expected).
TEST(TailAmplificationValidation, FourHundredMapBranchesAtOnePerMille) {
  check_tail(400, 0.001, 4000, 106, false);
}
}  // namespace
}  // namespace orchsim::validation::tail_amplification_test
