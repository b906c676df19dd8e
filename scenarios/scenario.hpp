// A scenario: everything one run needs, loaded from a JSON file (comments
// allowed) and checked as a whole. The format is documented in
// docs/scenario-format.md and by scenarios/schema/scenario.schema.json.
//
//   LoadOptions options;
//   options.overrides = {{"/workload/arrivals/poisson/rate_per_s", "250"}};
//   LoadResult r = load_scenario("rag_orchestrated", options);   // a name or a path
//   if (!r.ok()) { std::cerr << r.diagnostics.format(); return 2; }
//   const Scenario& s = *r.scenario;
//
// Errors are values: every problem of the file is reported at once, each
// with the file, the JSON pointer, what was found and what was expected.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mock_agents/agent_config.hpp"
#include "orchestration/choreography.hpp"
#include "orchestration/orchestrator.hpp"
#include "orchestration/policy_registry.hpp"
#include "orchestration/workflow.hpp"
#include "scenarios/diagnostics.hpp"
#include "scenarios/workload.hpp"
#include "sim/time.hpp"

namespace orchsim::scenarios {

inline constexpr int kScenarioFormatVersion = 1;

struct RunSettings {
  std::uint64_t seed = 1;
  std::uint64_t requests = 0;                      // stop arrivals after this many; 0 = no limit
  sim::Duration duration = sim::Duration::zero();  // stop arrivals at this time; zero = no limit
  // Requests arriving before this are left out of the metrics (warm-up
  // deletion for steady-state measurements); zero = none.
  sim::Duration warmup = sim::Duration::zero();
  // After arrivals stop, how long in-flight requests may take to finish
  // before the run ends with them still in flight.
  sim::Duration drain = sim::Duration::seconds(600);
  double quality_threshold = 0.7;  // a successful answer "passes" at or above this quality
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source;  // the file it came from
  RunSettings run;
  std::vector<mock_agents::MockAgentConfig> agents;
  // With a choreography, `workflow` is Choreography::as_workflow(): names
  // for the observers, never executed.
  orchestration::Workflow workflow;
  std::optional<orchestration::Choreography> choreography;
  orchestration::OrchestratorConfig orchestrator;
  WorkloadConfig workload;
  std::vector<std::string> class_names;
  nlohmann::ordered_json document;  // as loaded, after overrides (for reports)

  std::int32_t agent_index(const std::string& agent_name) const;
};

struct LoadOptions {
  // (JSON pointer, value) applied to the document before it is read; the value
  // is parsed as JSON when it is valid JSON, else taken as a string.
  std::vector<std::pair<std::string, std::string>> overrides;
  // Where routing policies are looked up; null: PolicyRegistry::global(). A
  // registry layered over the global one adds policies for one load.
  const orchestration::PolicyRegistry* policies = nullptr;
};

struct LoadResult {
  std::optional<Scenario> scenario;
  Diagnostics diagnostics;
  bool ok() const { return scenario.has_value() && diagnostics.ok(); }
};

// Loads a scenario file, or a built-in scenario by name (see library_dir()).
LoadResult load_scenario(const std::string& name_or_path, const LoadOptions& options = {});
// Parses scenario text; `source` names it in diagnostics.
LoadResult parse_scenario(const std::string& text, const std::string& source,
                          const LoadOptions& options = {});

// The folder of built-in scenarios: $ORCHSIM_LIBRARY_DIR if set, else the
// source tree's scenarios/library while it exists, else the installed copy
// (<prefix>/share/orchsim/scenarios, the prefix configured at build time;
// an install elsewhere with `cmake --install --prefix` needs the variable).
std::string library_dir();
// Built-in scenario names (file stems), sorted.
std::vector<std::string> library_names();
// The built-in scenario run when none is named.
inline constexpr const char* kDefaultScenario = "rag_orchestrated";

}  // namespace orchsim::scenarios
