// Reads measurements from a CSV file whose first line names its columns.
// Any subset of these (case-insensitive) may be present:
//
//   latency_ms | latency_s      end-to-end latency of the call
//   ttft_ms | ttft_s            time to first token
//   input_tokens, output_tokens
//   error                       empty = success; else a code or word (error_mapping.hpp)
//   error_message               helps classify an error (e.g. "timed out")
//   retry_after_ms | retry_after_s
//   model, provider, operation  what served the call (grouping keys)
//   arrival_ms | arrival_s | timestamp   when the call started (ISO 8601 for timestamp)
//   class                       a request class (used by trace replay; ignored by fit)
//
// Other columns are listed in the source's notes ("unknown columns: ..."),
// not an error: a log often carries more than we need. Blank lines and lines
// starting with '#' are skipped; an empty cell means "not recorded".
//
//   Measurements m;
//   if (auto e = read_csv("calls.csv", text, ReadOptions{}, m)) ...   // calls.csv:12: ...
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenarios/calibration/input_error.hpp"
#include "scenarios/calibration/observation.hpp"
#include "scenarios/calibration/read_options.hpp"

namespace orchsim::calibration {

std::optional<InputError> read_csv(const std::string& path, const std::string& text,
                                   const ReadOptions& options, Measurements& out);

// The column names read_csv understands, in the order documented above.
const std::vector<std::string>& csv_columns();

}  // namespace orchsim::calibration
