// The orchestrator asks and tells; the policy decides. This file builds what
// a policy sees (DecisionContext), checks what it answers, logs the decision,
// and reports every outcome of an attempt it chose.
#include <cmath>
#include <stdexcept>

#include "orchestration/engine.hpp"

namespace orchsim::orchestration::detail {

std::optional<Engine::Routed> Engine::route(Handle<Step> step, AttemptKind kind) {
  Step& s = steps_[step];
  const Request& r = requests_[s.req];
  NodePolicy& np = policy_of(s);
  if (np.candidates.empty()) return std::nullopt;  // none, or a sub-workflow's step
  // Usually no candidate's breaker is open: then the node's all-true mask,
  // and a mask of this call's own only when one is.
  const std::vector<bool>* eligible = &np.all_eligible;
  if (res_.has_breakers()) {
    const sim::Time now = sim_.now();
    std::size_t i = 0;
    while (i < np.candidates.size() && !res_.shut(np.candidates[i], now)) ++i;
    if (i < np.candidates.size()) {
      std::vector<bool>& mask = scratch_eligible_;
      mask.assign(np.candidates.size(), true);
      bool any = i > 0;
      for (; i < np.candidates.size(); ++i) {
        mask[i] = !res_.shut(np.candidates[i], now);
        any = any || mask[i];
      }
      if (!any) return std::nullopt;
      eligible = &mask;
    }
  }
  DecisionContext& ctx = np.context;  // the node's own fields are set already
  const bool fixed = np.hooks.first_eligible && context_unread_;
  const Choice choice = fixed ? first_eligible(*eligible) : ask_policy(s, np, kind, eligible);
  const std::uint64_t id = ++decisions_;
  const AgentIndex agent = np.candidates[choice.candidate];
  if (observer_) {
    scratch_candidates_.clear();
    if (explain_) {
      for (std::size_t i = 0; i < choice.scores.size(); ++i) {
        scratch_candidates_.push_back({np.candidates[i], choice.scores[i], (*eligible)[i]});
      }
    }
    observer_->on_routing_decision({.at = sim_.now(),
                                    .request = r.in.id,
                                    .node = s.node,
                                    .policy = call_of(s).routing.policy,
                                    .candidates = &scratch_candidates_,
                                    .choice = agent,
                                    .reason = choice.reason,
                                    .id = id,
                                    .probability = choice.probability,
                                    .kind = kind,
                                    .context = fixed ? nullptr : &ctx,
                                    .visit = s.visit});
  }
  return Routed{agent, choice.candidate, id};
}

// What `static` would answer, without asking it (PolicyHooks::first_eligible).
Choice Engine::first_eligible(const std::vector<bool>& eligible) {
  std::size_t c = 0;
  while (c < eligible.size() && !eligible[c]) ++c;
  return {.candidate = c == eligible.size() ? 0 : c};
}

Choice Engine::ask_policy(const Step& s, NodePolicy& np, AttemptKind kind,
                          const std::vector<bool>* eligible) {
  const Request& r = requests_[s.req];
  const Flow& f = r.flows[s.flow];
  DecisionContext& ctx = np.context;  // the node's own fields are set already
  ctx.now = sim_.now();
  ctx.request = r.in.id;
  ctx.class_index = r.in.class_index;
  ctx.input_tokens = r.in.input_tokens;
  ctx.context_tokens = f.context.tokens();
  ctx.deadline = deadline_of(r, f);
  ctx.cost_usd = r.cost;
  ctx.visit = s.visit;
  ctx.attempt = s.attempts_started;
  ctx.kind = kind;
  ctx.escalations = s.escalations;
  ctx.previous = {.exists = f.has_previous,
                  .failed = f.last_failed,
                  .error = f.last_error,
                  .label = f.label,
                  .confidence = f.confidence,
                  .verdict_pass = f.verdict};
  ctx.next_decision(eligible, kind == AttemptKind::kFirst ? 0u : 1u, scope_key(r, f));
  const Choice choice = np.policy->choose(ctx);
  // The common answer (a valid candidate, certain, no scores) is checked in
  // one test; anything else in full.
  if (choice.candidate >= np.candidates.size() || choice.probability != 1.0 ||
      !choice.scores.empty()) {
    check_choice(s, np, choice);
  }
  return choice;
}

void Engine::check_choice(const Step& s, const NodePolicy& np, const Choice& choice) const {
  const Node& node = workflow_.nodes[s.node];
  const std::size_t n = np.candidates.size();
  const bool bad_candidate = choice.candidate >= n;
  const bool bad_probability = std::isnan(choice.probability)
                                   ? explain_
                                   : !(choice.probability > 0.0 && choice.probability <= 1.0);
  bool bad_score = !choice.scores.empty() && choice.scores.size() != n;
  for (const double x : choice.scores) bad_score = bad_score || std::isnan(x);
  if (!bad_candidate && !bad_probability && !bad_score) return;
  throw std::runtime_error(fmt::format(
      "routing policy \"{}\" at node \"{}\", request {}: {}", call_of(s).routing.policy, node.name,
      requests_[s.req].in.id,
      bad_candidate
          ? fmt::format("chose candidate {}, expected one in [0, {})", choice.candidate, n)
      : bad_probability
          ? fmt::format("gave probability {}, expected one in (0, 1]", choice.probability)
          : fmt::format("gave {} scores (a NaN among them?), expected none or {} numbers",
                        choice.scores.size(), n)));
}

namespace {

AttemptOutcome outcome_of(const Request& r, const Step& s, const Attempt& a, CallEnd end,
                          ErrorKind error, sim::Duration queue_wait, std::int64_t in,
                          std::int64_t out, double cost, sim::Time now,
                          const mock_agents::CallOutcome* o) {
  const bool answered = o != nullptr && produced_answer(end);
  return {.at = now,
          .request = r.in.id,
          .class_index = r.in.class_index,
          .request_input_tokens = r.in.input_tokens,
          .node = s.node,
          .decision = a.decision,
          .candidate = a.candidate,
          .agent = a.agent,
          .attempt = a.number,
          .kind = a.kind,
          .escalations = s.escalations,
          .end = end,
          .error = error,
          .latency = now - a.started,
          .queue_wait = queue_wait,
          .input_tokens = in,
          .output_tokens = out,
          .cost_usd = cost,
          .confidence = answered ? o->confidence : 0.0,
          .label = answered ? o->label : 0u,
          .verdict_pass = answered && o->verdict_pass,
          .oracle_quality = answered ? o->quality : 0.0,
          .oracle_silent_failure = answered && o->silent};
}

}  // namespace

void Engine::tell_policy(const Step& s, const Attempt& a, const Closing& c) {
  RoutingPolicy* policy = policy_of(s).policy.get();
  if (!policy) return;
  policy->observe(outcome_of(requests_[s.req], s, a, c.end, c.error, c.queue_wait, c.input_tokens,
                             c.output_tokens, c.cost_usd, sim_.now(), c.outcome));
}

bool Engine::policy_accepts(const Step& s, const Attempt& a, const mock_agents::CallOutcome& o) {
  RoutingPolicy* policy = policy_of(s).policy.get();
  if (!policy) return true;
  return policy->accepts(outcome_of(requests_[s.req], s, a, CallEnd::kSuccess, ErrorKind::kNone,
                                    o.queue_wait(), o.input_tokens, o.output_tokens, o.cost_usd,
                                    sim_.now(), &o));
}

}  // namespace orchsim::orchestration::detail
