// Call nodes: candidates and routing, timeout, retries with backoff, hedging,
// validation, fallback, a time budget, context handling and quality flow
// (docs/orchestration.md).
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
  props["policy"] = prop(
      {.key = "policy",
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
  props["weights"] =
      prop({.key = "weights", .doc = "weighted_random: one weight per agent."},
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
  props["accept_confidence"] =
      prop({.key = "accept_confidence", .doc = "cascade: accept a tier's output at this confidence."},
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

// The node's policy, made once as a check (its factory checks its params and
// may add candidates: a cascade's tiers); then candidates are required.
void check_routing_and_candidates(ReadContext& ctx, ObjectReader& r, orch::Node& n) {
  Diagnostics& d = ctx.diagnostics();
  const std::size_t before = d.items().size();
  const auto& s = ctx.scenario();
  const auto class_count = static_cast<std::uint32_t>(std::max<std::size_t>(1, s.class_names.size()));
  if (!s.agents.empty()) {
    check_routing(n.call, n.name, agent_names(ctx), class_count, ctx.policies(), d);
  }
  const bool policy_problems = d.items().size() != before;
  const Json* agents_json = r.child("agents");
  const bool wrong_type = agents_json && !agents_json->is_array();  // reported already
  if (n.call.agents.empty() && !policy_problems && !wrong_type) {
    d.error(r.at("agents"), "missing, expected a non-empty array of agent names");
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
              ctx.diagnostics().error(
                  r.at("rules"), fmt::format("found {} retry rules, expected 1 to {}",
                                             c.rules.size(), orch::kMaxRetryRules));
            }
          }),
      }};
  return t;
}

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
          node("next", &N::next, "Where to go on success.").required(),
          node("on_failure", &N::on_failure,
               "Where to go when every attempt failed (default: the request fails)."),
      }};
  return t;
}

}  // namespace orchsim::scenarios
