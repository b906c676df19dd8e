// A state's Catch field -> where each simulated failure goes after the
// retries: Step Functions' catchers are tried in order and the first whose
// ErrorEquals matches the error decides (docs/import.md, "Catch"). A failure
// no catcher matches fails the state (the request, or its branch).
//
//   CatchRoutes routes = read_catchers(state["Catch"], "/States/A/Catch", cx);
//   routes.target[index(Failure::kTimeout)];   // "Handle timeout", or "" (uncaught)
#pragma once

#include <array>
#include <string>
#include <vector>

#include "scenarios/asl/error_equals.hpp"
#include "scenarios/asl/import_context.hpp"

namespace orchsim::scenarios::asl {

struct Catcher {
  ErrorEquals errors;
  std::string next;  // an ASL state name
  std::string pointer;
};

struct CatchRoutes {
  std::vector<Catcher> catchers;
  // For each failure (error_names.hpp order), the ASL state its first
  // matching catcher names; "" when none matches.
  std::array<std::string, kFailureCount> target;
  // Whether every failure goes to the same place (the same state, or uncaught by all).
  bool uniform() const;
};

// `raised_in_branches`: error names of a Parallel's or Map's Fail states (read_error_equals).
CatchRoutes read_catchers(const Json& catchers, const std::string& at, ImportContext& cx,
                          const std::set<std::string>& raised_in_branches = {});

}  // namespace orchsim::scenarios::asl
