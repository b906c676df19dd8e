// Call nodes: candidates and routing (or a sub-workflow to run), timeout,
// retries with backoff, hedging, validation, fallback, a time budget, context
// handling, quality flow, request parameters, and what changes on a later
// visit (docs/orchestration.md, docs/sub-workflows.md).
#include <fmt/format.h>

#include <algorithm>

#include "orchestration/policy_registry.hpp"
#include "scenarios/routing_section.hpp"
#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace orch = orchestration;

std::optional<mock_agents::ErrorKind> read_error_kind(const Json& v, const std::string& at,
                                                      Diagnostics& d) {
  const auto names = configurable_names<mock_agents::ErrorKind>(mock_agents::kErrorKindNames);
  const std::string k = v.is_string() ? v.get<std::string>() : "";
  if (std::find(names.begin(), names.end(), k) != names.end()) {
    return sim::enum_value(mock_agents::kErrorKindNames, k);
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  const std::string near = closest_match(k, names);
  d.error(at, fmt::format("found {}, expected an error kind ({})", describe_json(v), list),
          near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  return std::nullopt;
}

namespace {

using orch::CallNode;

// The routing policies built into orchsim, for the schema's examples (a
// scenario may also name one a program registered: the pattern is the rule).
std::vector<std::string> builtin_policy_names() {
  std::vector<std::string> names;
  for (const auto* e : orch::PolicyRegistry::global().entries()) {
    if (e->info.builtin) names.push_back(e->info.name);
  }
  return names;
}

// "routing" is read by read_routing() and its policy checked against the
// registry (routing_section.hpp): the policy owns its parameters, so the
// schema describes the keys the loader itself reads, and leaves "params" to
// the policy.
Json routing_schema(SchemaBuilder& b) {
  const auto prop = [&b](FieldSpec spec, Json value, Json default_value) {
    spec.schema = [value](SchemaBuilder&) { return value; };
    return property_schema(spec, b, default_value);
  };
  const auto probability = number_schema("number", Range::probability());
  const auto non_negative = number_schema("number", Range::non_negative());
  Json props = Json::object();
  props["policy"] =
      prop({.key = "policy",
            .doc = "A routing policy registered in orchsim (`orchsim list --policies`): a built-in "
                   "one, or one a program registered before loading (C++ PolicyRegistry, Python "
                   "orchsim.run(policies=...))."},
           Json{{"type", "string"},
                {"pattern", "^[a-z][a-z0-9_]*$"},
                {"examples", builtin_policy_names()}},
           "static");
  props["params"] = prop({.key = "params",
                          .doc = "The policy's own parameters; the policy checks them (unknown "
                                 "keys are errors). Built-ins: see docs/policies.md."},
                         Json{{"type", "object"}}, Json());
  props["weights"] = prop({.key = "weights", .doc = "weighted_random: one weight per agent."},
                          Json{{"type", "array"}, {"items", non_negative}}, Json());
  props["min_confidence"] =
      prop({.key = "min_confidence",
            .doc = "cost_aware: the cheapest agent whose EWMA confidence reaches this."},
           probability, 0);
  props["exploration"] =
      prop({.key = "exploration", .doc = "linucb: exploration alpha."}, non_negative, 1);
  props["cost_weight"] =
      prop({.key = "cost_weight",
            .doc = "linucb: dollars of cost that cancel a reward of 1 (the reward's default "
                   "cost_per_usd).",
            .unit = "1/USD"},
           non_negative, 10);
  props["tiers"] =
      prop({.key = "tiers", .doc = "cascade: agents, cheapest first."}, names_schema(), Json());
  props["accept_confidence"] = prop(
      {.key = "accept_confidence", .doc = "cascade: accept a tier's output at this confidence."},
      probability, 0.7);
  return object_schema("Routing policy.", std::move(props), {});
}

std::vector<std::string> agent_names(const ReadContext& ctx) {
  std::vector<std::string> names;
  for (const auto& a : ctx.scenario().agents) names.push_back(a.name);
  return names;
}

void read_routing_field(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, orch::Node& n) {
  n.call.routing = orch::RoutingConfig{};
  n.call.routing.pointer = r.at(f.key);
  if (const Json* j = r.child(f.key)) {
    read_routing(*j, r.at(f.key), n.call, agent_names(ctx), ctx.diagnostics());
  }
}

void read_sub_workflow_field(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, orch::Node& n) {
  if (const Json* w = r.child(f.key)) n.call.sub_workflow = ctx.sub_workflow(*w, r.at(f.key));
}

// The node's policy, made once as a check (its factory checks its params and
// may add candidates: a cascade's tiers); then candidates are required. A
// node that runs a sub-workflow has neither: its steps route their own calls.
void check_routing_and_candidates(ReadContext& ctx, ObjectReader& r, orch::Node& n) {
  Diagnostics& d = ctx.diagnostics();
  if (r.has("workflow")) {
    if (r.has("agents")) {
      d.error(r.at("agents"),
              "found agents next to \"workflow\", expected one of them: a call node runs a "
              "sub-workflow or calls agents");
    }
    if (r.has("routing")) {
      d.error(r.at("routing"),
              "found routing next to \"workflow\", expected none: a sub-workflow's steps route "
              "their own calls");
    }
    return;
  }
  const std::size_t before = d.items().size();
  const auto& s = ctx.scenario();
  const auto class_count =
      static_cast<std::uint32_t>(std::max<std::size_t>(1, s.class_names.size()));
  if (!s.agents.empty()) {
    check_routing(n.call, n.name, agent_names(ctx), class_count, ctx.policies(), d);
  }
  const bool policy_problems = d.items().size() != before;
  const Json* agents_json = r.child("agents");
  const bool wrong_type = agents_json && !agents_json->is_array();  // reported already
  if (n.call.agents.empty() && !policy_problems && !wrong_type) {
    d.error(r.at("agents"),
            "missing, expected a non-empty array of agent names (or \"workflow\": the name of "
            "a sub-workflow in /workflows)");
  }
}

// "retry_on" of a retry section or of one of its rules: the error kinds retried.
template <class T>
Field<T> retry_on_field(std::string doc) {
  return custom<T>(
      "retry_on", std::move(doc),
      [](SchemaBuilder&) {
        Json item =
            enum_schema(configurable_names<mock_agents::ErrorKind>(mock_agents::kErrorKindNames));
        return Json{{"type", "array"}, {"items", item}};
      },
      [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& c) {
        const Json* on = r.child(f.key);
        if (!on) return;
        c.retry_on.clear();
        const std::string at = r.at(f.key);
        if (!check_array(*on, at, false, "an array of error kinds", ctx.diagnostics())) return;
        for (std::size_t i = 0; i < on->size(); ++i) {
          const auto kind =
              read_error_kind((*on)[i], pointer_join(at, std::to_string(i)), ctx.diagnostics());
          if (kind) c.retry_on.push_back(*kind);
        }
      });
}

const Preset<orch::BackoffPolicy> kBackoffPresets[] = {
    {"custom", [] { return orch::BackoffPolicy{}; }, "the defaults below"},
    {"temporal", orch::BackoffPolicy::temporal, "1 s, x2, cap 100 s, no jitter"},
    {"step_functions", orch::BackoffPolicy::step_functions, "1 s, x2, no cap, no jitter"},
    {"langgraph", orch::BackoffPolicy::langgraph, "0.5 s, x2, cap 128 s, + U(0, 1 s)"},
    {"grpc",
     [] {
       return orch::BackoffPolicy::grpc(sim::Duration::seconds(1), sim::Duration::seconds(120),
                                        1.6);
     },
     "1 s, x1.6, cap 120 s, full jitter"},
    {"envoy", orch::BackoffPolicy::envoy, "25 ms base, cap 250 ms"},
    {"polly", orch::BackoffPolicy::polly, "2 s constant, no jitter"},
};

const Fields<orch::BackoffPolicy>& backoff_fields() {
  using B = orch::BackoffPolicy;
  constexpr auto ms = TimeUnit::kMilliseconds;
  static const Fields<B> t{
      .doc = "Backoff between attempts.",
      .fields = {
          preset("preset", kBackoffPresets, "Defaults to start from; the keys below adjust them."),
          choice("shape", &B::shape, orch::kBackoffShapeNames, "How delays grow."),
          choice("jitter", &B::jitter, orch::kJitterNames, "Randomisation of the delays."),
          duration("jitter_max_ms", &B::jitter_max, ms, Range::non_negative(),
                   "The most additive jitter adds."),
          duration("base_ms", &B::base, ms, Range::non_negative(), "First delay."),
          duration("cap_ms", &B::cap, ms, Range::non_negative(), "Longest delay."),
          number("multiplier", &B::multiplier, {1.0, 100.0}, "",
                 "Growth factor of exponential backoff."),
      }};
  return t;
}

const Fields<orch::RetryRule>& retry_rule_fields() {
  using R = orch::RetryRule;
  static const Fields<R> t{
      .doc = "A retrier: the failures it matches, how often and after how long it retries them.",
      .fields = {
          retry_on_field<R>("Error kinds this rule matches."),
          flag("retry_on_timeout", &R::retry_on_timeout, "Match timeouts."),
          flag("retry_on_invalid", &R::retry_on_invalid, "Match outputs the validator rejects."),
          integer("max_retries", &R::max_retries, {0, 999}, "",
                  "Retries this rule allows a step; 0: never."),
          section("backoff", &R::backoff, backoff_fields, ""),
      }};
  return t;
}

}  // namespace

const Fields<orch::RetryConfig>& retry_fields() {
  using R = orch::RetryConfig;
  static const Fields<R> t{
      .doc = "Retries.",
      .fields = {
          integer("max_attempts", &R::max_attempts, {1, 1000}, "", "Attempts including the first."),
          section("backoff", &R::backoff, backoff_fields, ""),
          retry_on_field<R>("Error kinds retried."),
          flag("retry_on_timeout", &R::retry_on_timeout, "Retry timeouts."),
          flag("retry_on_invalid", &R::retry_on_invalid, "Retry outputs the validator rejects."),
          flag("honour_retry_after", &R::honour_retry_after,
               "Wait at least a rate-limited call's retry-after; false: the backoff alone "
               "decides (Step Functions)."),
          array("rules", &R::rules, retry_rule_fields, "an array of 1 to 8 retry rules", true,
                "Ordered retriers (Step Functions' Retry): the first rule that matches a failure "
                "decides, with its own count and backoff; they replace max_attempts, retry_on, "
                "retry_on_timeout, retry_on_invalid and backoff."),
          check<R>([](ReadContext& ctx, ObjectReader& r, R& c) {
            if (c.rules.size() > orch::kMaxRetryRules) {
              ctx.diagnostics().error(r.at("rules"),
                                      fmt::format("found {} retry rules, expected 1 to {}",
                                                  c.rules.size(), orch::kMaxRetryRules));
            }
          }),
      }};
  return t;
}

namespace {

const Fields<orch::HedgeConfig>& hedge_fields() {
  using H = orch::HedgeConfig;
  static const Fields<H> t{
      .doc = "Hedged requests.",
      .fields =
          {
              integer("max_extra_attempts", &H::max_extra_attempts, {0, 4}, "",
                      "Extra attempts in parallel."),
              duration("delay_ms", &H::delay, TimeUnit::kMilliseconds, Range::non_negative(),
                       "Start a hedge after this.")
                  .required(),
              agents("agents", &H::agents, "Agents to hedge on (default: chosen by routing)."),
          },
      // A hedge section without max_extra_attempts hedges once.
      .on_present = [](H& h) { h.max_extra_attempts = 1; },
  };
  return t;
}

const Fields<orch::ValidatorConfig>& validator_fields() {
  using V = orch::ValidatorConfig;
  const Range p = Range::probability();
  static const Fields<V> t{
      .doc = "Output validation: silent-failure detection.",
      .fields =
          {
              number("bad_below", &V::bad_below, p, "", "Outputs below this quality are bad."),
              number("true_positive_rate", &V::true_positive_rate, p, "",
                     "Chance a bad output is caught."),
              number("false_positive_rate", &V::false_positive_rate, p, "",
                     "Chance a good output is rejected."),
          },
      .on_present = [](V& v) { v.enabled = true; },
  };
  return t;
}

const Fields<orch::TimeBudgetConfig>& time_budget_fields() {
  using T = orch::TimeBudgetConfig;
  static const Fields<T> t{
      .doc = "What to do when a step runs long.",
      .fields =
          {
              duration("budget_ms", &T::budget, TimeUnit::kMilliseconds, Range::positive(),
                       "When the step is still running after this, take the action.")
                  .required(),
              choice("action", &T::action, orch::kTimeBudgetActionNames,
                     "Go to a faster agent, or split the work.")
                  .required(),
              custom<T>(
                  "agent", "The fast agent (redirect) or the decomposing agent (decompose).",
                  [](SchemaBuilder&) { return name_schema(); },
                  [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
                    const bool split = v.action == T::Action::kDecompose;
                    (split ? v.decompose_agent : v.fast_agent) =
                        ctx.agent(r.child(f.key), r.at(f.key));
                  })
                  .required(),
              // Only a decomposition has parts: elsewhere the key is unknown.
              custom<T>(
                  "parts", "decompose: parts.",
                  [](SchemaBuilder&) {
                    return number_schema("integer", {2, 64});
                  },
                  [](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
                    if (v.action != T::Action::kDecompose) return;
                    v.parts = static_cast<std::uint32_t>(r.integer(f.key, v.parts, {2, 64}));
                  })
                  .defaults_to([](const T& v) { return Json(v.parts); }),
          },
      .rules = Json::parse(R"({"allOf": [{"if": {"anyOf": [{"required": ["parts"]}]},
          "then": {"properties": {"action": {"const": "decompose"}}, "required": ["action"]}}]})"),
  };
  return t;
}

const Fields<CallNode>& context_fields() {
  using C = CallNode;
  static const Fields<C> t{
      .doc = "Context handling.",
      .fields = {
          choice("fit", &C::fit, orch::kFitPolicyNames,
                 "How an over-long context is fitted into the agent's window."),
          agent("summarizer", &C::summarizer, "The summarizing agent.")
              .required_when("fit", "summarize"),
          number("summary_ratio", &C::summary_ratio, {0.001, 1.0}, "",
                 "summarize: summary length / original length."),
          number("summary_fidelity", &C::summary_fidelity, Range::probability(), "",
                 "summarize: share of relevance kept."),
          flag("include_context", &C::include_context, "Send the accumulated context."),
          choice("output_segment", &C::output_segment, orch::kSegmentKindNames,
                 "Kind of context segment the output becomes."),
          number("output_relevance", &C::output_relevance, Range::non_negative(), "",
                 "Relevance of the output segment."),
          flag("output_to_context", &C::output_to_context, "Add the output to the context."),
      }};
  return t;
}

const Fields<CallNode>& quality_flow_fields() {
  using C = CallNode;
  static const Fields<C> t{
      .doc = "Quality flow.",
      .fields = {
          choice("input", &C::input, orch::kQualityChannelNames, "Which quality feeds the agent."),
          choice("output", &C::output, orch::kQualityChannelNames,
                 "Which quality the output sets."),
          flag("judges_answer", &C::judges_answer,
               "The agent judges the answer (its verdict is used by gates)."),
      }};
  return t;
}

const Fields<CallNode>& request_fields() {
  using C = CallNode;
  static const Fields<C> t{
      .doc = "Request parameters: what the step asks of its agent.",
      .fields = {
          number("output_tokens_factor", &C::output_tokens_factor, {0.0, 1e6}, "",
                 "The agent returns this many times its usual output tokens (a retrieval's "
                 "depth, a generation's length), billed and timed as such; they join the "
                 "context, so the steps after read more."),
      }};
  return t;
}

// --- on_revisit ------------------------------------------------------------------------------

// Keys that place a node in its graph: a rule changes the step, not the graph.
bool graph_key(const std::string& key) {
  return key == "name" || key == "type" || key == "next" || key == "on_failure" ||
         key == "max_visits" || key == "on_exhausted" || key == "on_exhausted_outcome" ||
         key == "on_revisit";
}

bool annotation(const std::string& key) { return key == "$comment" || key.starts_with("//"); }

// What a rule's "set" may change: a call node's keys but the graph's.
const std::vector<std::string>& step_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const Field<orch::Node>& f : call_node_fields().fields) {
      if (!f.spec.key.empty() && !graph_key(f.spec.key)) out.push_back(f.spec.key);
    }
    return out;
  }();
  return keys;
}

// The schema of a merge patch (RFC 7396) of a value of schema `s`: null
// removes the key; an object may be partial, so its keys are checked (names
// and values) but none is required, and the rules between its keys (allOf,
// anyOf: "parts" only with "decompose") hold of the patched node, which the
// loader checks; anything else replaces the value whole and is checked whole.
// No defaults: a key a patch leaves out keeps the node's value.
Json merge_patch_schema(Json s) {
  s.erase("default");
  if (s.contains("properties")) {
    s.erase("required");
    s.erase("allOf");
    s.erase("anyOf");
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      *it = merge_patch_schema(std::move(*it));
    }
  }
  Json out = Json::object();
  if (s.contains("description")) {
    out["description"] = s["description"];
    s.erase("description");
  }
  out["anyOf"] = Json::array({Json{{"type", "null"}}, std::move(s)});
  return out;
}

// The schema of "set": a merge patch of the call node's step keys, generated
// from the call node's own fields, so a misspelt key is caught at any depth.
Json call_step_schema(SchemaBuilder& b) {
  return b.ref("call_step", [](SchemaBuilder& bb) {
    Json props = Json::object();
    for (const Field<orch::Node>& f : call_node_fields().fields) {
      if (f.spec.key.empty() || graph_key(f.spec.key)) continue;
      props[f.spec.key] = merge_patch_schema(property_schema(f.spec, bb, Json()));
    }
    return object_schema(
        "A call node's step keys that an on_revisit rule changes: a JSON Merge Patch (RFC 7396) "
        "on the node's own keys, so an object may be partial and null removes a key; the "
        "loader checks the result as it checks the node.",
        std::move(props), {});
  });
}

// One on_revisit rule as read: the rule, and its keys that change the node's.
struct RevisitRead {
  orch::Revisit rule;
  const Json* agent = nullptr;
  const Json* agents = nullptr;
  const Json* set = nullptr;
};

void read_set(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, RevisitRead& v) {
  const Json* set = r.child(f.key);
  if (!set) return;
  Diagnostics& d = ctx.diagnostics();
  if (!set->is_object()) {
    d.error(r.at(f.key), fmt::format("found {}, expected an object of the node's keys to change",
                                     describe_json(*set)));
    return;
  }
  const std::vector<std::string>& keys = step_keys();
  for (auto it = set->begin(); it != set->end(); ++it) {
    const std::string& key = it.key();
    const std::string at = pointer_join(r.at(f.key), key);
    if (graph_key(key)) {
      d.error(at, fmt::format("found \"{}\", which places the node in the graph, expected keys "
                              "of the step (agents, timeout_ms, retry, context, request, ...)",
                              key));
    } else if (!annotation(key) && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string expected;
      for (const std::string& k : keys) expected += (expected.empty() ? "" : ", ") + k;
      const std::string near = closest_match(key, keys);
      d.error(at, fmt::format("unknown key, expected one of: {}", expected),
              near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    }
  }
  v.set = set;
}

const Fields<RevisitRead>& revisit_fields() {
  using R = RevisitRead;
  static const Fields<R> t{
      .doc =
          "What changes from a visit on: the node's own keys with `set` applied as a JSON "
          "Merge Patch (RFC 7396), the candidates replaced by `agent` or `agents`.",
      .fields = {
          in(&R::rule,
             integer("from_visit", &orch::Revisit::from_visit, {2, 1e6}, "",
                     "The visit from which the rule applies (of the request; of one run, in a "
                     "sub-workflow). Rules come in increasing from_visit; the last reached "
                     "applies.")),
          custom<R>(
              "agent",
              "The one candidate from then on (the routing becomes static unless `set` "
              "gives one).",
              [](SchemaBuilder&) { return name_schema(); },
              [](const FieldSpec& f, ReadContext&, ObjectReader& r, R& v) {
                v.agent = r.child(f.key);
              }),
          custom<R>(
              "agents", "The candidates from then on.",
              [](SchemaBuilder&) { return names_schema(); },
              [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, R& v) {
                v.agents = r.child(f.key);
                if (v.agent && v.agents) {
                  ctx.diagnostics().error(r.at(f.key),
                                          "found both \"agent\" and \"agents\", expected one");
                }
              }),
          custom<R>("set",
                    "The step's keys that change: any key of a call node but those that place "
                    "it in the graph (name, type, next, on_failure, max_visits, on_exhausted).",
                    call_step_schema, read_set),
      }};
  return t;
}

// The node's keys with the rule's changes. A rule that switches between
// agents and a sub-workflow drops what the node had of the other; new
// candidates drop the node's routing, whose parameters may not fit them.
Json patched_step(const Json& node, const RevisitRead& v) {
  Json step = node;
  step.erase("on_revisit");
  if (v.set) {
    const bool to_agents = v.set->contains("agents") && !v.set->contains("workflow");
    const bool to_workflow = v.set->contains("workflow") && !v.set->contains("agents");
    if (to_agents) step.erase("workflow");
    if (to_workflow) {
      step.erase("agents");
      if (!v.set->contains("routing")) step.erase("routing");
    }
    step.merge_patch(*v.set);
  }
  if (v.agent || v.agents) {
    step["agents"] = v.agent ? Json::array({*v.agent}) : *v.agents;
    step.erase("workflow");
    if (!(v.set && v.set->contains("routing"))) step.erase("routing");
  }
  return step;
}

// "on_revisit": each rule's step is read like the node itself, from the
// patched keys. Problems of the rule's own keys are re-pointed into the
// rule; those of the node's keys were reported at the node, once.
void read_on_revisit(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, orch::Node& n) {
  const Json* list = r.child(f.key);
  if (!list || !r.object()) return;
  Diagnostics& d = ctx.diagnostics();
  const std::string at = r.at(f.key);
  if (!check_array(*list, at, false, "an array of {\"from_visit\", \"agent\", \"set\"} rules", d)) {
    return;
  }
  std::uint32_t previous = 1;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string rule_at = pointer_join(at, std::to_string(i));
    ObjectReader rr((*list)[i], rule_at, d);
    if (!rr.valid()) continue;
    RevisitRead v = revisit_fields().prototype();
    revisit_fields().read(ctx, rr, v);
    rr.finish();
    if (rr.has("from_visit") && v.rule.from_visit >= 2 && v.rule.from_visit <= previous) {
      d.error(rr.at("from_visit"),
              fmt::format("found {}, expected a visit after the previous rule's {} (rules in "
                          "increasing from_visit)",
                          v.rule.from_visit, previous));
    }
    previous = std::max(previous, v.rule.from_visit);

    const Json step = patched_step(*r.object(), v);
    const std::string set_at = pointer_join(rule_at, "set");
    const std::size_t before = d.items().size();
    orch::Node variant;
    variant.name = n.name;
    variant.kind = orch::NodeKind::kCall;
    ObjectReader vr(step, set_at, d);
    call_node_fields().read(ctx, vr, variant);
    for (Diagnostic& x : d.take_after(before)) {
      const std::string prefix = set_at + "/";
      const std::string rest =
          x.pointer.starts_with(prefix) ? x.pointer.substr(prefix.size()) : std::string();
      const std::string key = rest.substr(0, rest.find('/'));
      if (key == "agents" && (v.agent || v.agents)) {
        x.pointer = v.agent ? pointer_join(rule_at, "agent")
                            : pointer_join(rule_at, "agents") + rest.substr(key.size());
      } else if (!(v.set && v.set->contains(key))) {
        continue;  // the node's own key: reported at the node
      }
      d.error(x.pointer, x.message, x.hint);
    }
    v.rule.call = std::move(variant.call);
    n.on_revisit.push_back(std::move(v.rule));
  }
}

}  // namespace

const Fields<orch::Node>& call_node_fields() {
  using N = orch::Node;
  const auto call = [](auto f) { return in(&N::call, std::move(f)); };
  static const Fields<N> t{
      .doc = "A call node.",
      .fields = {
          call(agents("agents", &CallNode::agents,
                      "Candidate agents; required unless the routing policy names its own "
                      "(a cascade's tiers).")),
          custom<N>(
              "workflow",
              "The sub-workflow (in /workflows) each attempt runs instead of calling an "
              "agent; then no agents and no routing.",
              [](SchemaBuilder&) { return name_schema(); }, read_sub_workflow_field),
          custom<N>("routing", "", routing_schema, read_routing_field),
          check<N>(check_routing_and_candidates),
          call(duration("timeout_ms", &CallNode::attempt_timeout, TimeUnit::kMilliseconds,
                        Range::non_negative(), "Per-attempt timeout; 0 = none.")),
          call(section("retry", &CallNode::retry, retry_fields, "")),
          call(section("hedge", &CallNode::hedge, hedge_fields, "")),
          call(section("validator", &CallNode::validator, validator_fields, "")),
          call(agents("fallback", &CallNode::fallback_agents,
                      "Agents tried in order after the candidates fail.")),
          call(section("time_budget", &CallNode::time_budget, time_budget_fields, "")),
          call(group("context", context_fields, "")),
          call(group("quality", quality_flow_fields, "")),
          call(group("request", request_fields, "")),
          node("next", &N::next, "Where to go on success.").required(),
          node("on_failure", &N::on_failure,
               "Where to go when every attempt failed (default: the request fails)."),
          custom<N>(
              "on_revisit",
              "What changes from a later visit on: another agent, other request or quality "
              "parameters, another sub-workflow.",
              [](SchemaBuilder& b) {
                return Json{{"type", "array"}, {"items", revisit_fields().schema(b)}};
              },
              read_on_revisit),
      }};
  return t;
}

}  // namespace orchsim::scenarios
