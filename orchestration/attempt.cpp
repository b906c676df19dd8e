// One attempt: launched on an agent, then ended by the agent's answer, by its
// timeout, or cancelled by the orchestrator. Every attempt is closed through
// close_attempt() exactly once, whichever way it ended. An attempt of a step
// that runs a sub-workflow is an invocation (invocation.cpp) and takes the
// same paths, with the invocation in place of the agent's call.
#include <algorithm>
#include <cmath>

#include "orchestration/engine.hpp"

namespace orchsim::orchestration::detail {

using mock_agents::CallOutcome;
using mock_agents::CallStatus;

namespace {

// The request's counts, and those of every invocation the call runs inside.
void count_call_started(Request& r, const Flow& f, AttemptKind kind) {
  ++r.calls;
  for (std::uint32_t i = f.invocation; i != kNone; i = r.invocations[i].parent) {
    ++r.invocations[i].calls;
  }
  if (kind == AttemptKind::kRetry) ++r.retries;
  if (kind == AttemptKind::kHedge) ++r.hedges;
  if (kind == AttemptKind::kFallback) ++r.fallbacks;
}

}  // namespace

bool Engine::launch(Handle<Step> step, AgentIndex agent, AttemptKind kind, AttemptInput input,
                    std::optional<Routed> routed, std::uint32_t variant_extra) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  const Flow& f = r.flows[s.flow];
  const sim::Time now = sim_.now();
  const sim::Time deadline = deadline_of(r, f);
  if (deadline <= now) {
    tell_budget_exhausted(r, s.node, BudgetExhausted::Kind::kDeadline);
    if (s.outstanding.empty()) step_failed(step, "deadline_exceeded", ErrorKind::kNone);
    return false;
  }
  if (agent == kNoAgent) return launch_invocation(step, kind, input);
  const Resilience::Admission admission = res_.admit(agent, now);
  if (admission != Resilience::Admission::kAdmitted) {
    refused_admission(step, kind, admission);
    return false;
  }
  const Handle<Attempt> ah = attempts_.acquire();
  Attempt& a = attempts_[ah];
  a.step = step;
  a.agent = agent;
  a.number = s.attempts_started++;
  a.kind = kind;
  a.started = now;
  a.input_tokens = input.tokens;
  if (routed) {
    a.candidate = routed->candidate;
    a.decision = routed->decision;
  }
  const mock_agents::CallRequest call = call_request(s, r, f, a.number, input, variant_extra);
  // Counted here, where the attempt really starts: a retry whose step ended
  // before its backoff did, or a hedge a breaker refused, never ran.
  count_call_started(r, f, kind);
  ++calls_in_flight_;
  res_.call_started(agent);
  s.outstanding.push_back(ah);
  a.call = agents_[agent]->submit(call, *this, ah.tag());
  arm_call_timeout(ah, a, call_of(s), deadline);
  if (kind == AttemptKind::kRetry || kind == AttemptKind::kHedge) budget_of(r, f).retry_started();
  if (observer_) {
    observer_->on_call_started({.at = now,
                                .request = r.in.id,
                                .node = s.node,
                                .agent = agent,
                                .attempt = a.number,
                                .call = a.call,
                                .kind = kind,
                                .input_tokens = input.tokens,
                                .decision = a.decision,
                                .flow = f.id,
                                .invocation = invocation_id(r, f)});
  }
  return true;
}

// A breaker or the orchestrator's bulkhead refused the attempt before any
// call: that is not a failure of the agent. A step with nothing else out
// retries or falls back; a parallel attempt (hedge, redirect, part) is only
// not sent.
void Engine::refused_admission(Handle<Step> step, AttemptKind kind,
                               Resilience::Admission admission) {
  const Step& s = steps_[step];
  tell_budget_exhausted(requests_[s.req], s.node, BudgetExhausted::Kind::kBreakerOpen);
  if (s.outstanding.empty() && kind != AttemptKind::kHedge && kind != AttemptKind::kRedirect &&
      kind != AttemptKind::kDecompose) {
    retry_or_fall_back(step, CallEnd::kError,
                       admission == Resilience::Admission::kBulkheadFull ? ErrorKind::kOverloaded
                                                                         : ErrorKind::kUnavailable,
                       sim::Duration::zero());
  }
}

// What the agent is asked: the request's and the flow's state as this step
// sees it.
inline mock_agents::CallRequest Engine::call_request(const Step& s, const Request& r, const Flow& f,
                                                     std::uint32_t number, AttemptInput input,
                                                     std::uint32_t variant_extra) const {
  const CallNode& c = call_of(s);
  // A revisit of the node (a loop, a map fan-out copy) is a new variant: e.g.
  // different retrieval parameters meet a fresh draw of the world. The step's
  // own visit number, not the node's count now: other copies may have
  // visited since. Layout of `variant`: bits 0-3 a decomposition part, 4-11
  // the visit's low byte, 12-23 the node, 24-31 the visit's second byte; the
  // visit's bits 16-19 (max_visits is at most 10^6 < 2^20) go above the
  // attempt number's 20 bits (at most 1000 retries, 64 parts, a few hedges).
  const std::uint32_t visit = s.visit;
  mock_agents::CallRequest call;
  call.request_id = r.in.id;
  call.attempt = number | ((visit >> 16) << 20);
  call.variant =
      (((visit >> 8) & 255) << 24) | (s.node << 12) | ((visit & 255) << 4) | variant_extra;
  call.caller = s.node;
  call.input_tokens = input.tokens;
  call.output_tokens = r.in.output_tokens;
  call.difficulty = r.in.difficulty;
  call.input_quality = c.input == QualityChannel::kEvidence ? f.evidence
                       : c.input == QualityChannel::kAnswer ? (f.has_answer ? f.answer : 0.0)
                                                            : 1.0;
  call.context_retained = input.retained;
  call.judged_quality = f.has_answer ? f.answer : 0.0;
  call.scope = scope_key(r, f);
  call.output_scale = c.output_tokens_factor;
  return call;
}

// Timeout: the attempt's own, capped by the request deadline (deadline
// propagation: no call outlives its request). Not armed when the agent
// already knows the reply comes by then: it would only be cancelled (most
// calls). Arming it after submit() instead of before changes no order: the
// agent schedules nothing at late priority, and ties at late priority are
// only between timeouts, still pushed in the same order.
inline void Engine::arm_call_timeout(Handle<Attempt> ah, Attempt& a, const CallNode& c,
                                     sim::Time deadline) {
  sim::Time limit = deadline;
  if (c.attempt_timeout > sim::Duration::zero() && a.kind != AttemptKind::kSummarize) {
    limit = std::min(limit, a.started + c.attempt_timeout);
  }
  if (limit == sim::Time::max()) return;
  const std::optional<sim::Time> end = agents_[a.agent]->end_bound(a.call);
  if (!end || *end > limit) {
    a.timeout = sim_.schedule_at(
        limit,
        [this, ah] {
          if (attempts_.get(ah)) on_attempt_timeout(ah);
        },
        sim::kPriorityLate);
  }
}

bool Engine::validator_flags(const Step& s, const Attempt& a, const CallOutcome& o) {
  const ValidatorConfig& v = call_of(s).validator;
  const bool bad = o.silent || o.quality < v.bad_below;
  const Request& r = requests_[s.req];
  const std::uint64_t key = scope_key(r, r.flows[s.flow]);
  sim::RandomStream stream =
      key == 0 ? rng_.stream("validator", r.in.id, s.node, s.visit, a.number)
               : rng_.stream("validator", r.in.id, s.node, s.visit, a.number, key);
  const double u = stream.uniform01();
  return bad ? u < v.true_positive_rate : u < v.false_positive_rate;
}

void Engine::on_call_finished(mock_agents::CallId, std::uint64_t tag, const CallOutcome& o) {
  const Handle<Attempt> ah = Handle<Attempt>::from_tag(tag);
  Attempt* a = attempts_.get(ah);
  if (!a) return;
  sim_.cancel(a->timeout);
  const Step& s = steps_[a->step];
  const Request& r = requests_[s.req];
  res_.call_answered(a->agent, o, sim_.now(), budget_of(r, r.flows[s.flow]));
  CallEnd end = o.status == CallStatus::kSuccess ? CallEnd::kSuccess : CallEnd::kError;
  if (end == CallEnd::kSuccess && call_of(s).validator.enabled && validator_flags(s, *a, o)) {
    end = CallEnd::kInvalid;
  }
  attempt_ended(ah, {.end = end,
                     .error = o.error,
                     .queue_wait = o.queue_wait(),
                     .input_tokens = o.input_tokens,
                     .output_tokens = o.output_tokens,
                     .cost_usd = o.cost_usd,
                     .outcome = &o});
}

void Engine::on_attempt_timeout(Handle<Attempt> ah) {
  Attempt& a = attempts_[ah];
  const Step& s = steps_[a.step];
  Request& r = requests_[s.req];
  if (a.invocation != kNone) {
    // Everything inside goes first, then the attempt ends as a timeout.
    const Handle<Request> req = s.req;
    budget_of(r, r.flows[s.flow]).on_failure();
    ++r.timeouts;
    cancel_invocation(req, a.invocation);
    CallOutcome o;
    o.status = CallStatus::kError;
    o.submitted = o.service_started = attempts_[ah].started;
    o.finished = sim_.now();
    attempt_ended(ah, {.end = CallEnd::kTimeout, .outcome = &o, .cause = "timeout"});
    return;
  }
  const auto cancelled = agents_[a.agent]->cancel(a.call);
  res_.call_timed_out(a.agent, sim_.now() - a.started, sim_.now(), budget_of(r, r.flows[s.flow]));
  ++r.timeouts;
  // What the timeout leaves the step to decide on: an error-like outcome.
  CallOutcome o;
  o.status = CallStatus::kError;
  o.submitted = a.started;
  o.service_started = a.started + cancelled.queue_wait;
  o.finished = sim_.now();
  o.input_tokens = cancelled.input_tokens;
  o.output_tokens = cancelled.output_tokens;
  o.cost_usd = cancelled.cost_usd;
  attempt_ended(ah, {.end = CallEnd::kTimeout,
                     .error = ErrorKind::kNone,
                     .queue_wait = cancelled.queue_wait,
                     .input_tokens = cancelled.input_tokens,
                     .output_tokens = cancelled.output_tokens,
                     .cost_usd = cancelled.cost_usd,
                     .outcome = &o});
}

void Engine::cancel_attempt(Handle<Attempt> ah) {
  Attempt* a = attempts_.get(ah);
  if (!a) return;
  if (a->invocation != kNone) {
    cancel_invocation(steps_[a->step].req, a->invocation);
    close_attempt(ah, {.end = CallEnd::kCancelled, .cause = "cancelled"});
    return;
  }
  const auto c = agents_[a->agent]->cancel(a->call);
  close_attempt(ah, {.end = CallEnd::kCancelled,
                     .error = ErrorKind::kNone,
                     .queue_wait = c.queue_wait,
                     .input_tokens = c.input_tokens,
                     .output_tokens = c.output_tokens,
                     .cost_usd = c.cost_usd,
                     .redundant = cancelling_losers_});
}

// The one path that closes an attempt: bill it, account for it, tell the
// observer and the policy that chose it, and free it.
void Engine::close_attempt(Handle<Attempt> ah, const Closing& c) {
  Attempt& a = attempts_[ah];
  sim_.cancel(a.timeout);
  Step& s = steps_[a.step];
  Request& r = requests_[s.req];
  const Flow& f = r.flows[s.flow];
  if (a.kind == AttemptKind::kRetry || a.kind == AttemptKind::kHedge) {
    budget_of(r, f).retry_finished();
  }
  if (a.invocation != kNone) {
    close_invocation(s.req, a, c);
  } else {
    close_call(s, a, c);
  }
  const auto it = std::find(s.outstanding.begin(), s.outstanding.end(), ah);
  if (it != s.outstanding.end()) s.outstanding.erase(it);
  attempts_.release(ah);
}

// The agent's side of closing an attempt: what it cost, the agent's pool, the
// observers, and the policy that chose it.
void Engine::close_call(const Step& s, const Attempt& a, const Closing& c) {
  Request& r = requests_[s.req];
  const Flow& f = r.flows[s.flow];
  r.cost += c.cost_usd;
  r.input_tokens += c.input_tokens;
  r.output_tokens += c.output_tokens;
  if (f.invocation != kNone) charge_invocations(r, f.invocation, c);
  --calls_in_flight_;
  res_.call_closed(a.agent);
  const CallOutcome* o = c.outcome;
  const bool answered = o != nullptr && produced_answer(c.end);
  if (observer_) {
    // A silent failure caught: by the validator, or by a judge failing it.
    const bool caught = answered && ((c.end == CallEnd::kInvalid && o->silent) ||
                                     (call_of(s).judges_answer && c.end == CallEnd::kSuccess &&
                                      !o->verdict_pass && f.has_answer && f.answer_silent));
    observer_->on_call_ended({.at = sim_.now(),
                              .request = r.in.id,
                              .node = s.node,
                              .agent = a.agent,
                              .attempt = a.number,
                              .call = a.call,
                              .kind = a.kind,
                              .end = c.end,
                              .error = c.error,
                              .started = a.started,
                              .duration = sim_.now() - a.started,
                              .queue_wait = c.queue_wait,
                              .input_tokens = c.input_tokens,
                              .output_tokens = c.output_tokens,
                              .cost_usd = c.cost_usd,
                              .quality = answered ? o->quality : 0.0,
                              .confidence = answered ? o->confidence : 0.0,
                              .silent = answered && o->silent,
                              .decision = a.decision,
                              .flow = f.id,
                              .invocation = invocation_id(r, f),
                              .redundant = c.redundant,
                              .caught_silent = caught});
  }
  if (a.decision != 0 && policy_of(s).hooks.observe) tell_policy(s, a, c);
}

// An attempt the agent answered (or that timed out): close it, then decide
// what the step does next.
void Engine::attempt_ended(Handle<Attempt> ah, const Closing& closing) {
  const Attempt done = attempts_[ah];
  const Handle<Step> step = done.step;
  Step& s = steps_[step];
  const CallOutcome& o = *closing.outcome;
  const CallEnd end = closing.end;
  // A cascade's decline is decided before the attempt closes (the policy
  // learns of the attempt in close_attempt, and its accepts() may keep
  // state for its next choice).
  const bool declined = end == CallEnd::kSuccess && done.decision != 0 &&
                        done.kind != AttemptKind::kSummarize && s.outstanding.size() == 1 &&
                        policy_of(s).hooks.accepts && !policy_accepts(s, done, o);
  close_attempt(ah, closing);
  // A failed run names the step's failure (a deadline, a loop bound, a
  // failure terminal inside it), as an agent's error kind would.
  s.run_cause =
      done.invocation != kNone && end == CallEnd::kError ? closing.cause : std::string_view();

  if (done.kind == AttemptKind::kSummarize) {
    summary_ended(step, done, end, o);
    return;
  }
  if (done.kind == AttemptKind::kDecompose) {
    decompose_part_ended(step, done.agent, end, o);
    return;
  }
  if (end == CallEnd::kSuccess) {
    if (declined) {
      escalate(step, o);
      return;
    }
    step_succeeded(step, done.invocation != kNone ? closing.answered_by : done.agent, o);
    return;
  }
  // A failed attempt while others are still out (hedges, a redirect): wait for them.
  if (!s.outstanding.empty()) return;
  retry_or_fall_back(step, end, o.error, o.retry_after);
}

// The summarizer's call ended: the flow's context is fitted with its summary
// (or, without one, by dropping the oldest material), then the attempt that
// waited for it is launched.
void Engine::summary_ended(Handle<Step> step, const Attempt& done, CallEnd end,
                           const CallOutcome& o) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  const CallNode& c = call_of(s);
  Flow& f = r.flows[s.flow];
  const std::int64_t before = f.context.tokens();
  const std::int64_t window = window_of(s.pending_agent, c);
  double retained;
  if (end == CallEnd::kSuccess) {
    const auto summary = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(
               std::llround(c.summary_ratio * static_cast<double>(done.input_tokens))));
    retained = apply_summary(f.context, summary, c.summary_fidelity * o.quality, window);
  } else {
    // No summary: fall back to dropping the oldest material.
    const FitPlan plan = plan_fit(f.context, window, FitPolicy::kTruncateOldest);
    apply_fit(f.context, plan);
    retained = plan.retained;
  }
  f.retained *= retained;
  s.retained = f.retained;
  if (observer_) {
    observer_->on_context_fitted({.at = sim_.now(),
                                  .request = r.in.id,
                                  .node = s.node,
                                  .agent = s.pending_agent,
                                  .policy = c.fit,
                                  .tokens_before = before,
                                  .tokens_after = f.context.tokens(),
                                  .retained = retained,
                                  .segments_dropped = 0,
                                  .summarized = end == CallEnd::kSuccess});
  }
  s.input_tokens = f.context.tokens();
  const bool first = s.pending_kind == AttemptKind::kFirst;
  std::optional<Routed> routed;
  if (s.pending_decision != 0) {
    routed = Routed{s.pending_agent, s.pending_candidate, s.pending_decision};
  }
  // An invocation may end as it starts (and its step with it).
  if (launch(step, s.pending_agent, s.pending_kind, {s.input_tokens, s.retained}, routed) &&
      first && steps_.get(step)) {
    arm_hedge_timer(step);
  }
}

// One part of a decomposition ended: the step succeeds once every part has,
// with their mean quality and confidence.
void Engine::decompose_part_ended(Handle<Step> step, AgentIndex agent, CallEnd end,
                                  const CallOutcome& o) {
  Step& s = steps_[step];
  if (end == CallEnd::kSuccess) {
    ++s.decompose_ok;
    s.decompose_quality += o.quality;
    s.decompose_confidence += o.confidence;
    if (s.decompose_ok == s.decompose_total) {
      CallOutcome merged = o;
      merged.quality = s.decompose_quality / s.decompose_total;
      merged.confidence = s.decompose_confidence / s.decompose_total;
      merged.silent = false;
      step_succeeded(step, agent, merged);
    }
    return;
  }
  // Other parts are pointless now; cancel them, keep waiting for the original.
  for (std::size_t i = s.outstanding.size(); i-- > 0;) {
    const Handle<Attempt> other = s.outstanding[i];
    if (attempts_[other].kind == AttemptKind::kDecompose) cancel_attempt(other);
  }
  if (!s.outstanding.empty()) return;
  retry_or_fall_back(step, end, o.error, o.retry_after);
}

// An answer not good enough for the policy (a cascade): ask it again; the
// answer so far is kept as the flow's answer meanwhile.
void Engine::escalate(Handle<Step> step, const CallOutcome& o) {
  Step& s = steps_[step];
  Flow& f = requests_[s.req].flows[s.flow];
  f.answer = o.quality;
  f.answer_silent = o.silent;
  f.has_answer = true;
  ++s.escalations;
  const std::optional<Routed> routed = route(step, AttemptKind::kCascade);
  if (!routed) {
    step_failed(step, "breaker_open", ErrorKind::kUnavailable);
    return;
  }
  prepare_and_launch(step, routed->agent, AttemptKind::kCascade, routed);
}

}  // namespace orchsim::orchestration::detail
