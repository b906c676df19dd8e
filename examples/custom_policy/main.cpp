// Registers PerClassGreedy under the name "per_class_greedy" and runs the
// built-in learned_router scenario with it, against the scenario's own LinUCB
// bandit on the same seed (the same world: common random numbers).
//
//   custom_policy [requests]      (default 5000)
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "eval/runner.hpp"
#include "orchestration/policy_registry.hpp"
#include "per_class_greedy.hpp"
#include "scenarios/scenario.hpp"

namespace orch = orchsim::orchestration;

int main(int argc, char** argv) {
  const std::uint64_t requests = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 5000;
  orch::PolicyRegistry::global().add(
      {.name = "per_class_greedy",
       .summary = "per class, the candidate with the best mean confidence minus cost",
       .params = "cost_weight (default 25)"},
      [](orch::PolicyParams& p, orch::NodeSpec& node) -> std::unique_ptr<orch::RoutingPolicy> {
        const double cost_weight = p.number("cost_weight", 25.0, {0.0, 1e6});
        p.finish();  // unknown keys in routing.params are errors, with JSON pointers
        return std::make_unique<PerClassGreedy>(node.size(), node.class_count, cost_weight);
      });

  std::cout << "built-in scenarios in " << orchsim::scenarios::library_dir() << "\n";
  for (const std::string policy : {"per_class_greedy", "linucb"}) {
    orchsim::scenarios::LoadOptions load;
    load.overrides = {{"/workflow/nodes/0/routing/policy", policy}};
    const orchsim::scenarios::LoadResult loaded =
        orchsim::scenarios::load_scenario("learned_router", load);
    if (!loaded.ok()) {
      std::cerr << loaded.diagnostics.format();
      return 2;
    }
    orchsim::eval::RunOptions options;
    options.requests = requests;
    options.seed = 7;
    const orchsim::eval::RunResult result = orchsim::eval::run_scenario(*loaded.scenario, options);
    const auto metrics = result.metrics->to_json();
    std::cout << policy << ": completed " << result.completed << " of " << result.arrived
              << ", quality pass rate " << metrics["quality"]["pass_rate"] << ", cost per request "
              << metrics["per_request"]["cost_usd"] << " USD, calls";
    for (const auto& agent : metrics["agents"]) {
      std::cout << " " << agent["name"].get<std::string>() << "=" << agent["calls_started"];
    }
    std::cout << "\n";
  }
  return 0;
}
