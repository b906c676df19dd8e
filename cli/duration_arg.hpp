// Parses durations given on the command line: "250ms", "30s", "5min", "2h",
// "1500us", "100ns", or a bare number of seconds ("12.5").
#pragma once

#include <optional>
#include <string>

#include "sim/time.hpp"

namespace orchsim::cli {

std::optional<sim::Duration> parse_duration(const std::string& text);

}  // namespace orchsim::cli
