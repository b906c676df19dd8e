// Small helpers for the JSON measurement readers: parse with a line and
// column on failure, describe a found value, read a number with a bound.
//
//   nlohmann::json doc;
//   if (auto e = parse_json_text("runs.json", text, doc)) return e;   // runs.json:3: ...
//   double s = 0;
//   if (auto e = number_at("runs.json", doc[0], "/0", "ttft_s", 0.0, s)) return e;
#pragma once

#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scenarios/calibration/input_error.hpp"

namespace orchsim::calibration {

// Parses `text`; on a syntax error, an InputError with the line (and the
// column in the message). `first_line` numbers the text's first line (JSON
// Lines files parse one line at a time).
std::optional<InputError> parse_json_text(const std::string& path, const std::string& text,
                                          nlohmann::json& out, std::size_t first_line = 1);

// "a string \"abc\"", "the number -5", "an object", "null", ... for messages.
std::string json_kind(const nlohmann::json& j);

// obj[key] as a number in [min_value, max_value], or an InputError at
// pointer `at`/key.
std::optional<InputError> number_at(const std::string& path, const nlohmann::json& obj,
                                    const std::string& at, const char* key, double min_value,
                                    double& out,
                                    double max_value = std::numeric_limits<double>::max());

}  // namespace orchsim::calibration
