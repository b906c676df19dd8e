// What run, compare, sweep and the routing environment share: a scenario
// given by name, path or text, loaded with the caller's overrides and policies.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "python/src/common.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::python {

// A built-in name or a path (text empty), or a scenario's JSON text with the
// name diagnostics give it (a Python dict).
struct ScenarioSource {
  std::string name;
  std::optional<std::string> text;
};

struct Variant {
  std::string name;
  std::optional<ScenarioSource> scenario;  // another scenario (--against); none: the base's
  Overrides overrides;
};

struct Router {
  std::string strong_agent;
  Overrides weak_sets, strong_sets;
  std::string quality_metric;
};

// Loads with the overrides and the policies of `registry` (null: the global
// ones); the GIL is held. Raises ScenarioError with every diagnostic.
scenarios::Scenario load(const ScenarioSource& source, const Overrides& overrides,
                         const orchestration::PolicyRegistry* registry);

// Seconds from Python as a Duration; ScenarioError when negative (or zero
// with `positive`) or not finite.
std::optional<sim::Duration> seconds(std::optional<double> s, const char* what, bool positive);

}  // namespace orchsim::python
