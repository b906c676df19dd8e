// Reads OpenTelemetry traces as OTLP/JSON: what the collector's file exporter
// writes (one ExportTraceServiceRequest per line: resourceSpans ->
// scopeSpans -> spans), or one such document pretty-printed.
//
//   Measurements m;
//   if (auto e = read_otlp_json("traces.jsonl", text, ReadOptions{}, m)) ...
//
// Every span with a `gen_ai.operation.name` is one call; others are skipped
// and counted. Attributes follow the GenAI semantic conventions (v1.37.0,
// docs/calibration.md): gen_ai.provider.name (or the older gen_ai.system),
// gen_ai.response.model else gen_ai.request.model (else gen_ai.tool.name,
// gen_ai.agent.name), gen_ai.usage.input_tokens / output_tokens, error.type,
// span start and end. Errors: error.type, else http.response.status_code
// >= 400, else a span status of ERROR ("_OTHER"). Retry-after:
// http.response.header.retry-after (seconds). Time to first token: the first
// of ReadOptions::ttft_attributes present (seconds). A span attribute wins
// over the same key on its resource. 64-bit integers may be strings or
// numbers, as OTLP/JSON allows.
#pragma once

#include <optional>
#include <string>

#include "scenarios/calibration/input_error.hpp"
#include "scenarios/calibration/observation.hpp"
#include "scenarios/calibration/read_options.hpp"

namespace orchsim::calibration {

std::optional<InputError> read_otlp_json(const std::string& path, const std::string& text,
                                         const ReadOptions& options, Measurements& out);

}  // namespace orchsim::calibration
