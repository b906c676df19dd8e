// The JSON summaries of a compare or sweep experiment, made from its
// replication sets: what `orchsim compare` writes as comparison.json and
// `orchsim sweep` as sweep.json (docs/evaluation.md). The CLI
// (cli/eval_outputs.cpp) and the Python module (python/) both make them here,
// so orchsim.compare() and `orchsim compare` mean the same, key for key.
//
//   // plan.command == "compare"; sets[i] holds configuration i's replications
//   nlohmann::ordered_json j = comparison_json(plan, sets);
//
// The plans' layout, as the commands build them:
//  - compare: configuration 0 is the base, configuration i + 1 the variant
//    spec["variants"][i] = {"name", "overrides": [[pointer, value], ...]};
//    spec["sets"] = the base overrides, as [[pointer, value], ...].
//  - sweep: the grid points in grid_points() order, then (with a router) the
//    always-weak and always-strong references; spec["grid"] =
//    [{"pointer", "values"}], spec["router"] = null or {"strong_agent",
//    "weak_overrides", "strong_overrides", "quality_metric"},
//    spec["scenario_name"], spec["sets"].
// Precondition: check_summary_inputs(plan, sets.size()) is ok
// (eval/plan_check.hpp), which a plan the command line made always is and
// one read back from a store is checked for; these functions index without
// checking again (a plan that breaks it throws nlohmann's or std::vector's
// exceptions: a bug in the caller).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "eval/replications.hpp"
#include "eval/sweep.hpp"
#include "eval/task_plan.hpp"

namespace orchsim::eval {

// comparison.json: scenario, sets, replications, seeds, confidence_level, and
// per variant its paired comparison with the base on every metric.
nlohmann::ordered_json comparison_json(const TaskPlan& plan,
                                       const std::vector<ReplicationSet>& sets);

// A sweep's summaries, from its plan and sets.
struct SweepSummary {
  std::vector<GridAxis> grid;
  std::optional<RouterSpec> router;
  SweepResult result;  // Pareto frontier marked
};
SweepSummary summarize_sweep_plan(const TaskPlan& plan, const std::vector<ReplicationSet>& sets);

// sweep.json: sweep_to_json() with the scenario, sets, replications and first seed.
nlohmann::ordered_json sweep_json(const TaskPlan& plan, const SweepSummary& summary);

}  // namespace orchsim::eval
