#include "scenarios/calibration/llmperf_reader.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scenarios/calibration/json_text.hpp"

namespace orchsim::calibration {

namespace {

using nlohmann::json;

struct Summary {
  std::string model, framework;
  std::optional<std::uint32_t> concurrency;
};

std::optional<Summary> read_summary(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  const json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  Summary s;
  if (j.contains("model") && j["model"].is_string()) s.model = j["model"].get<std::string>();
  if (j.contains("framework") && j["framework"].is_string()) {
    s.framework = j["framework"].get<std::string>();
  }
  // A count past uint32 would wrap when narrowed: it is not a concurrency.
  if (j.contains("num_concurrent_requests") && j["num_concurrent_requests"].is_number_unsigned() &&
      j["num_concurrent_requests"].get<std::uint64_t>() <=
          std::numeric_limits<std::uint32_t>::max()) {
    s.concurrency = j["num_concurrent_requests"].get<std::uint32_t>();
  }
  return s;
}

// The record's error_code (null: a success) and its class.
std::optional<InputError> read_error_code(const std::string& path, const json& r,
                                          const std::string& at, const ReadOptions& options,
                                          Observation& o) {
  const json& code = r["error_code"];
  std::string message;
  if (r.contains("error_msg") && r["error_msg"].is_string()) message = r["error_msg"];
  if (code.is_null()) return std::nullopt;
  if (code.is_number_integer()) {
    o.error_code = code.dump();  // exact, for any int64 or uint64
  } else if (code.is_number()) {
    o.error_code = fmt::format("{}", code.get<double>());
  } else if (code.is_string()) {
    o.error_code = code.get<std::string>();
  } else {
    return InputError{
        .file = path,
        .pointer = at + "/error_code",
        .message = fmt::format("found {}, expected null, a number or a string", json_kind(code))};
  }
  const ErrorClass c = options.errors.classify(o.error_code, message);
  o.outcome = c.outcome;
  o.error_recognised = c.recognised;
  return std::nullopt;
}

// One request's record as an observation.
std::optional<InputError> read_request(const std::string& path, const json& r,
                                       const std::string& at, const ReadOptions& options,
                                       Observation& o) {
  if (!r.is_object()) {
    return InputError{
        .file = path,
        .pointer = at,
        .message = fmt::format("found {}, expected an object (one request)", json_kind(r))};
  }
  // The fields every LLMPerf record has; a file without them is not LLMPerf's.
  for (const char* key : {"error_code", "ttft_s", "end_to_end_latency_s", "number_input_tokens",
                          "number_output_tokens"}) {
    if (!r.contains(key)) {
      return InputError{.file = path,
                        .pointer = at,
                        .message = fmt::format("missing \"{}\", expected LLMPerf's per-request "
                                               "fields (ttft_s, end_to_end_latency_s, "
                                               "number_input_tokens, number_output_tokens, "
                                               "error_code)",
                                               key)};
    }
  }
  if (auto e = read_error_code(path, r, at, options, o)) return e;
  double e2e_s = 0, ttft_s = 0, in = 0, outn = 0;
  if (auto e = number_at(path, r, at, "end_to_end_latency_s", 0.0, e2e_s, kMaxSeconds)) return e;
  if (auto e = number_at(path, r, at, "ttft_s", 0.0, ttft_s, kMaxSeconds)) return e;
  if (auto e = number_at(path, r, at, "number_input_tokens", 0.0, in)) return e;
  if (auto e = number_at(path, r, at, "number_output_tokens", 0.0, outn)) return e;
  o.latency_ms = e2e_s * 1e3;
  if (o.outcome != Outcome::kSuccess) return std::nullopt;
  if (ttft_s > e2e_s) {
    return InputError{.file = path,
                      .pointer = at + "/ttft_s",
                      .message = fmt::format("found {} s, expected at most "
                                             "end_to_end_latency_s ({} s)",
                                             ttft_s, e2e_s)};
  }
  o.ttft_ms = ttft_s * 1e3;
  if (!(in <= kMaxTokens && outn <= kMaxTokens)) {
    return InputError{.file = path,
                      .pointer = at,
                      .message = fmt::format("found {} input and {} output tokens, expected "
                                             "at most {:g} each",
                                             in, outn, kMaxTokens)};
  }
  o.input_tokens = static_cast<std::int64_t>(in);
  o.output_tokens = static_cast<std::int64_t>(outn);
  return std::nullopt;
}

}  // namespace

std::string llmperf_summary_path(const std::string& path) {
  const std::string suffix = "_individual_responses.json";
  if (path.size() > suffix.size() &&
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return path.substr(0, path.size() - suffix.size()) + "_summary.json";
  }
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + ".summary.json")).string();
}

bool is_llmperf_summary(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key().rfind("results_", 0) == 0) return true;
  }
  return false;
}

std::optional<InputError> read_llmperf(const std::string& path, const std::string& text,
                                       const ReadOptions& options, Measurements& out) {
  json doc;
  if (auto problem = parse_json_text(path, text, doc)) return problem;
  if (!doc.is_array()) {
    return InputError{.file = path,
                      .message = fmt::format("found {}, expected LLMPerf's per-request array "
                                             "(one object per request)",
                                             json_kind(doc))};
  }
  const std::uint32_t source = out.add_source(path, "llmperf");
  Label label{.source = source};
  const std::string summary_path = llmperf_summary_path(path);
  if (const auto summary = read_summary(summary_path)) {
    label.model = summary->model;
    label.provider = summary->framework;
    out.sources[source].concurrency = summary->concurrency;
    out.sources[source].notes.push_back(fmt::format(
        "model and provider from {}", std::filesystem::path(summary_path).filename().string()));
  }
  if (label.provider.empty()) label.provider = std::filesystem::path(path).stem().string();
  const std::uint32_t label_index = out.intern(label);

  for (std::size_t i = 0; i < doc.size(); ++i) {
    Observation o;
    o.label = label_index;
    if (auto e = read_request(path, doc[i], "/" + std::to_string(i), options, o)) return e;
    out.observations.push_back(std::move(o));
    ++out.sources[source].records;
  }
  return std::nullopt;
}

}  // namespace orchsim::calibration
