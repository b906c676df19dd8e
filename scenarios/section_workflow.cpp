// The "workflow" section: the graph's nodes, by type (call nodes in
// section_call_node.cpp, gate conditions in section_conditions.cpp).
#include <fmt/format.h>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace orch = orchestration;
using orch::Node;

// A node as read: the node, and whether its type was one the format knows
// (without it the node's other keys cannot be judged).
struct NodeRead {
  Node node;
  bool typed = false;
};

void read_type(const FieldSpec& f, ReadContext&, ObjectReader& r, NodeRead& n) {
  std::vector<std::string> names;
  for (const auto& k : orch::kNodeKindNames) names.emplace_back(k.name);
  const Json* raw = r.peek(f.key);
  const std::string type = r.choice(f.key, std::nullopt, names);
  const auto kind = sim::enum_value(orch::kNodeKindNames, type);
  n.typed = raw && raw->is_string() && raw->get<std::string>() == type && kind;
  if (n.typed) n.node.kind = *kind;
}

// Keys every node has, whatever its type.
const Fields<NodeRead>& common_fields() {
  const auto node_ = [](auto f) { return in(&NodeRead::node, std::move(f)); };
  static const Fields<NodeRead> t{
      .doc = "",
      .fields = {
          node_(text("name", &Node::name, "Unique node name.").required()),
          custom<NodeRead>(
              "type", "", [](SchemaBuilder&) { return Json::object(); }, read_type)
              .required(),
          node_(integer("max_visits", &Node::max_visits, {0, 1e6}, "",
                        "Most visits per request; bounds loops. 0 = unbounded.")),
          node_(
              node("on_exhausted", &Node::on_exhausted, "Where to go when max_visits is reached.")),
          node_(named_bool("on_exhausted_outcome", &Node::exhausted_is_success, "best_so_far",
                           "fail",
                           "When max_visits is reached without on_exhausted: keep the best "
                           "answer so far, or fail.")),
      }};
  return t;
}

const Fields<orch::GateRule>& rule_fields() {
  using R = orch::GateRule;
  static const Fields<R> t{
      .doc = "",
      .fields = {
          custom<R>("if", "", condition_schema,
                    [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, R& rule) {
                      if (const Json* cond = r.child(f.key)) {
                        rule.when = read_condition(ctx, *cond, r.at(f.key));
                      } else {
                        report_missing(f, ctx, r);
                      }
                    })
              .required("a condition"),
          node("then", &R::then, "Where to go.").required(),
      }};
  return t;
}

const Fields<Node>& gate_fields() {
  using G = orch::GateNode;
  static const Fields<Node> t{
      .doc = "A gate node.",
      .fields = {
          in(&Node::gate, array("rules", &G::rules, rule_fields,
                                "an array of {\"if\": condition, \"then\": node}", false,
                                "Rules, first match wins.")),
          in(&Node::gate,
             node("otherwise", &G::otherwise, "Where to go when no rule matches.").required()),
      }};
  return t;
}

const Fields<orch::FanOutNode>& map_fields() {
  using F = orch::FanOutNode;
  static const Fields<F> t{
      .doc = "The same branch several times.",
      .fields = {
          node("entry", &F::map_entry, "Entry of each mapped branch.").required(),
          flag("count_from_label", &F::count_from_label,
               "Take the count from the last output's label (label index + 1)."),
          custom<F>(
              "count", "Branches; 1 by default with count_from_label, else required.",
              [](SchemaBuilder&) {
                return number_schema("integer", {1, 1000});
              },
              [](const FieldSpec& f, ReadContext&, ObjectReader& r, F& v) {
                v.map_count = static_cast<std::uint32_t>(
                    r.integer(f.key, v.count_from_label ? 1 : 0, {1, 1000}));
              }),
      }};
  return t;
}

const Fields<Node>& fan_out_fields() {
  using F = orch::FanOutNode;
  static const Fields<Node> t{
      .doc = "A fan-out node.",
      .fields =
          {
              in(&Node::fan_out, nodes("branches", &F::branches, "Entry nodes of the branches.")),
              in(&Node::fan_out, group("map", map_fields, "")),
              check<Node>([](ReadContext& ctx, ObjectReader& r, Node& n) {
                const Json* branches = r.peek("branches");
                if (branches && !branches->is_array()) return;  // reported: not a list
                if (n.fan_out.branches.empty() && n.fan_out.map_entry == orch::kNoNode &&
                    !r.has("map")) {
                  ctx.diagnostics().error(r.at("branches"),
                                          "missing, expected \"branches\" or \"map\"");
                }
              }),
              in(&Node::fan_out,
                 node("join", &F::join, "The join node where the branches meet (type join).")
                     .required()),
              in(&Node::fan_out,
                 integer("max_concurrency", &F::max_concurrency, {0, 1e6}, "",
                         "Branches running at once; the next starts when one ends (Step "
                         "Functions' MaxConcurrency). 0: all at once.")),
          },
      .rules = Json{{"anyOf", {{{"required", {"branches"}}}, {{"required", {"map"}}}}}},
  };
  return t;
}

const Fields<Node>& join_fields() {
  using J = orch::JoinNode;
  static const Fields<Node> t{
      .doc = "A join node.",
      .fields = {
          in(&Node::join,
             choice("policy", &J::policy, orch::kJoinPolicyNames, "When the join completes.")),
          in(&Node::join, integer("k", &J::k, {1, 1000}, "", "first_k / quorum: branches needed.")),
          in(&Node::join,
             duration("deadline_ms", &J::deadline, TimeUnit::kMilliseconds, Range::non_negative(),
                      "deadline: wait at most this after the fan-out started.")
                 .required_when("policy", "deadline")),
          in(&Node::join,
             choice("merge", &J::merge, orch::kMergeNames, "How branch qualities merge.")),
          // Failures an `all` join accepts (Step Functions' Map: ToleratedFailureCount
          // and ToleratedFailurePercentage; the stricter one when both are given).
          // Neither has a default: absent means no failure is tolerated.
          custom<Node>(
              "tolerated_failures",
              "all: failed branches still accepted (with tolerated_failure_percent, the "
              "stricter).",
              [](SchemaBuilder&) { return number_schema("integer", {0, 1e9}); },
              [](const FieldSpec& f, ReadContext&, ObjectReader& r, Node& n) {
                if (r.has(f.key)) {
                  n.join.tolerated_failures =
                      static_cast<std::uint32_t>(r.integer(f.key, 0, {0, 1e9}));
                }
              }),
          custom<Node>(
              "tolerated_failure_percent",
              "all: the percentage of branches that may fail and still be accepted.",
              [](SchemaBuilder&) { return number_schema("number", {0.0, 100.0}); },
              [](const FieldSpec& f, ReadContext&, ObjectReader& r, Node& n) {
                if (r.has(f.key)) {
                  n.join.tolerated_failure_percent = r.number(f.key, 0.0, {0.0, 100.0});
                }
              }),
          node("next", &Node::next, "Where to go.").required(),
          in(&Node::join, node("on_failure", &J::on_failure,
                               "Where to go when too few branches succeed (default: the "
                               "request fails).")),
      }};
  return t;
}

const Fields<Node>& terminal_fields() {
  using T = orch::TerminalNode;
  static const Fields<Node> t{
      .doc = "A terminal node.",
      .fields = {
          in(&Node::terminal, flag("success", &T::success, "The request succeeded.")),
          custom<Node>(
              "outcome", "Outcome name in reports; by default the node's name.",
              [](SchemaBuilder&) {
                return Json{{"type", "string"}};
              },
              [](const FieldSpec& f, ReadContext&, ObjectReader& r, Node& n) {
                n.terminal.outcome = r.string(f.key, n.name);
              }),
      }};
  return t;
}

const Fields<Node>& fields_of(orch::NodeKind kind) {
  switch (kind) {
    case orch::NodeKind::kCall:
      return call_node_fields();
    case orch::NodeKind::kGate:
      return gate_fields();
    case orch::NodeKind::kFanOut:
      return fan_out_fields();
    case orch::NodeKind::kJoin:
      return join_fields();
    case orch::NodeKind::kTerminal:
      break;
  }
  return terminal_fields();
}

Node read_node(ReadContext& ctx, const Json& j, const std::string& at) {
  ObjectReader r(j, at, ctx.diagnostics());
  NodeRead n;
  common_fields().read(ctx, r, n);
  if (n.typed) {
    fields_of(n.node.kind).read(ctx, r, n.node);
    r.finish();  // without a valid type the other keys cannot be judged: no "unknown key" noise
  }
  return std::move(n.node);
}

// Node names first, so that edges may point forward.
std::map<std::string, orch::NodeId> node_ids(ReadContext& ctx, const Json& nodes,
                                             const std::string& at) {
  std::map<std::string, orch::NodeId> ids;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Json& n = nodes[i];
    if (!n.is_object() || !n.contains("name") || !n["name"].is_string()) continue;
    const std::string name = n["name"].get<std::string>();
    if (!ids.emplace(name, static_cast<orch::NodeId>(i)).second) {
      ctx.diagnostics().error(pointer_join(pointer_join(at, std::to_string(i)), "name"),
                              fmt::format("found \"{}\" again, expected unique node names", name));
    }
  }
  return ids;
}

void read_nodes(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, orch::Workflow& wf) {
  const Json* nodes = r.child(f.key);
  if (!nodes || !nodes->is_array() || nodes->empty()) {
    ctx.diagnostics().error(r.at(f.key), "missing or empty, expected an array of nodes");
    return;
  }
  ctx.set_node_ids(node_ids(ctx, *nodes, r.at(f.key)));
  for (std::size_t i = 0; i < nodes->size(); ++i) {
    wf.nodes.push_back(read_node(ctx, (*nodes)[i], pointer_join(r.at(f.key), std::to_string(i))));
  }
}

void read_entry(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, orch::Workflow& wf) {
  if (wf.nodes.empty()) return;  // no nodes: reported, and nothing to enter
  wf.entry = 0;                  // the first node, unless named
  if (const Json* entry = r.child(f.key)) {
    wf.entry = ctx.node(*entry, r.at(f.key));
    if (wf.entry == orch::kNoNode) wf.entry = 0;
  }
}

// One node type's schema: the common keys, the type as a constant, its own keys.
Json node_type_schema(SchemaBuilder& b, const sim::EnumName<orch::NodeKind>& kind) {
  const Fields<Node>& own = fields_of(kind.value);
  Json props = common_fields().properties(b);
  props["type"] = Json{{"const", std::string(kind.name)}, {"description", std::string(kind.doc)}};
  const Json own_props = own.properties(b);
  for (auto it = own_props.begin(); it != own_props.end(); ++it) props[it.key()] = *it;
  std::vector<std::string> required = common_fields().required_keys();
  for (const std::string& k : own.required_keys()) required.push_back(k);
  Json s = object_schema(own.doc, std::move(props), required);
  add_rules(s, own.rules, own.conditions());
  return s;
}

}  // namespace

const Fields<orch::Workflow>& workflow_fields() {
  using W = orch::Workflow;
  static const Fields<W> t{
      .doc = "The workflow graph.",
      .fields = {
          integer("system_prompt_tokens", &W::system_prompt_tokens, {0, 1e9}, "tokens",
                  "System prompt tokens sent with every call."),
          custom<W>(
              "nodes", "The nodes of the workflow graph.",
              [](SchemaBuilder& b) {
                Json node = b.ref("node", [](SchemaBuilder& bb) {
                  Json one = Json::array();
                  for (const auto& k : orch::kNodeKindNames) {
                    one.push_back(node_type_schema(bb, k));
                  }
                  return Json{{"description", "A workflow node; \"type\" says which kind."},
                              {"oneOf", one}};
                });
                return Json{{"type", "array"}, {"items", node}, {"minItems", 1}};
              },
              read_nodes)
              .required(),
          custom<W>(
              "entry", "The first node (default: the first in nodes).",
              [](SchemaBuilder&) { return name_schema(); }, read_entry),
      }};
  return t;
}

void read_workflow(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s) {
  ObjectReader r(j, at, ctx.diagnostics());
  if (!r.valid()) return;
  s.workflow.name = s.name;
  workflow_fields().read(ctx, r, s.workflow);
  r.finish();
}

}  // namespace orchsim::scenarios
