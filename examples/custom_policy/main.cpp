// Registers PerClassGreedy under the name "per_class_greedy" and runs the
// built-in learned_router scenario with it, against the scenario's own LinUCB
// bandit on the same seed (the same world: common random numbers). Then a
// paired comparison over replications, as `orchsim compare` makes one: the
// difference per replication seed, with its 95% CI.
//
//   custom_policy [requests] [replications]      (default 5000, 5)
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "eval/comparison.hpp"
#include "eval/metric_names.hpp"
#include "eval/replications.hpp"
#include "eval/runner.hpp"
#include "orchestration/policy_registry.hpp"
#include "per_class_greedy.hpp"
#include "scenarios/scenario.hpp"

namespace orch = orchsim::orchestration;

int main(int argc, char** argv) {
  const std::uint64_t requests = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 5000;
  const std::uint64_t replications = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 5;
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
  std::vector<std::vector<orchsim::eval::RunMetrics>> replicated;  // linucb's, then ours
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
    // The run's numbers as a typed value (eval/run_metrics.hpp); a field the
    // run had no data for (a mean of nothing) is empty.
    const orchsim::eval::RunMetrics metrics = result.metrics->result();
    std::cout << policy << ": completed " << result.completed << " of " << result.arrived
              << ", quality pass rate " << metrics.quality.pass_rate.value_or(0)
              << ", cost per request " << metrics.per_request.cost_usd.value_or(0) << " USD, calls";
    for (const orchsim::eval::AgentMetrics& agent : metrics.agents) {
      std::cout << " " << agent.name << "=" << agent.calls_started;
    }
    std::cout << "\n";
    orchsim::eval::ReplicationOptions paired;
    paired.replications = replications;
    paired.seed = 7;  // the same seeds for both policies: common random numbers
    paired.requests = requests;
    replicated.insert(replicated.begin(),
                      orchsim::eval::run_replications(*loaded.scenario, paired).metrics);
  }
  std::cout << "per_class_greedy - linucb over " << replications << " paired replications:\n";
  for (const auto& c : orchsim::eval::compare(replicated[0], replicated[1])) {
    namespace metric = orchsim::eval::metric;
    if (c.name != metric::kPassRate && c.name != metric::kCostPerRequest) continue;
    std::cout << "  " << c.name << ": " << c.variant_mean - c.base_mean << " (95% CI "
              << c.paired.low() << " to " << c.paired.high() << ", " << c.width_ratio
              << "x narrower than unpaired)\n";
  }
  return 0;
}
