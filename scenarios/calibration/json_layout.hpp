// Lays out JSON for people: a value that fits on the rest of a 100-column
// line stays on one line; a longer object puts one member per line; a
// longer array packs as many elements per line as fit. Fitted agents carry
// arrays of hundreds of CDF points, which a plain dump(2) spreads over
// thousands of lines.
//
//   std::string text = layout_json(agent, /*indent=*/2);
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace orchsim::calibration {

std::string layout_json(const nlohmann::ordered_json& value, int indent = 0);

}  // namespace orchsim::calibration
