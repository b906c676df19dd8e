// Internal to the orchestrator: a gate's choice, as a pure function of what
// its conditions read. Rules are tried in order; the first that holds wins,
// else `otherwise`.
#pragma once

#include <string>

#include "orchestration/reason.hpp"
#include "orchestration/workflow.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration::detail {

// What a gate's conditions can read: the flow's last call step and the request.
struct GateInput {
  // The last call step on this flow; kNoAgent until an agent has answered.
  AgentIndex last_agent = kNoAgent;
  std::uint32_t label = 0;
  double confidence = 0.0;
  bool verdict = false;
  bool last_failed = false;
  mock_agents::ErrorKind last_error = mock_agents::ErrorKind::kNone;
  // The request.
  std::uint32_t class_index = 0;
  double cost_usd = 0.0;
  sim::Time now;
  sim::Time deadline = sim::Time::max();
  const std::vector<std::uint32_t>* visits = nullptr;  // per node
};

// The node to go to; `why`, when not null, gets the reason.
NodeId evaluate_gate(const GateNode& gate, const GateInput& in, Reason* why);

}  // namespace orchsim::orchestration::detail
