// Reads the Azure LLM inference trace as published (Azure/AzurePublicDataset,
// e.g. AzureLLMInferenceTrace_code.csv): the header
// `TIMESTAMP,ContextTokens,GeneratedTokens`, then one request per line with
// its arrival time ("2023-11-16 18:17:03.9799600", UTC), input tokens and
// output tokens. It records no latency and no errors: it calibrates token
// sizes and arrivals, not an agent's speed.
//
//   Measurements m;
//   if (auto e = read_azure("AzureLLMInferenceTrace_code.csv", text, m)) ...
#pragma once

#include <optional>
#include <string>

#include "scenarios/calibration/input_error.hpp"
#include "scenarios/calibration/observation.hpp"

namespace orchsim::calibration {

std::optional<InputError> read_azure(const std::string& path, const std::string& text,
                                     Measurements& out);

// Whether a header line (first line, BOM and '\r' removed) is the Azure trace's.
bool is_azure_header(std::string_view header);

}  // namespace orchsim::calibration
