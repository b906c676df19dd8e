// One run of a scenario given as a JSON document, with everything a
// validation test compares: the metrics JSON, every event (EventRecorder) and
// the invariant checker's verdict. The document goes through the real loader
// as text, so whatever a test builds or generates is read the way a user's
// file is.
//
//   ScenarioRun r = run_document(doc);
//   if (!r.error.empty()) FAIL() << r.error;
//   EXPECT_EQ(json_difference(r.metrics, other.metrics, {"/end_ms"}), "");
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "eval/runner.hpp"

namespace orchsim::validation {

using Json = nlohmann::ordered_json;

struct ScenarioRun {
  std::string error;  // why the document did not load or run; empty when it did
  eval::RunResult result;
  Json metrics;                                   // result.metrics->to_json()
  std::vector<std::string> events;                // EventRecorder::lines()
  std::vector<double> costs;                      // EventRecorder::costs()
  std::vector<std::string> invariant_violations;  // the first few, from eval::InvariantChecker
  std::uint64_t invariant_violation_count = 0;

  bool ok() const { return error.empty(); }
  // Every request that arrived also finished (none was cut off by the drain).
  bool drained() const { return ok() && result.in_flight == 0; }
};

// Loads `doc` (dumped to text, through scenarios::parse_scenario) and runs it
// with the invariant checker and an event recorder attached. Never throws: a
// document that does not load, or a run that throws, sets `error`.
ScenarioRun run_document(const Json& doc, std::optional<std::uint64_t> seed = std::nullopt);

// The first place where `left` and `right` differ, as "<JSON pointer>: <left>
// != <right>", or "" when they are equal. `ignored` lists pointers whose
// values may differ; "*" matches any one array index or key
// ("/agents/*/utilisation").
std::string json_difference(const Json& left, const Json& right,
                            const std::vector<std::string>& ignored = {});

// The first line where two event lists differ, with its index and both
// versions, or "" when they are equal.
std::string lines_difference(const std::vector<std::string>& left,
                             const std::vector<std::string>& right);

// The events of each request with their times made relative to its arrival
// (the "t=", "started=" and "deadline=" fields) and without agents' call ids
// (slot numbers, which depend on what else was running), in the order they
// happened: what a request went through, whatever else was happening at the
// time. Events of no request (breakers) are left out.
std::map<std::uint64_t, std::vector<std::string>> per_request_events(
    const std::vector<std::string>& lines);

}  // namespace orchsim::validation
