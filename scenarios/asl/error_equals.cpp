#include "scenarios/asl/error_equals.hpp"

#include <fmt/format.h>

namespace orchsim::scenarios::asl {

ErrorEquals read_error_equals(const Json& entry, const std::string& at, std::size_t position,
                              std::size_t count, const char* what, ImportContext& cx,
                              const std::set<std::string>& raised_in_branches) {
  ErrorEquals out;
  const std::string p = pointer_join(at, "ErrorEquals");
  const auto it = entry.find("ErrorEquals");
  if (it == entry.end()) {
    cx.error(p, "missing, expected a non-empty array of error names");
    return out;
  }
  if (!it->is_array() || it->empty()) {
    cx.error(p, fmt::format("found {}, expected a non-empty array of error names", found(*it)));
    return out;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& name = (*it)[i];
    const std::string np = pointer_join(p, std::to_string(i));
    if (!name.is_string()) {
      cx.error(np, fmt::format("found {}, expected an error name (a string)", found(name)));
      continue;
    }
    const std::string n = name.get<std::string>();
    // The spec: States.ALL must appear alone, and only in the last entry.
    if (n == "States.ALL" && it->size() != 1) {
      cx.error(np, fmt::format("found States.ALL with {} other names, expected it alone "
                               "(the ASL spec: States.ALL must appear alone in ErrorEquals)",
                               it->size() - 1));
    }
    if (n == "States.ALL" && position + 1 != count) {
      cx.error(np, fmt::format("found States.ALL in {} {} of {}, expected it in the last {} only "
                               "(the ASL spec: a {} with States.ALL must be last)",
                               what, position, count, what, what));
    }
    const ErrorNameMatch m = match_error_name(n);
    if (raised_in_branches.contains(n)) {
      // A Fail state's error: the caller matches it exactly.
    } else if (m.source == MatchSource::kCustom) {
      cx.approximated(np, fmt::format("error name \"{}\"", n),
                      "not an AWS error name: matched as a permanent error (an error your code "
                      "throws; docs/import.md, error names)");
    } else if (m.source == MatchSource::kNever) {
      cx.approximated(np, fmt::format("error name \"{}\"", n),
                      "cannot happen in the simulation (no payload, no item reader): this name "
                      "matches nothing");
    }
    out.names.push_back(n);
    out.failures |= m.failures;
  }
  return out;
}

}  // namespace orchsim::scenarios::asl
