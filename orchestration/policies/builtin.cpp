#include "orchestration/policies/builtin.hpp"

namespace orchsim::orchestration {

void register_builtin_policies(PolicyRegistry& r) {
  using namespace policies;
  register_static(r);
  register_round_robin(r);
  register_weighted_random(r);
  register_least_loaded(r);
  register_latency_ewma(r);
  register_power_of_two(r);
  register_cost_aware(r);
  register_linucb(r);
  register_cascade(r);
  register_thompson(r);
  register_epsilon_greedy(r);
}

}  // namespace orchsim::orchestration
