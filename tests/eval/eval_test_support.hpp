// Small helpers shared by the eval tests: a workflow of named nodes for
// synthetic events, simulated instants, and loading a built-in scenario.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "orchestration/workflow.hpp"
#include "scenarios/scenario.hpp"
#include "sim/time.hpp"

namespace orchsim::eval::test_support {

// A workflow with these nodes and nothing else: enough for observers, which
// only read node names.
inline orchestration::Workflow workflow_of(std::initializer_list<const char*> nodes,
                                           std::string name = "test") {
  orchestration::Workflow w;
  w.name = std::move(name);
  for (const char* node : nodes) {
    orchestration::Node n;
    n.name = node;
    w.nodes.push_back(n);
  }
  return w;
}

inline sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

// A built-in scenario by name; a failure is reported with its diagnostics.
inline scenarios::Scenario load(const std::string& name) {
  scenarios::LoadResult r = scenarios::load_scenario(name);
  EXPECT_TRUE(r.ok()) << name << ":\n" << r.diagnostics.format();
  if (!r.ok()) return scenarios::Scenario{};
  return std::move(*r.scenario);
}

}  // namespace orchsim::eval::test_support
