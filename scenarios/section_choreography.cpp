// The "choreography" section: subscriptions of agents to event topics, in
// place of a workflow (orchestration/choreography.hpp, docs/choreography.md).
#include <fmt/format.h>

#include <map>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace orch = orchestration;
using orch::Subscription;

const Fields<Subscription>& subscription_quality_fields() {
  using S = Subscription;
  static const Fields<S> t{
      .doc = "Quality flow, as a call node's.",
      .fields = {
          choice("input", &S::input, orch::kQualityChannelNames,
                 "Which quality of the event feeds the agent."),
          choice("output", &S::output, orch::kQualityChannelNames,
                 "Which quality the output sets in the event it publishes."),
          flag("judges_answer", &S::judges_answer,
               "The agent judges the answer: a pass publishes `publish`, a fail "
               "`publish_on_reject` (or nothing)."),
      }};
  return t;
}

const Fields<Subscription>& subscription_context_fields() {
  using S = Subscription;
  static const Fields<S> t{.doc = "What the output adds to the context the event carries.",
                           .fields = {
                               flag("output_to_context", &S::output_to_context,
                                    "Add the output's tokens to the context passed on."),
                           }};
  return t;
}

const Fields<Subscription>& subscription_request_fields() {
  using S = Subscription;
  static const Fields<S> t{
      .doc = "Request parameters: what the subscriber asks of its agent.",
      .fields = {
          number("output_tokens_factor", &S::output_tokens_factor, {0.0, 1e6}, "",
                 "The agent returns this many times its usual output tokens."),
      }};
  return t;
}

const Fields<Subscription>& subscription_fields() {
  using S = Subscription;
  static const Fields<S> t{
      .doc = "An agent that reacts to a topic and publishes its result.",
      .fields =
          {
              text("name", &S::name, "Name in reports (default: \"<agent>@<on>\")."),
              agent("agent", &S::agent, "The agent called on each delivery.").required(),
              text("on", &S::on, "The topic it reacts to (\"request\": a request arrived).")
                  .required(),
              text("publish", &S::publish,
                   "The topic a success publishes (a judge: a pass verdict).")
                  .required(),
              text("publish_on_reject", &S::publish_on_reject,
                   "A judge's fail verdict publishes this topic (default: nothing)."),
              choice("when", &S::when, orch::kDeliveryFilterNames,
                     "Which deliveries it acts on, by the event's confidence."),
              number("threshold", &S::threshold, Range::probability(), "",
                     "The confidence the `when` filter compares with."),
              duration("timeout_ms", &S::timeout, TimeUnit::kMilliseconds, Range::non_negative(),
                       "Local limit per attempt: past it the subscriber retries without "
                       "cancelling the first call, which still publishes if it succeeds; "
                       "0 = none."),
              section("retry", &S::retry, retry_fields,
                      "Local retries, as a call node's (retry_on_invalid does nothing: no validator)."),
              flag("idempotent", &S::idempotent,
                   "Act on each request at most once: later deliveries are dropped."),
              group("quality", subscription_quality_fields, ""),
              group("context", subscription_context_fields, ""),
              group("request", subscription_request_fields, ""),
              integer("stream_node", &S::stream_node, {-1, 4095}, "",
                      "Random-stream address: meet the draws of this workflow node's call "
                      "(common random numbers with an orchestrated twin); -1 = the "
                      "subscription's index."),
              integer("stream_visit", &S::stream_visit, {1, 65535}, "",
                      "... on this visit of it (later deliveries count up)."),
          },
  };
  return t;
}

void read_completes_on(const FieldSpec& f, ReadContext& ctx, ObjectReader& r,
                       orch::Choreography& c) {
  const Json* j = r.child(f.key);
  if (!j) {
    report_missing(f, ctx, r);
    return;
  }
  if (!check_array(*j, r.at(f.key), true, "an array of topic names", ctx.diagnostics())) return;
  for (std::size_t i = 0; i < j->size(); ++i) {
    const Json& v = (*j)[i];
    const std::string at = pointer_join(r.at(f.key), std::to_string(i));
    if (!v.is_string()) {
      ctx.diagnostics().error(at, fmt::format("found {}, expected a topic name", v.dump()));
      continue;
    }
    c.completes_on.push_back(v.get<std::string>());
  }
}

// "<agent>@<on>" for subscriptions without a name; a name given twice is an error.
void name_subscriptions(ReadContext& ctx, ObjectReader& r, orch::Choreography& c) {
  const Scenario& s = ctx.scenario();
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < c.subscriptions.size(); ++i) {
    Subscription& sub = c.subscriptions[i];
    const bool given = !sub.name.empty();
    if (!given) {
      const std::string agent = sub.agent < s.agents.size() ? s.agents[sub.agent].name
                                                            : fmt::format("agent{}", sub.agent);
      sub.name = fmt::format("{}@{}", agent, sub.on);
      for (int k = 2; seen.count(sub.name); ++k)
        sub.name = fmt::format("{}@{}#{}", agent, sub.on, k);
    } else if (seen.count(sub.name)) {
      ctx.diagnostics().error(
          fmt::format("{}/{}/name", r.at("subscriptions"), i),
          fmt::format("found \"{}\" again, expected unique subscription names", sub.name));
    }
    seen.emplace(sub.name, i);
  }
}

}  // namespace

const Fields<orch::Choreography>& choreography_fields() {
  using C = orch::Choreography;
  static const Fields<C> t{
      .doc = "Agents that react to event topics, with no orchestrator (instead of a workflow).",
      .fields =
          {
              array("subscriptions", &C::subscriptions, subscription_fields,
                    "an array of subscriptions", true,
                    "Who reacts to which topic, and what it publishes.")
                  .required(),
              custom<C>(
                  "completes_on", "A request completes when one of these topics is published.",
                  [](SchemaBuilder&) {
                    return Json{
                        {"type", "array"}, {"items", Json{{"type", "string"}}}, {"minItems", 1}};
                  },
                  read_completes_on)
                  .required("an array of topic names"),
              integer("system_prompt_tokens", &C::system_prompt_tokens, {0, 1e7}, "tokens",
                      "Context every request starts with, besides its query."),
              check<C>(name_subscriptions),
          },
  };
  return t;
}

void check_choreography(ReadContext& ctx, const Scenario& s) {
  // Run whatever else was wrong in the section, so that every problem is
  // reported at once; an agent's name was already reported by the reader.
  if (!s.choreography || s.agents.empty()) return;
  for (const auto& p : s.choreography->validate(s.agents.size())) {
    if (p.key == "agent") continue;
    const std::string at = p.subscription < 0 ? fmt::format("/choreography/{}", p.key)
                                              : fmt::format("/choreography/subscriptions/{}/{}",
                                                            p.subscription, p.key);
    ctx.diagnostics().error(at, p.message);
  }
}

}  // namespace orchsim::scenarios
