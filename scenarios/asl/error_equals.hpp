// The ErrorEquals list of a Retry or Catch entry: checked as the ASL spec
// requires (a non-empty array of names; States.ALL alone and in the last
// entry only), and matched onto simulated failures by the error-name table.
// Internal to scenarios/asl.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "scenarios/asl/error_names.hpp"
#include "scenarios/asl/import_context.hpp"

namespace orchsim::scenarios::asl {

struct ErrorEquals {
  std::vector<std::string> names;
  FailureSet failures;  // what any of the names matches
};

// Reads entry["ErrorEquals"] of entry `at` (e.g. "/States/A/Retry/1"), which
// is entry `position` of `count`. Problems of the file go to `cx` as errors;
// custom names (matched as permanent) and names that cannot happen without a
// payload as findings, except the names in `raised_in_branches` (the errors
// Fail states of a Parallel's or Map's branches raise, matched exactly).
// `what` is "retrier" or "catcher", for messages.
ErrorEquals read_error_equals(const Json& entry, const std::string& at, std::size_t position,
                              std::size_t count, const char* what, ImportContext& cx,
                              const std::set<std::string>& raised_in_branches = {});

}  // namespace orchsim::scenarios::asl
