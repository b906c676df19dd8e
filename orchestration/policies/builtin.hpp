// The built-in routing policies, one file each; builtin.cpp registers them.
// Each function adds one policy (and its parameters' documentation) to a
// registry.
#pragma once

#include "orchestration/policy_registry.hpp"

namespace orchsim::orchestration::policies {

void register_static(PolicyRegistry& r);
void register_round_robin(PolicyRegistry& r);
void register_weighted_random(PolicyRegistry& r);
void register_least_loaded(PolicyRegistry& r);
void register_latency_ewma(PolicyRegistry& r);
void register_power_of_two(PolicyRegistry& r);
void register_cost_aware(PolicyRegistry& r);
void register_linucb(PolicyRegistry& r);
void register_cascade(PolicyRegistry& r);
void register_thompson(PolicyRegistry& r);
void register_epsilon_greedy(PolicyRegistry& r);

}  // namespace orchsim::orchestration::policies
