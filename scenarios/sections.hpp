// The sections of a scenario file, one source file each, and what the
// loader (section_scenario.cpp) and the schema generator (scenario_schema.cpp)
// need from them. Internal to the scenarios library and its tests.
//
//   section_run.cpp         "run"
//   section_agents.cpp      "agents"
//   section_workload.cpp    "workload" (request classes; arrivals in section_arrivals.cpp)
//   section_workflow.cpp    "workflow" and its nodes (gate, fan_out, join, terminal)
//   section_sub_workflows.cpp  "workflows": named sub-workflows that call nodes run
//   section_call_node.cpp   call nodes: routing, retry, hedge, validator, time budget, context,
//                           request parameters, on_revisit
//   section_conditions.cpp  gate conditions
//   section_resilience.cpp  "resilience"
//   section_choreography.cpp  "choreography": subscriptions instead of a workflow
#pragma once

#include <string>

#include "orchestration/policy_registry.hpp"
#include "scenarios/fields.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::scenarios {

// The whole document: reads it into a Scenario and checks it as a whole.
Scenario read_scenario(const Json& doc, Diagnostics& d, const std::string& base_dir,
                       const orchestration::PolicyRegistry& policies);
const Fields<Scenario>& scenario_fields();

const Fields<RunSettings>& run_fields();

const Fields<mock_agents::MockAgentConfig>& agent_fields();
void read_agents(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s);

void read_workload(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s);
const Fields<WorkloadConfig>& workload_fields();
void read_arrivals(ReadContext& ctx, const Json& j, const std::string& at, WorkloadConfig& w);
Json arrivals_schema(SchemaBuilder& b);

void read_workflow(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s);
const Fields<orchestration::Workflow>& workflow_fields();
const Fields<orchestration::Node>& call_node_fields();
// A graph's "nodes" at `key` (the top level's, or a sub-workflow's), their
// edges as indices into `graph`; then its "entry" (default: the first node).
void read_graph_nodes(ReadContext& ctx, ObjectReader& r, const std::string& key,
                      std::vector<orchestration::Node>& graph);
void read_graph_entry(ReadContext& ctx, ObjectReader& r, const std::string& key,
                      const std::vector<orchestration::Node>& graph, orchestration::NodeId& entry);
Json nodes_schema(SchemaBuilder& b);

// "workflows": named sub-workflows that call nodes run. Their names are
// known before /workflow is read; their nodes are appended after it.
void collect_sub_workflow_names(ReadContext& ctx, ObjectReader& top);
void read_sub_workflows(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s);
Json sub_workflows_schema(SchemaBuilder& b);
orchestration::Condition read_condition(ReadContext& ctx, const Json& j, const std::string& at);
Json condition_schema(SchemaBuilder& b);

// A call node's "retry" section; a choreography's subscriptions read it too.
const Fields<orchestration::RetryConfig>& retry_fields();

// "choreography": subscriptions instead of a workflow (section_choreography.cpp).
const Fields<orchestration::Choreography>& choreography_fields();
// Reports the choreography's problems (Choreography::validate) at their JSON pointers.
void check_choreography(ReadContext& ctx, const Scenario& s);

const Fields<orchestration::OrchestratorConfig>& resilience_fields();
const Fields<orchestration::RetryBudgetConfig>& retry_budget_fields();

// Reports what an error kind name could not be, with the kinds and a "did you mean".
std::optional<mock_agents::ErrorKind> read_error_kind(const Json& v, const std::string& at,
                                                      Diagnostics& d);

// A choice of whole values by name (backoff and circuit-breaker presets).
template <class T>
struct Preset {
  const char* name;
  T (*make)();
  const char* doc;
};

// The key `key` picks one of `presets` (the first is the default) and
// replaces the whole value with it; keys read after it adjust the preset.
template <class T, std::size_t N>
Field<T> preset(std::string key, const Preset<T> (&presets)[N], std::string doc) {
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> docs;
  for (const Preset<T>& p : presets) {
    names.emplace_back(p.name);
    docs.emplace_back(p.name, p.doc);
  }
  FieldSpec s{.key = std::move(key), .doc = with_values(std::move(doc), docs)};
  s.schema = [names](SchemaBuilder&) { return enum_schema(names); };
  return {std::move(s),
          [names, &presets](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            const std::string got = r.choice(f.key, names.front(), names);
            for (const Preset<T>& p : presets) {
              if (got == p.name) v = p.make();
            }
          },
          [names](const T&) { return Json(names.front()); }};
}

}  // namespace orchsim::scenarios
