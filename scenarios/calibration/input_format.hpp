// Which reader a measurement file needs, found from its content unless the
// user says (`orchsim fit --format`), and reading it.
//
//   Measurements m;
//   std::vector<std::string> notes;
//   if (auto e = read_measurements("runs/x.json", InputFormat::kAuto, ReadOptions{}, m, notes))
//     ...                                                    // exit 2
//
// Detection: a JSON array is LLMPerf's per-request output; a JSON object with
// "resourceSpans" (or JSON Lines of them) is OTLP/JSON; a JSON object of
// "results_..." keys is an LLMPerf summary (skipped with a note: it is read
// as the metadata of its per-request file); a first line
// `TIMESTAMP,ContextTokens,GeneratedTokens` is the Azure trace; anything else
// is a CSV with named columns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/calibration/input_error.hpp"
#include "scenarios/calibration/observation.hpp"
#include "scenarios/calibration/read_options.hpp"

namespace orchsim::calibration {

enum class InputFormat { kAuto, kLlmperf, kOtlpJson, kCsv, kAzure };
std::string_view to_string(InputFormat format);
// "auto", "llmperf", "otlp_json" (or "otlp"), "csv", "azure".
bool parse_input_format(std::string_view text, InputFormat& out);

// What the content looks like (kAuto when it is an LLMPerf summary).
InputFormat detect_format(const std::string& text, bool& is_summary);

// Reads `path` into `out`. `notes` gets what the user should hear about
// (a summary file skipped).
std::optional<InputError> read_measurements(const std::string& path, InputFormat format,
                                            const ReadOptions& options, Measurements& out,
                                            std::vector<std::string>& notes);

// The whole file, or an InputError ("cannot open for reading").
Result<std::string> read_file_text(const std::string& path);

}  // namespace orchsim::calibration
