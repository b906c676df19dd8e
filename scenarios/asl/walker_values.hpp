// Small readers the state builders share: whole numbers of an ASL state,
// and the node fields every non-LLM call gets. Internal to scenarios/asl.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>

#include "scenarios/asl/import_context.hpp"

namespace orchsim::scenarios::asl {

inline std::string seconds_text(double s) { return fmt::format("{:g}", s); }

inline Json quality_none() { return {{"input", "none"}, {"output", "none"}}; }

// The largest number of seconds, attempts or items the import reads: the
// limit Step Functions documents for TimeoutSeconds and IntervalSeconds
// (about 3.17 years), applied to every whole-number field so that none
// overflows when scaled to milliseconds or counted up.
inline constexpr double kMaxWholeNumber = 99'999'999;

// A whole number in [min, kMaxWholeNumber], or nullopt with an error.
inline std::optional<double> whole_number(const Json& j, const std::string& key,
                                          const std::string& at, double min, ImportContext& cx) {
  const auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<double>() < min || it->get<double>() > kMaxWholeNumber) {
    cx.error(pointer_join(at, key), fmt::format("found {}, expected a whole number from {} to {}",
                                                found(*it), min, kMaxWholeNumber));
    return std::nullopt;
  }
  return it->get<double>();
}

}  // namespace orchsim::scenarios::asl
