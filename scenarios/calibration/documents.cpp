// The agents file and the runnable scenario (fit_report.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "scenarios/calibration/fit_report.hpp"
#include "scenarios/calibration/json_layout.hpp"

namespace orchsim::calibration {

namespace {

using nlohmann::ordered_json;

std::string header(const FitReport& report, const std::string& what) {
  std::string out = fmt::format("// {}, made by: {}\n", what,
                                report.command.empty() ? "orchsim fit" : report.command);
  for (const Source& s : report.sources) {
    out += fmt::format("// from: {} ({}, {} calls)\n", s.path, s.format, s.records);
  }
  out +=
      "// Each agent's \"//\" key says how it was fitted; `orchsim fit ... --report FILE` "
      "writes the statistics.\n";
  return out;
}

std::optional<ordered_json> input_tokens_json(const FitReport& report) {
  if (report.workload_input_tokens && report.workload_input_tokens->chosen().fit.ok) {
    return report.workload_input_tokens->chosen().fit.json;
  }
  for (const GroupFit& g : report.groups) {
    if (const QuantityFit* q = g.quantity("input_tokens"); q && q->chosen().fit.ok) {
      return q->chosen().fit.json;
    }
  }
  return std::nullopt;
}

std::optional<ordered_json> workload_json(const FitReport& report) {
  if (!report.arrivals) return std::nullopt;
  ordered_json w;
  w["arrivals"] = report.arrivals->chosen().json;
  ordered_json cls = {{"name", "default"}, {"weight", 1}};
  if (auto in = input_tokens_json(report)) cls["input_tokens"] = *in;
  w["classes"] = ordered_json::array({cls});
  return w;
}

// The scenario's traffic in words: a replayed trace, fitted arrivals, or the
// measured closed loop.
std::string traffic_text(const FitReport& report, const ScenarioOptions& options) {
  if (options.replay_file) {
    return fmt::format("the trace {} replayed with its own tokens{}",
                       std::filesystem::path(*options.replay_file).filename().string(),
                       options.replay_rate_scale != 1.0
                           ? fmt::format(" at {:g}x its speed", options.replay_rate_scale)
                           : std::string());
  }
  if (report.arrivals) {
    return fmt::format("fitted {} arrivals", report.arrivals->chosen().model);
  }
  return fmt::format("{} users in a closed loop, as measured",
                     options.users.value_or(report.concurrency.value_or(5)));
}

// The scenario's workload: the arrivals as traffic_text() says, one class
// with the fitted input tokens (a replayed trace has its own).
ordered_json scenario_workload(const FitReport& report, const ScenarioOptions& options) {
  ordered_json workload;
  if (options.replay_file) {
    ordered_json replay = {{"file", *options.replay_file}};
    if (options.replay_rate_scale != 1.0) replay["rate_scale"] = options.replay_rate_scale;
    workload["arrivals"] = {{"replay", replay}};
  } else if (report.arrivals) {
    workload["arrivals"] = report.arrivals->chosen().json;
  } else {
    const std::uint32_t users = options.users.value_or(report.concurrency.value_or(5));
    workload["arrivals"] = {{"closed_loop", {{"users", users}, {"think_time_ms", 0}}}};
  }
  ordered_json cls = {{"name", "default"}, {"weight", 1}};
  if (auto in = input_tokens_json(report); in && !options.replay_file) cls["input_tokens"] = *in;
  workload["classes"] = ordered_json::array({cls});
  return workload;
}

// The scenario file's opening comment: where it came from and how to use it.
std::string scenario_header(const FitReport& report, const ScenarioOptions& options,
                            const std::string& traffic, const std::string& policy) {
  std::string head =
      fmt::format("// {}: agents fitted from measurements by orchsim fit.\n", options.name);
  head += fmt::format("// Made by: {}\n",
                      options.command.empty()
                          ? (report.command.empty() ? "orchsim fit" : report.command)
                          : options.command);
  for (const Source& s : report.sources) {
    head += fmt::format("// From: {} ({}, {} calls)\n", s.path, s.format, s.records);
  }
  head += fmt::format("// Traffic: {}.\n", traffic);
  head += fmt::format(
      "// One call node routes over them ({}) with no retries, as the measurements ran.\n"
      "// Compare another router on the same world (common random numbers):\n"
      "//   orchsim compare {} --variant ewma:/workflow/nodes/0/routing/policy=latency_ewma\n",
      policy, options.compare_target.empty() ? options.name + ".json" : options.compare_target);
  return head;
}

}  // namespace

std::string agents_document(const FitReport& report) {
  ordered_json doc;
  ordered_json agents = ordered_json::array();
  for (const GroupFit& g : report.groups) {
    if (g.agent) agents.push_back(*g.agent);
  }
  doc["agents"] = agents;
  if (auto w = workload_json(report)) doc["workload"] = *w;
  return header(report, "Fitted agents") +
         "// Copy the \"agents\" entries into a scenario (orchsim validate checks it), or use "
         "--scenario.\n" +
         layout_json(doc) + "\n";
}

std::string scenario_document(const FitReport& report, const ScenarioOptions& options) {
  ordered_json agents = ordered_json::array();
  std::vector<std::string> names;
  double timeout_ms = 0.0;
  bool hangs = false;
  for (const GroupFit& g : report.groups) {
    if (!g.agent) continue;
    agents.push_back(*g.agent);
    names.push_back(g.group.agent_name);
    const DerivedQuantities& d = g.derived;
    if (d.outcomes[static_cast<std::size_t>(Outcome::kHang)] > 0) {
      hangs = true;
      timeout_ms = std::max(timeout_ms, d.client_timeout_ms.value_or(0.0));
    }
  }
  if (names.empty()) {
    throw std::invalid_argument("no fitted agent: the measurements have no latency");
  }
  if (options.replay_file) {
    // The trace's own output-token counts, produced exactly.
    for (ordered_json& a : agents) a["tokens"]["output_tokens_from_request"] = true;
  }
  ordered_json doc;
  doc["version"] = 1;
  doc["name"] = options.name;
  std::string files;
  for (const Source& s : report.sources) {
    files += (files.empty() ? "" : ", ") + std::filesystem::path(s.path).filename().string();
  }
  const std::string traffic = traffic_text(report, options);
  doc["description"] =
      fmt::format("Agents fitted from {} by orchsim fit; traffic: {}", files, traffic);
  doc["run"] = {{"seed", 1}, {"requests", options.requests}};
  doc["agents"] = agents;
  doc["workload"] = scenario_workload(report, options);
  const std::string policy = !options.policy.empty() ? options.policy
                             : names.size() == 1     ? "static"
                                                     : "round_robin";
  ordered_json call = {
      {"name", "call"}, {"type", "call"}, {"agents", names}, {"routing", {{"policy", policy}}}};
  if (hangs) {
    // A hang only ends at the caller's timeout: use the one the measurements
    // did (the hung calls' median duration), or a minute.
    call["timeout_ms"] = timeout_ms > 0 ? round_significant(timeout_ms) : 60000.0;
  }
  call["next"] = "done";
  doc["workflow"] = {{"entry", "call"},
                     {"nodes", ordered_json::array({call,
                                                    {{"name", "done"},
                                                     {"type", "terminal"},
                                                     {"success", true},
                                                     {"outcome", "answered"}}})}};
  return scenario_header(report, options, traffic, policy) + layout_json(doc) + "\n";
}

}  // namespace orchsim::calibration
