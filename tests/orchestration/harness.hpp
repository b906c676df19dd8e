// Shared pieces of the orchestrator tests: workflow node builders and a
// harness owning a simulation, mock agents, a workflow and the orchestrator
// under test, with a RecordingObserver that checks the invariants.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "orchestration/orchestrator.hpp"
#include "tests/orchestration/recording_observer.hpp"

namespace orchsim::orchestration::testing {

inline sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

inline Node call_node(std::string name, std::vector<AgentIndex> agents, NodeId next) {
  Node n;
  n.name = std::move(name);
  n.kind = NodeKind::kCall;
  n.call.agents = std::move(agents);
  n.next = next;
  return n;
}

inline Node terminal(std::string name, bool success = true) {
  Node n;
  n.name = name;
  n.kind = NodeKind::kTerminal;
  n.terminal.success = success;
  n.terminal.outcome = std::move(name);
  return n;
}

struct Harness {
  explicit Harness(std::vector<mock_agents::MockAgentConfig> configs, Workflow wf,
                   OrchestratorConfig oc = OrchestratorConfig{}, std::uint64_t seed = 1)
      : rng(seed), workflow(std::move(wf)) {
    EXPECT_EQ(workflow.validate(configs.size()), std::vector<std::string>{});
    std::vector<mock_agents::Agent*> pointers;
    for (auto& c : configs) {
      agents.push_back(std::make_unique<mock_agents::MockAgent>(sim, rng, c));
      pointers.push_back(agents.back().get());
    }
    orch = std::make_unique<Orchestrator>(sim, rng, workflow, pointers, oc);
    orch->set_observer(&obs);
  }
  void submit_at(sim::Time t, RequestInput in) {
    sim.schedule_at(t, [this, in] { orch->submit(in); });
  }
  // Requests 0..n-1, one every `gap`.
  void submit_every(std::uint64_t n, sim::Duration gap, std::int64_t input_tokens) {
    for (std::uint64_t i = 0; i < n; ++i) {
      submit_at(at(gap * static_cast<std::int64_t>(i)), {.id = i, .input_tokens = input_tokens});
    }
  }
  // Runs to the end and checks that nothing is left open.
  void run() {
    sim.run();
    obs.expect_all_closed();
    EXPECT_EQ(orch->in_flight(), 0u);
    EXPECT_EQ(orch->completed() + orch->failed(), orch->arrived());
    EXPECT_EQ(orch->calls_in_flight(), 0u);
  }
  // Calls started at `node`, per request.
  std::map<RequestId, int> calls_at(NodeId node) const {
    std::map<RequestId, int> out;
    for (const CallStarted& e : obs.started) {
      if (e.node == node) ++out[e.request];
    }
    return out;
  }

  sim::Simulation sim;
  sim::RandomSource rng;
  Workflow workflow;
  std::vector<std::unique_ptr<mock_agents::MockAgent>> agents;
  std::unique_ptr<Orchestrator> orch;
  RecordingObserver obs;
};

}  // namespace orchsim::orchestration::testing
