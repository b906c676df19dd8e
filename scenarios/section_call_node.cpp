// Call nodes: candidates and routing, timeout, retries with backoff, hedging,
// validation, fallback, a time budget, context handling and quality flow
// (docs/orchestration.md).
#include <fmt/format.h>

#include "orchestration/routing.hpp"
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

std::vector<std::string> routing_policy_names() {
  std::vector<std::string> names;
  for (const auto& p : orch::kRoutingPolicies) names.emplace_back(p.name);
  return names;
}

std::string routing_policy_doc() {
  std::vector<std::pair<std::string, std::string>> docs;
  for (const auto& p : orch::kRoutingPolicies) docs.emplace_back(p.name, p.doc);
  return with_values("How an agent is chosen among the candidates.", docs);
}

void read_weights(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, CallNode& c) {
  const Json* w = r.child(f.key);
  if (!w) return;
  Diagnostics& d = ctx.diagnostics();
  const std::string at = r.at(f.key);
  if (!check_array(*w, at, false, "an array of numbers, one per agent", d)) return;
  for (std::size_t i = 0; i < w->size(); ++i) {
    const Json& x = (*w)[i];
    if (!x.is_number() || !(x.get<double>() >= 0.0)) {
      d.error(pointer_join(at, std::to_string(i)),
              fmt::format("found {}, expected a number >= 0", describe_json(x)));
    }
    c.routing.weights.push_back(x.is_number() ? x.get<double>() : 0.0);
  }
  if (c.routing.weights.size() != c.agents.size()) {
    d.error(at, fmt::format("found {} weights, expected one per agent ({})",
                            c.routing.weights.size(), c.agents.size()));
  }
}

const Fields<CallNode>& routing_fields() {
  using R = orch::RoutingConfig;
  const auto routing = [](auto f) { return in(&CallNode::routing, std::move(f)); };
  static const Fields<CallNode> t{
      .doc = "Routing policy.",
      .fields = {
          routing(one_of("policy", &R::policy, routing_policy_names(), routing_policy_doc())),
          custom<CallNode>(
              "weights", "weighted_random: one weight per agent.",
              [](SchemaBuilder&) {
                return Json{{"type", "array"},
                            {"items", number_schema("number", Range::non_negative())}};
              },
              read_weights),
          routing(number("min_confidence", &R::min_confidence, Range::probability(), "",
                         "cost_aware: the EWMA confidence a candidate must reach.")),
          routing(number("exploration", &R::linucb_alpha, Range::non_negative(), "",
                         "linucb: exploration alpha.")),
          routing(number("cost_weight", &R::cost_weight, Range::non_negative(), "1/USD",
                         "linucb: reward = confidence - cost_weight x cost.")),
          routing(in(&R::cascade, agents("tiers", &orch::CascadeConfig::tiers,
                                         "cascade: agents, cheapest first."))),
          routing(
              in(&R::cascade, number("accept_confidence", &orch::CascadeConfig::accept_confidence,
                                     Range::probability(), "",
                                     "cascade: accept a tier's output at this confidence."))),
          check<CallNode>([](ReadContext& ctx, ObjectReader& r, CallNode& c) {
            if (c.routing.policy != "cascade" || !c.routing.cascade.tiers.empty()) return;
            ctx.diagnostics().error(r.at("tiers"),
                                    r.has("tiers")
                                        ? "found an empty array, expected the cascade's agents, "
                                          "cheapest first"
                                        : "missing, expected the cascade's agents, cheapest first");
          }),
      }};
  return t;
}

void read_retry_on(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, orch::RetryConfig& c) {
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

const Fields<orch::RetryConfig>& retry_fields() {
  using R = orch::RetryConfig;
  static const Fields<R> t{
      .doc = "Retries.",
      .fields = {
          integer("max_attempts", &R::max_attempts, {1, 1000}, "", "Attempts including the first."),
          section("backoff", &R::backoff, backoff_fields, ""),
          custom<R>(
              "retry_on", "Error kinds retried.",
              [](SchemaBuilder&) {
                Json item = enum_schema(
                    configurable_names<mock_agents::ErrorKind>(mock_agents::kErrorKindNames));
                return Json{{"type", "array"}, {"items", item}};
              },
              read_retry_on),
          flag("retry_on_timeout", &R::retry_on_timeout, "Retry timeouts."),
          flag("retry_on_invalid", &R::retry_on_invalid, "Retry outputs the validator rejects."),
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

// Candidates are required unless a cascade names its own tiers.
void check_candidates(ReadContext& ctx, ObjectReader& r, orch::Node& n) {
  const Json* agents_json = r.child("agents");
  const bool wrong_type = agents_json && !agents_json->is_array();  // reported already
  if (n.call.agents.empty() && n.call.routing.policy != "cascade" && !wrong_type) {
    ctx.diagnostics().error(r.at("agents"), "missing, expected a non-empty array of agent names");
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
                      "Candidate agents; required unless the routing policy is cascade.")),
          call(group("routing", routing_fields, "")),
          check<N>(check_candidates),
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
