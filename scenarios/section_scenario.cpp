// The top level of a scenario file, and the checks that need all of it.
#include <fmt/format.h>

#include <algorithm>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace orch = orchestration;

void read_version(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, Scenario&) {
  const std::int64_t version = r.integer(f.key, std::nullopt);
  const Json* v = r.peek(f.key);
  if (v && v->is_number_integer() && version != kScenarioFormatVersion) {
    ctx.diagnostics().error(
        r.at(f.key), fmt::format("found {}, expected {} (this orchsim reads format version {})",
                                 version, kScenarioFormatVersion, kScenarioFormatVersion));
  }
}

// A key whose object is read by a section's own reader.
template <void (*read)(ReadContext&, const Json&, const std::string&, Scenario&)>
void read_required(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, Scenario& s) {
  if (const Json* j = r.child(f.key)) {
    read(ctx, *j, r.at(f.key), s);
  } else {
    report_missing(f, ctx, r);
  }
}

// Graph checks only make sense once every edge and agent of the workflow
// resolved; problems elsewhere in the file do not stop them, so that all
// problems are reported at once.
void check_graph(ReadContext& ctx, const Scenario& s) {
  Diagnostics& d = ctx.diagnostics();
  if (ctx.already_reported("/workflow") || ctx.already_reported("/workflows") ||
      s.workflow.nodes.empty() || s.agents.empty()) {
    return;
  }
  const auto& subs = ctx.sub_workflow_names();
  for (const std::string& problem : s.workflow.validate(s.agents.size())) {
    const auto colon = problem.find(':');
    const std::string name = problem.substr(0, colon);
    const std::string what = problem.substr(colon + 2);
    if (const std::string* at = ctx.node_pointer(name)) {
      d.error(*at, fmt::format("node \"{}\": {}", name, what));
    } else if (std::find(subs.begin(), subs.end(), name) != subs.end()) {
      d.error(pointer_join("/workflows", name), fmt::format("workflow \"{}\": {}", name, what));
    } else {
      d.error("/workflow", what);
    }
  }
}

void cross_check(ReadContext& ctx, const Scenario& s) {
  Diagnostics& d = ctx.diagnostics();
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    if (!seen.emplace(s.agents[i].name, i).second) {
      d.error(fmt::format("/agents/{}/name", i),
              fmt::format("found \"{}\" again, expected unique agent names", s.agents[i].name));
    }
  }
  // Fan-outs must wait at a join node: said at the "join" key.
  for (std::size_t i = 0; i < s.workflow.nodes.size(); ++i) {
    const orch::Node& n = s.workflow.nodes[i];
    if (n.kind != orch::NodeKind::kFanOut || n.fan_out.join >= s.workflow.nodes.size()) continue;
    const orch::Node& join = s.workflow.nodes[n.fan_out.join];
    const std::string* at = ctx.node_pointer(n.name);
    if (join.kind != orch::NodeKind::kJoin && at) {
      d.error(pointer_join(*at, "join"),
              fmt::format("found \"{}\", which is not a join node, expected the name of a node "
                          "of type \"join\"",
                          join.name));
    }
  }
  check_graph(ctx, s);
}

void workflow_or_choreography(ReadContext& ctx, ObjectReader& r, Scenario&) {
  const bool workflow = r.has("workflow"), choreography = r.has("choreography");
  if (!workflow && !choreography) {
    ctx.diagnostics().error(r.at("workflow"),
                            "missing, expected the workflow graph (or a \"choreography\" "
                            "section instead: docs/choreography.md)");
  } else if (workflow && choreography) {
    ctx.diagnostics().error(r.at("choreography"),
                            "found both a workflow and a choreography, expected one of them: "
                            "requests are served by an orchestrator or by subscriptions, not both");
  } else if (choreography && r.has("resilience")) {
    ctx.diagnostics().error(r.at("resilience"),
                            "found resilience policies with a choreography, expected none: a "
                            "shared retry budget, breakers and a bulkhead are the orchestrator's "
                            "(a subscriber's retries and timeout are its own)");
  }
}

}  // namespace

const Fields<Scenario>& scenario_fields() {
  using S = Scenario;
  static const Fields<S> t{
      .doc = "",
      .fields =
          {
              custom<S>(
                  "version", "Scenario format version (1).",
                  [](SchemaBuilder&) {
                    return Json{{"const", kScenarioFormatVersion}, {"type", "integer"}};
                  },
                  read_version)
                  .required(),
              custom<S>(
                  "$schema", "The JSON Schema of this file, for editors; ignored by the loader.",
                  [](SchemaBuilder&) {
                    return Json{{"type", "string"}};
                  },
                  [](const FieldSpec& f, ReadContext&, ObjectReader& r, S&) {
                    r.string(f.key, "");
                  }),
              text("name", &S::name, "Scenario name.").required(),
              text("description", &S::description, "What the scenario shows."),
              section("run", &S::run, run_fields, ""),
              custom<S>(
                  "agents", "The mock agents.",
                  [](SchemaBuilder& b) {
                    return Json{
                        {"type", "array"}, {"items", agent_fields().schema(b)}, {"minItems", 1}};
                  },
                  read_required<read_agents>)
                  .required("an array of agents"),
              custom<S>(
                  "workload", "", [](SchemaBuilder& b) { return workload_fields().object(b); },
                  read_required<read_workload>)
                  .required("the workload (arrivals and request classes)"),
              // Call nodes may name any sub-workflow: their names first.
              check<S>([](ReadContext& ctx, ObjectReader& r, S&) {
                collect_sub_workflow_names(ctx, r);
              }),
              custom<S>(
                  "workflow", "The workflow graph; a scenario has a workflow or a choreography.",
                  [](SchemaBuilder& b) { return workflow_fields().object(b); },
                  [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, S& s) {
                    if (const Json* j = r.child(f.key)) read_workflow(ctx, *j, r.at(f.key), s);
                  }),
              custom<S>("workflows", "", sub_workflows_schema,
                        [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, S& s) {
                          if (const Json* j = r.child(f.key))
                            read_sub_workflows(ctx, *j, r.at(f.key), s);
                        }),
              section("resilience", &S::orchestrator, resilience_fields, ""),
              optional_section("choreography", &S::choreography, choreography_fields,
                               "Agents that react to event topics, with no orchestrator: "
                               "docs/choreography.md. Instead of a workflow."),
              check<S>(workflow_or_choreography),
          },
      // Exactly one of the two says how requests are served.
      .rules = Json{{"oneOf", Json::array({Json{{"required", Json::array({"workflow"})}},
                                           Json{{"required", Json::array({"choreography"})}}})}},
  };
  return t;
}

Scenario read_scenario(const Json& doc, Diagnostics& d, const std::string& base_dir,
                       const orchestration::PolicyRegistry& policies) {
  Scenario s;
  ReadContext ctx(d, s, base_dir, policies);
  ObjectReader top(doc, "", d);
  if (!top.valid()) return s;
  scenario_fields().read(ctx, top, s);
  top.finish();
  s.orchestrator.class_count =
      static_cast<std::uint32_t>(std::max<std::size_t>(1, s.class_names.size()));
  cross_check(ctx, s);
  check_choreography(ctx, s);
  // Observers name a choreography's calls by the nodes of its stand-in workflow.
  if (s.choreography && s.workflow.nodes.empty()) s.workflow = s.choreography->as_workflow();
  return s;
}

}  // namespace orchsim::scenarios
