// What every reader of measurements produces: one Observation per measured
// call, in the agent model's terms, whatever the file format was.
//
//   Measurements m;
//   read_llmperf("anyscale_13b.json", m);        // appends observations
//   for (const Observation& o : m.observations)
//     if (o.outcome == Outcome::kSuccess && o.ttft_ms) ...
//
// A field the file does not record is nullopt, never a made-up value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchsim::calibration {

// How a measured call ended, mapped onto the mock agent's outcomes
// (docs/agents.md): 429 -> rate limited, 5xx and overload -> transient,
// other 4xx -> permanent, client timeouts -> hang.
enum class Outcome : std::uint8_t { kSuccess, kRateLimited, kTransient, kPermanent, kHang };
inline constexpr int kOutcomeCount = 5;
std::string_view to_string(Outcome outcome);

// The most tokens one call may record (readers refuse more): far beyond any
// model's context, and an exact int64 (a larger double converted to int64
// was undefined behaviour, found by fuzz_fit_csv).
inline constexpr double kMaxTokens = 1e12;

// The longest time a reader accepts (a latency, a time to first token, a
// retry-after, an arrival), in seconds: 292 years, the span of int64
// nanoseconds. A larger value would become infinite or overflow when scaled
// and converted to the simulator's integer time.
inline constexpr double kMaxSeconds = 9.2e9;

// Who or what served a call: the keys calls are grouped by.
struct Label {
  std::string provider{};    // gen_ai.provider.name, a CSV "provider", llmperf's framework
  std::string model{};       // gen_ai.response.model (else request model), a CSV "model", ...
  std::string operation{};   // gen_ai.operation.name, a CSV "operation"; empty if not recorded
  std::uint32_t source = 0;  // index into Measurements::sources
  auto operator<=>(const Label&) const = default;
};

struct Observation {
  std::uint32_t label = 0;  // index into Measurements::labels
  // When the call started: nanoseconds on the file's own clock (absolute
  // epoch time for OTLP and Azure, relative for a CSV arrival_ms column).
  std::optional<std::int64_t> start_ns{};
  std::optional<double> latency_ms{};  // submission to the last byte (end to end)
  std::optional<double> ttft_ms{};     // submission to the first output token
  std::optional<std::int64_t> input_tokens{};
  std::optional<std::int64_t> output_tokens{};
  Outcome outcome = Outcome::kSuccess;
  std::string error_code{};      // as recorded: "429", "-100", "timeout", "" for a success
  bool error_recognised = true;  // false: error_code matched no rule (mapped to transient)
  std::optional<double> retry_after_ms{};  // a 429's retry-after, when recorded
};

// One input file.
struct Source {
  std::string path{};
  std::string format{};              // "llmperf", "otlp_json", "csv", "azure"
  std::uint64_t records = 0;         // observations it gave
  std::uint64_t skipped = 0;         // records left out (e.g. spans that are not GenAI calls)
  std::vector<std::string> notes{};  // what a user should know: unknown columns, metadata used, ...
  // llmperf: the run's settings from its summary file, when found.
  std::optional<std::uint32_t> concurrency{};
};

struct Measurements {
  std::vector<Source> sources{};
  std::vector<Label> labels{};
  std::vector<Observation> observations{};

  // The index of `label` in `labels`, adding it if new.
  std::uint32_t intern(const Label& label);
  // Starts a new source and returns its index.
  std::uint32_t add_source(std::string path, std::string format);

 private:
  std::map<Label, std::uint32_t> label_index_{};
};

}  // namespace orchsim::calibration
