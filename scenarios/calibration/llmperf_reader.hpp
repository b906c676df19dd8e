// Reads LLMPerf's per-request output (`*_individual_responses.json`, or the
// leaderboard's `<provider>_<size>.json`): a JSON array with one object per
// request holding ttft_s, end_to_end_latency_s, number_input_tokens,
// number_output_tokens, error_code (null on success) and error_msg.
//
//   Measurements m;
//   if (auto e = read_llmperf("anyscale_13b.json", text, ReadOptions{}, m)) {
//     std::cerr << e->format();      // anyscale_13b.json: /12/ttft_s: found "x", expected ...
//   }
//
// The run's summary, when it sits beside the file (`<stem>.summary.json`, or
// `<name>_summary.json` for `<name>_individual_responses.json`), names the
// model ("model") and provider ("framework"); without it the provider is the
// file's stem. Failed requests keep only their outcome and latency: LLMPerf
// writes zeros and a token count of 1 for them, which are not measurements.
#pragma once

#include <optional>
#include <string>

#include "scenarios/calibration/input_error.hpp"
#include "scenarios/calibration/observation.hpp"
#include "scenarios/calibration/read_options.hpp"

namespace orchsim::calibration {

std::optional<InputError> read_llmperf(const std::string& path, const std::string& text,
                                       const ReadOptions& options, Measurements& out);

// Whether `text` is an LLMPerf summary (a single object of "results_..." keys).
bool is_llmperf_summary(const std::string& text);

// The summary file that belongs to a per-request file, by LLMPerf's naming.
std::string llmperf_summary_path(const std::string& path);

}  // namespace orchsim::calibration
