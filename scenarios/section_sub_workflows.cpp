// The "workflows" section: named sub-workflows that call nodes run
// ("workflow": name). Each is a graph of its own (its node names, edges and
// entry are its own) with a context window, a timeout and maybe a retry
// budget of its own (docs/sub-workflows.md). Their names are collected before
// /workflow is read, so that any call node may name one; their nodes are
// appended to the workflow's after it (Workflow::add_sub_workflow).
#include <fmt/format.h>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace orch = orchestration;

bool annotation(const std::string& key) { return key == "$comment" || key.starts_with("//"); }

// A sub-workflow as read: its settings, and its graph with edges as indices into `nodes`.
struct SubWorkflowRead {
  orch::SubWorkflow sub;
  std::vector<orch::Node> nodes;
  orch::NodeId entry = 0;
};

const Fields<SubWorkflowRead>& sub_workflow_fields() {
  using R = SubWorkflowRead;
  using W = orch::SubWorkflow;
  const auto sub = [](auto f) { return in(&R::sub, std::move(f)); };
  static const Fields<R> t{
      .doc =
          "A sub-workflow: its own nodes, routing, retries and timeouts; a call node with "
          "\"workflow\": its name runs it once per attempt.",
      .fields =
          {
              custom<R>("nodes",
                        "Its nodes; their names are its own (\"n\" is \"name/n\" in "
                        "reports).",
                        nodes_schema,
                        [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, R& v) {
                          read_graph_nodes(ctx, r, f.key, v.nodes);
                        })
                  .required(),
              custom<R>(
                  "entry", "Its first node (default: the first in nodes).",
                  [](SchemaBuilder&) { return name_schema(); },
                  [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, R& v) {
                    read_graph_entry(ctx, r, f.key, v.nodes, v.entry);
                  }),
              sub(integer("context_window_tokens", &W::context_window_tokens, {0, 1e12}, "tokens",
                          "What it sees of the caller's context: the calling step fits its "
                          "context into this window as it would for an agent. 0: all of it.")),
              sub(duration("timeout_ms", &W::timeout, TimeUnit::kMilliseconds,
                           Range::non_negative(),
                           "Most time one run may take, within the caller's limits; past it the "
                           "run is cancelled with every call inside. 0: none.")),
              sub(optional_section("retry_budget", &W::retry_budget, retry_budget_fields,
                                   "Its own retry budget, shared by all its runs (a service's "
                                   "retry throttle); absent: the one of /resilience.")),
          },
      .def = "sub_workflow",
  };
  return t;
}

}  // namespace

void collect_sub_workflow_names(ReadContext& ctx, ObjectReader& top) {
  const Json* j = top.peek("workflows");
  if (!j || !j->is_object()) return;  // reported by read_sub_workflows
  std::vector<std::string> names;
  for (auto it = j->begin(); it != j->end(); ++it) {
    if (!annotation(it.key())) names.push_back(it.key());
  }
  ctx.set_sub_workflow_names(std::move(names));
}

void read_sub_workflows(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s) {
  Diagnostics& d = ctx.diagnostics();
  if (!j.is_object()) {
    d.error(at, fmt::format("found {}, expected an object of named workflows, e.g. "
                            "{{\"search\": {{\"nodes\": [...]}}}}",
                            describe_json(j)));
    return;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    if (annotation(name)) continue;
    const std::string p = pointer_join(at, name);
    if (name.empty() || name.find('/') != std::string::npos) {
      d.error(p, fmt::format("found the name \"{}\", expected a name without \"/\"", name));
    }
    ObjectReader r(it.value(), p, d);
    if (!r.valid()) continue;
    SubWorkflowRead v = sub_workflow_fields().prototype();
    sub_workflow_fields().read(ctx, r, v);
    r.finish();
    if (v.nodes.empty()) continue;  // reported: nothing to run
    const std::size_t count = v.nodes.size();
    const orch::SubWorkflowIndex w = s.workflow.add_sub_workflow(name, std::move(v.nodes), v.entry);
    orch::SubWorkflow& added = s.workflow.sub_workflows[w];
    added.context_window_tokens = v.sub.context_window_tokens;
    added.timeout = v.sub.timeout;
    added.retry_budget = v.sub.retry_budget;
    for (std::size_t k = 0; k < count; ++k) {
      const std::string& qualified = s.workflow.nodes[added.first + k].name;
      const std::string node_at = pointer_join(pointer_join(p, "nodes"), std::to_string(k));
      if (!ctx.add_node_pointer(qualified, node_at)) {
        d.error(pointer_join(node_at, "name"),
                fmt::format("names the node \"{}\", which a node of /workflow has: expected "
                            "unique names (a sub-workflow's node \"n\" is \"{}/n\")",
                            qualified, name));
      }
    }
  }
}

Json sub_workflows_schema(SchemaBuilder& b) {
  return Json{{"type", "object"},
              {"description",
               "Named sub-workflows that call nodes run (\"workflow\": name), at any depth but "
               "never recursively; every one must be run by some call node. Names without "
               "\"/\"."},
              // "n" of sub-workflow "w" is "w/n" in reports: a "/" would make that ambiguous.
              {"propertyNames", {{"pattern", "^(//.*|[^/]+)$"}}},
              {"patternProperties",
               {{"^(\\$comment$|//)", {{"description", "An annotation; ignored by the loader."}}}}},
              {"additionalProperties", sub_workflow_fields().schema(b)}};
}

}  // namespace orchsim::scenarios
