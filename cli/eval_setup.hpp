// What the replication-based commands (run -R, compare, sweep, baseline,
// check, search) share to turn arguments into an experiment: loading a
// configuration, the replication options, the plan's run settings, the
// output folder. Each reports bad input on stderr and returns false/nullopt.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "eval/replications.hpp"
#include "eval/task_plan.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::cli {

// The scenario (a name or a path; empty = the default) with overrides, or
// nullopt after printing the loader's diagnostics.
std::optional<scenarios::Scenario> load(const std::string& name, const eval::Overrides& overrides);

// Fills the replication options from the common arguments; false (and a
// message) on bad input.
bool replication_options(const EvalArgs& a, const scenarios::Scenario& s,
                         eval::ReplicationOptions& o);

// [[pointer, value], ...]
nlohmann::ordered_json pairs_json(const eval::Overrides& o);

// The plan's run settings from the replication options.
void set_runs(eval::TaskPlan& plan, const eval::ReplicationOptions& o,
              const scenarios::Scenario& first);

// Creates --out (and its parents); false and a message when it cannot.
bool make_dir(const std::string& dir);

}  // namespace orchsim::cli
