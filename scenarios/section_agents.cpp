// The "agents" section: one MockAgentConfig per entry (docs/agents.md).
#include <fmt/format.h>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace ma = mock_agents;

const Fields<ma::LatencyModel>& latency_fields() {
  using L = ma::LatencyModel;
  static const Fields<L> t{
      .doc = "Latency model.",
      .fields = {
          distribution("base_ms", &L::base_ms, "ms", "Base service time; never negative."),
          distribution("time_to_first_token_ms", &L::time_to_first_token_ms, "ms",
                       "Time to the first output token, drawn per call (a number is a "
                       "constant); never negative."),
          number("output_tokens_per_second", &L::output_tokens_per_second, Range::non_negative(),
                 "tokens/s", "Decoding speed; 0 = output takes no time."),
          distribution("inter_token_ms", &L::inter_token_ms, "ms",
                       "Time per output token, drawn per call: the decode speed as a "
                       "distribution, instead of output_tokens_per_second; never negative."),
          number("prefill_ms_per_input_token", &L::prefill_ms_per_input_token,
                 Range::non_negative(), "ms/token", "Prefill time per input token."),
          number("slowdown_alpha", &L::slowdown_alpha, Range::non_negative(), "",
                 "Load slowdown: service time x (1 + alpha x utilisation^beta); 0 = none."),
          number("slowdown_beta", &L::slowdown_beta, Range::non_negative(), "",
                 "Load slowdown exponent."),
      }};
  return t;
}

const Fields<ma::OutcomeRates>& outcome_fields() {
  using O = ma::OutcomeRates;
  const Range p = Range::probability();
  static const Fields<O> t{
      .doc = "Failure rates per call; their sum (of the first five) must be at most 1.",
      .fields = {
          number("transient_error", &O::transient_error, p, "", "Chance of a transient error."),
          number("permanent_error", &O::permanent_error, p, "", "Chance of a permanent error."),
          number("rate_limited", &O::rate_limited, p, "", "Chance of a rate-limit error."),
          number("hang", &O::hang, p, "", "Chance the call never answers (until a timeout)."),
          number("silent_failure", &O::silent_failure, p, "",
                 "Chance of a success with poor quality."),
          number("error_latency_fraction", &O::error_latency_fraction, p, "",
                 "An error arrives after this fraction of the service time."),
          duration("retry_after_ms", &O::spontaneous_retry_after, TimeUnit::kMilliseconds,
                   Range::non_negative(), "Retry-After of rate-limit errors."),
      }};
  return t;
}

const Fields<ma::QualityModel>& quality_fields() {
  using Q = ma::QualityModel;
  const Range p = Range::probability(), w = Range::non_negative();
  static const Fields<Q> t{
      .doc = "Quality model (docs/quality-model.md).",
      .fields = {
          number("base", &Q::base, p, "", "Quality on an easy request with perfect input."),
          number("difficulty_weight", &Q::difficulty_weight, w, "",
                 "How much request difficulty lowers quality."),
          number("input_weight", &Q::input_weight, w, "",
                 "How much input quality carries into output quality."),
          number("context_weight", &Q::context_weight, w, "",
                 "How much lost context lowers quality."),
          number("noise_sd", &Q::noise_sd, w, "", "Standard deviation of quality noise."),
          number("silent_quality_max", &Q::silent_quality_max, p, "",
                 "Highest quality of a silent failure."),
          number("confidence_noise_sd", &Q::confidence_noise_sd, w, "",
                 "Noise of the reported confidence around quality."),
      }};
  return t;
}

const Fields<ma::TokenModel>& token_fields() {
  using T = ma::TokenModel;
  static const Fields<T> t{
      .doc = "Tokens and cost.",
      .fields = {
          distribution("output_tokens", &T::output_tokens, "tokens",
                       "Output tokens per call; never negative."),
          flag("output_tokens_from_request", &T::output_tokens_from_request,
               "Produce exactly the request's own output-token count when it has one (a "
               "replayed trace)."),
          number("usd_per_1k_input_tokens", &T::usd_per_1k_input_tokens, Range::non_negative(),
                 "USD", "Price per 1000 input tokens."),
          number("usd_per_1k_output_tokens", &T::usd_per_1k_output_tokens, Range::non_negative(),
                 "USD", "Price per 1000 output tokens."),
      }};
  return t;
}

const Fields<ma::RateLimits>& limit_fields() {
  using L = ma::RateLimits;
  static const Fields<L> t{
      .doc = "Provider rate limits.",
      .fields = {
          integer("requests_per_minute", &L::requests_per_minute, {0, 1.5e8}, "requests/min",
                  "Rate limit on calls; 0 = none."),
          integer("tokens_per_minute", &L::tokens_per_minute, {0, 1.5e8}, "tokens/min",
                  "Rate limit on input + output tokens; 0 = none."),
      }};
  return t;
}

const Fields<ma::FaultWindow>& fault_fields() {
  using F = ma::FaultWindow;
  static const Fields<F> t{
      .doc = "",
      .fields =
          {
              choice("kind", &F::kind, ma::kFaultKindNames, "What happens during the window.")
                  .required(),
              instant("start_s", &F::start, TimeUnit::kSeconds, Range::non_negative(),
                      "Start, in simulated time.")
                  .required(),
              instant("end_s", &F::end, TimeUnit::kSeconds, Range::non_negative(),
                      "End (after start_s), in simulated time.")
                  .required(),
              number("latency_factor", &F::latency_factor, Range::positive(), "",
                     "Service time multiplier while degraded."),
              number("extra_error_rate", &F::extra_error_rate, Range::probability(), "",
                     "Extra transient error rate while degraded."),
          },
      .after =
          [](ReadContext& ctx, ObjectReader& r, F& w) {
            if (r.has("start_s") && r.has("end_s") && !(w.start < w.end)) {
              ctx.diagnostics().error(
                  r.at("end_s"), fmt::format("found {} s, expected a time after start_s ({} s)",
                                             w.end.seconds_f(), w.start.seconds_f()));
            }
          },
  };
  return t;
}

const Fields<ma::JudgeModel>& judge_fields() {
  using J = ma::JudgeModel;
  static const Fields<J> t{
      .doc = "Makes the agent a judge that returns pass/fail verdicts.",
      .fields =
          {
              number("accuracy", &J::accuracy, Range::probability(), "",
                     "Chance the verdict is right."),
              number("pass_threshold", &J::pass_threshold, Range::probability(), "",
                     "Quality at or above which the true verdict is pass."),
          },
      .on_present = [](J& j) { j.enabled = true; },
  };
  return t;
}

// The config keeps labels and weights apart; the file keeps them together.
struct Label {
  std::string name;
  double weight = 0.0;
};

const Fields<Label>& label_fields() {
  static const Fields<Label> t{
      .doc = "",
      .fields = {
          text("name", &Label::name, "Label name, usable in label_is conditions.").required(),
          number("weight", &Label::weight, Range::non_negative(), "", "Relative weight.")
              .required(),
      }};
  return t;
}

void read_labels(const FieldSpec& f, ReadContext& ctx, ObjectReader& r, ma::MockAgentConfig& c) {
  const Json* j = r.child(f.key);
  if (!j) return;
  const std::string at = r.at(f.key);
  if (!check_array(*j, at, true, "an array of {\"name\", \"weight\"}", ctx.diagnostics())) return;
  for (std::size_t i = 0; i < j->size(); ++i) {
    ObjectReader e((*j)[i], pointer_join(at, std::to_string(i)), ctx.diagnostics());
    Label label;
    label_fields().read(ctx, e, label);
    e.finish();
    c.labels.push_back(label.name);
    c.label_weights.push_back(label.weight);
  }
}

// The agent's own consistency checks, mapped back to pointers: those the
// fields did not already report (the sum of the outcome rates, say).
void report_agent_problems(ReadContext& ctx, const ma::MockAgentConfig& c, const std::string& p) {
  for (const std::string& problem : c.validate()) {
    const auto colon = problem.find(':');
    std::string field = problem.substr(0, colon);
    // The config's names for what the file spells differently.
    if (field == "label_weights") field = "labels";
    if (field == "outcomes.spontaneous_retry_after") field = "outcomes.retry_after_ms";
    const std::string pointer = p + field_pointer(field);
    const std::string message = problem.substr(colon + 2);
    if (!ctx.already_reported(pointer)) ctx.diagnostics().error(pointer, message);
  }
}

}  // namespace

const Fields<ma::MockAgentConfig>& agent_fields() {
  using A = ma::MockAgentConfig;
  static const Fields<A> t{
      .doc = "A mock agent.",
      .fields =
          {
              text("name", &A::name, "Unique agent name, used by the workflow.").required(),
              text("role", &A::role,
                   "What the agent does (retrieval, reranker, generator, critic, tool, planner, "
                   "summarizer, ...); informational."),
              integer("context_window_tokens", &A::context_window_tokens, {1, 1e12}, "tokens",
                      "Context window."),
              integer("servers", &A::servers, {1, 1e7}, "", "Calls served at once."),
              integer("queue_capacity", &A::queue_capacity, {-1, 1e12}, "",
                      "Calls that may wait; -1 = unbounded."),
              integer("bulkhead_per_caller", &A::bulkhead_per_caller, {0, 1e7}, "",
                      "Most calls (queued + in service) per caller; 0 = no limit."),
              section("latency", &A::latency, latency_fields, "")
                  .required("the agent's latency model"),
              section("outcomes", &A::outcomes, outcome_fields, ""),
              section("quality", &A::quality, quality_fields, ""),
              section("tokens", &A::tokens, token_fields, ""),
              section("limits", &A::limits, limit_fields, ""),
              array("faults", &A::faults, fault_fields, "an array of fault windows", false,
                    "Scheduled fault windows."),
              section("judge", &A::judge, judge_fields, ""),
              custom<A>(
                  "labels", "Labels the agent outputs (a classifier or router), with weights.",
                  [](SchemaBuilder& b) {
                    return Json{
                        {"type", "array"}, {"items", label_fields().object(b)}, {"minItems", 1}};
                  },
                  read_labels),
          },
      .def = "agent",
  };
  return t;
}

void read_agents(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s) {
  if (!j.is_array() || j.empty()) {
    ctx.diagnostics().error(
        at, fmt::format("found {}, expected a non-empty array of agents", describe_json(j)));
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string p = pointer_join(at, std::to_string(i));
    ObjectReader r(j[i], p, ctx.diagnostics());
    ma::MockAgentConfig c = agent_fields().prototype();
    agent_fields().read(ctx, r, c);
    r.finish();
    report_agent_problems(ctx, c, p);
    s.agents.push_back(std::move(c));
  }
}

}  // namespace orchsim::scenarios
