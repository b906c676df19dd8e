// Reads a call node's "routing" object and checks its policy against the
// policy registry (the one table of policies, orchestration/policy_registry.hpp).
//
//   "routing": { "policy": "epsilon_greedy", "params": { "epsilon": 0.05 } }
//
// Format version 1 also keeps some parameters of built-in policies next to
// "policy" (weights, min_confidence, exploration, cost_weight, tiers,
// accept_confidence): they are checked as they always were, whatever the
// policy, so switching the policy with --set keeps a file valid; the policy
// reads the ones it uses. Keys inside "params" belong to the policy alone,
// and an unknown one is an error.
#pragma once

#include <string>
#include <vector>

#include "orchestration/policy_registry.hpp"
#include "orchestration/workflow.hpp"
#include "scenarios/diagnostics.hpp"
#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios {

// Reads `routing` (at pointer `at`) into `call.routing`, checking the flat
// keys; the policy itself is checked later by check_routing(), once the
// node's agents are known.
void read_routing(const Json& routing, const std::string& at, orchestration::CallNode& call,
                  const std::vector<std::string>& agent_names, Diagnostics& d);

// Makes the node's policy once (its factory checks its parameters and may add
// candidates, e.g. a cascade's tiers, which are kept in call.agents) and
// records the factory in call.routing. Problems go to `d`, except where a
// problem was already reported at the same place.
void check_routing(orchestration::CallNode& call, const std::string& node_name,
                   const std::vector<std::string>& agent_names, std::uint32_t class_count,
                   const orchestration::PolicyRegistry& registry, Diagnostics& d);

}  // namespace orchsim::scenarios
