// Production traffic to replay, with its attributes: when each request
// arrived and, where the file says, its input tokens, output tokens and
// request class. What `"arrivals": {"replay": {"file": ..., "rate_scale": s}}`
// reads.
//
//   ReplayTrace t = load_replay_trace("AzureLLMInferenceTrace_code.csv", /*rate_scale=*/2.0);
//   t.arrivals.offsets;      // from the first arrival, divided by rate_scale
//   t.input_tokens[i];       // ContextTokens of request i
//   auto bound = bind_replay(t, {"default"});   // class names -> the workload's indices
//
// Formats, told apart by the first line that is not blank or a '#' comment:
//   - one number per line (optionally under the header `arrival_ms`): arrival
//     offsets in milliseconds, as before (load_replay_csv);
//   - the Azure LLM inference trace as published: `TIMESTAMP,ContextTokens,
//     GeneratedTokens`; absolute timestamps become offsets from the first,
//     ContextTokens are input tokens, GeneratedTokens output tokens;
//   - a CSV with named columns: one of arrival_ms, arrival_s, timestamp
//     (absolute, ISO 8601 in UTC: made relative), and any of input_tokens,
//     output_tokens, class. Other columns are ignored, unless a name is close
//     to one of these (a misspelling is an error, with a "did you mean").
// Arrivals must be in order (equal instants allowed). A file that cannot be
// read or says something else is an error "<file>:<line>: found ...,
// expected ...": read_replay_trace returns it, load_replay_trace throws it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "scenarios/arrival_process.hpp"

namespace orchsim::scenarios {

struct ReplayTrace {
  ReplayArrivals arrivals;
  // Each empty when the file has no such column, else one entry per arrival;
  // -1 / "" where a cell is blank (the class's own draw is used then).
  std::vector<std::int64_t> input_tokens;
  std::vector<std::int64_t> output_tokens;
  std::vector<std::string> class_names;
  std::vector<std::size_t> lines;  // the file line of each arrival, for messages
  bool has_attributes() const {
    return !input_tokens.empty() || !output_tokens.empty() || !class_names.empty();
  }
};

// rate_scale > 0 divides every offset (2 = the same traffic twice as fast).
// The trace, or the message of the first problem (the file cannot be read, a
// bad row, a bad rate_scale): what a user's file may say is a value, for the
// loader's diagnostics and `orchsim fit --replay`.
std::variant<ReplayTrace, std::string> read_replay_trace(const std::string& path,
                                                         double rate_scale = 1.0);
// The same, throwing the problem as std::runtime_error (the readers below
// stop at the first bad row that way; tests and fuzz targets call it).
ReplayTrace load_replay_trace(const std::string& path, double rate_scale = 1.0);

// What the workload uses: the trace's attributes with class names bound to
// the workload's class indices.
struct ReplayAttributes {
  static constexpr std::uint32_t kNoClass = 0xffffffffu;
  std::vector<std::int64_t> input_tokens;   // as ReplayTrace
  std::vector<std::int64_t> output_tokens;  // as ReplayTrace
  std::vector<std::uint32_t> class_index;   // empty, or per arrival (kNoClass: drawn)
};

// The bound attributes, or "<file>:<line>: found class 'x', expected one of
// the workload's classes (a, b)".
std::variant<ReplayAttributes, std::string> bind_replay(const ReplayTrace& trace,
                                                        const std::vector<std::string>& classes);

}  // namespace orchsim::scenarios
