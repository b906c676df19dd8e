// A call step: one visit of a call node by one flow. It routes its first
// attempt, fits the context into the chosen agent's window (maybe through a
// summarizer call), hedges, redirects or decomposes when over its time
// budget, retries with backoff, falls back, and finally succeeds or fails.
#include <algorithm>
#include <cmath>

#include "orchestration/engine.hpp"

namespace orchsim::orchestration::detail {

namespace {

// Whether a retry list covers how the attempt ended: its error kinds, a
// timeout, an answer the validator rejected.
bool retry_covers(CallEnd end, ErrorKind error, const std::vector<ErrorKind>& on, bool on_timeout,
                  bool on_invalid) {
  switch (end) {
    case CallEnd::kTimeout:
      return on_timeout;
    case CallEnd::kInvalid:
      return on_invalid;
    case CallEnd::kError:
      return std::find(on.begin(), on.end(), error) != on.end();
    default:
      return false;
  }
}

// Whether the step's retry rules allow another attempt, and which rule
// decided (kMaxRetryRules: none, the plain retry list and max_attempts).
struct RetryChoice {
  bool retryable = false;
  std::size_t rule = kMaxRetryRules;
};

// Ordered rules: the first that matches decides, with its own count.
RetryChoice choose_retry(const RetryConfig& rc, const Step& s, CallEnd end, ErrorKind error) {
  if (rc.rules.empty()) {
    return {.retryable =
                retry_covers(end, error, rc.retry_on, rc.retry_on_timeout, rc.retry_on_invalid) &&
                s.retries + 1 < rc.max_attempts};
  }
  for (std::size_t i = 0; i < rc.rules.size(); ++i) {
    const RetryRule& rr = rc.rules[i];
    if (retry_covers(end, error, rr.retry_on, rr.retry_on_timeout, rr.retry_on_invalid)) {
      return {.retryable = s.rule_retries[i] < rr.max_retries, .rule = i};
    }
  }
  return {};
}

}  // namespace

void Engine::start_step(Handle<Request> req, std::uint32_t flow, NodeId node_id) {
  const Handle<Step> step = steps_.acquire();
  Step& s = steps_[step];
  Request& r = requests_[req];
  s.req = req;
  s.flow = flow;
  s.node = node_id;
  Flow& f = r.flows[flow];
  s.visit = visits_of(r, f)[node_id];
  s.started = sim_.now();
  f.step = step;
  const Node& node = workflow_.nodes[node_id];
  s.call = &node.call;
  for (std::uint32_t v = 0; v < node.on_revisit.size(); ++v) {
    if (s.visit >= node.on_revisit[v].from_visit) {
      s.call = &node.on_revisit[v].call;
      s.variant = v + 1;
    }
  }
  const CallNode& c = *s.call;
  if (c.sub_workflow != kNoSubWorkflow) {
    s.agent = kNoAgent;
    prepare_and_launch(step, kNoAgent, AttemptKind::kFirst, std::nullopt);
    Step* live = steps_.get(step);
    if (live && !live->summarizing) arm_hedge_timer(step);
    return;
  }
  const std::optional<Routed> routed = route(step, AttemptKind::kFirst);
  if (!routed) {
    tell_budget_exhausted(r, node_id, BudgetExhausted::Kind::kBreakerOpen);
    if (!c.fallback_agents.empty()) {
      s.fallback_pos = 1;
      prepare_and_launch(step, c.fallback_agents[0], AttemptKind::kFallback, std::nullopt);
    } else {
      step_failed(step, "breaker_open", ErrorKind::kUnavailable);
    }
    return;
  }
  s.agent = routed->agent;
  prepare_and_launch(step, routed->agent, AttemptKind::kFirst, routed);
  Step* live = steps_.get(step);
  if (!live) return;
  // Hedges copy the first attempt, so their clock starts when it is sent:
  // after the summary when its context had to be summarized first.
  if (!live->summarizing && c.hedge.max_extra_attempts > 0) arm_hedge_timer(step);
  if (c.time_budget.budget > sim::Duration::zero()) {
    live->budget_timer = sim_.schedule_after(c.time_budget.budget, [this, step] {
      if (steps_.get(step)) on_time_budget(step);
    });
  }
}

void Engine::arm_hedge_timer(Handle<Step> step) {
  Step& s = steps_[step];
  const CallNode& c = call_of(s);
  if (c.hedge.max_extra_attempts == 0 || s.hedges >= c.hedge.max_extra_attempts) return;
  s.hedge_timer = sim_.schedule_after(c.hedge.delay, [this, step] {
    if (steps_.get(step)) on_hedge_timer(step);
  });
}

// Fits the flow's context into the agent's window (maybe through a summarizer
// call first), then launches the attempt.
void Engine::prepare_and_launch(Handle<Step> step, AgentIndex agent, AttemptKind kind,
                                std::optional<Routed> routed) {
  Step& s = steps_[step];
  Request& r = requests_[s.req];
  Flow& f = r.flows[s.flow];
  const CallNode& c = call_of(s);
  const std::int64_t window = window_of(agent, c);
  std::int64_t tokens = 0;
  if (!c.include_context) {
    for (const Segment& seg : f.context.segments())
      tokens += seg.protected_from_fitting() ? seg.tokens : 0;
    s.retained = 1.0;
  } else if (f.context.tokens() <= window) {
    tokens = f.context.tokens();  // fits as it is: the common case, no plan needed
    s.retained = f.retained;
  } else {
    // A step summarizes once; a later attempt of it that still does not fit
    // (a retry on an agent with a smaller window) is truncated instead.
    const FitPolicy policy =
        c.fit == FitPolicy::kSummarize && s.summarizing ? FitPolicy::kTruncateOldest : c.fit;
    FitPlan plan = plan_fit(f.context, window, policy);
    if (!plan.fits) {
      if (observer_) {
        observer_->on_context_fitted({.at = sim_.now(),
                                      .request = r.in.id,
                                      .node = s.node,
                                      .agent = agent,
                                      .policy = c.fit,
                                      .tokens_before = plan.tokens_before,
                                      .tokens_after = plan.tokens_after,
                                      .retained = 0.0,
                                      .segments_dropped = 0,
                                      .summarized = false});
      }
      step_failed(step, "context_overflow", ErrorKind::kContextOverflow);
      return;
    }
    if (plan.to_summarize_tokens > 0) {
      s.summarizing = true;
      s.pending_agent = agent;
      s.pending_kind = kind;
      s.pending_candidate = routed ? routed->candidate : kNone;
      s.pending_decision = routed ? routed->decision : 0;
      launch(step, c.summarizer, AttemptKind::kSummarize, {plan.to_summarize_tokens, s.retained});
      return;
    }
    if (plan.tokens_after != plan.tokens_before) {
      apply_fit(f.context, plan);
      f.retained *= plan.retained;
      if (observer_) {
        observer_->on_context_fitted({.at = sim_.now(),
                                      .request = r.in.id,
                                      .node = s.node,
                                      .agent = agent,
                                      .policy = policy,
                                      .tokens_before = plan.tokens_before,
                                      .tokens_after = plan.tokens_after,
                                      .retained = plan.retained,
                                      .segments_dropped = plan.segments_dropped,
                                      .summarized = false});
      }
    }
    tokens = f.context.tokens();
    s.retained = f.retained;
  }
  s.input_tokens = tokens;
  launch(step, agent, kind, {tokens, s.retained}, routed);
}

// A parallel attempt (hedge, redirect, decomposition part) follows the step's
// context rules like its first attempt: only the protected segments without
// include_context, else the context fitted into *its* agent's window. It
// cannot wait for a summary, so a summarize policy truncates the oldest
// material instead, as a failed summary does. The flow's context is left as
// it is: the attempts already sent have it. nullopt: it cannot fit.
std::optional<Engine::AttemptInput> Engine::parallel_input(const Step& s, AgentIndex agent) const {
  const Flow& f = requests_[s.req].flows[s.flow];
  const CallNode& c = call_of(s);
  if (!c.include_context) {
    std::int64_t tokens = 0;
    for (const Segment& seg : f.context.segments())
      tokens += seg.protected_from_fitting() ? seg.tokens : 0;
    return AttemptInput{tokens, 1.0};
  }
  const std::int64_t window = window_of(agent, c);
  if (f.context.tokens() <= window) return AttemptInput{f.context.tokens(), f.retained};
  const FitPolicy policy = c.fit == FitPolicy::kSummarize ? FitPolicy::kTruncateOldest : c.fit;
  const FitPlan plan = plan_fit(f.context, window, policy);
  if (!plan.fits) return std::nullopt;
  return AttemptInput{plan.tokens_after, f.retained * plan.retained};
}

void Engine::on_hedge_timer(Handle<Step> step) {
  Step& s = steps_[step];
  const Request& r = requests_[s.req];
  const CallNode& c = call_of(s);
  if (s.outstanding.empty() || s.hedges >= c.hedge.max_extra_attempts) return;
  if (!budget_of(r, r.flows[s.flow]).admit_retry()) {
    tell_budget_exhausted(r, s.node, BudgetExhausted::Kind::kRetryBudget);
    return;
  }
  AgentIndex agent = s.agent;
  std::optional<Routed> routed;
  if (s.hedges < c.hedge.agents.size()) {
    agent = c.hedge.agents[s.hedges];
  } else if ((routed = route(step, AttemptKind::kHedge))) {
    agent = routed->agent;
  }
  ++s.hedges;
  const std::uint32_t number = s.attempts_started;
  const RequestId id = r.in.id;
  const NodeId node = s.node;
  const std::optional<AttemptInput> input = parallel_input(s, agent);
  // A run tells of its hedge itself, before anything inside it happens (it
  // may even end its request before launch() returns).
  if (input && launch(step, agent, AttemptKind::kHedge, *input, routed) && agent != kNoAgent) {
    if (observer_) {
      observer_->on_hedge_launched(
          {.at = sim_.now(), .request = id, .node = node, .agent = agent, .attempt = number});
    }
  }
  if (steps_.get(step)) arm_hedge_timer(step);
}

void Engine::on_time_budget(Handle<Step> step) {
  Step& s = steps_[step];
  const TimeBudgetConfig& tb = call_of(s).time_budget;
  if (s.budget_fired) return;
  s.budget_fired = true;
  const bool redirect = tb.action == TimeBudgetConfig::Action::kRedirect;
  const AgentIndex agent = redirect ? tb.fast_agent : tb.decompose_agent;
  const RequestId id = requests_[s.req].in.id;
  if (observer_) {
    const Request& r = requests_[s.req];
    const Flow& f = r.flows[s.flow];
    observer_->on_flow_decision(
        {.at = sim_.now(),
         .request = id,
         .node = s.node,
         .next = s.node,
         .reason = redirect ? explain("over time budget: redirect to agent {}", agent)
                            : explain("over time budget: decompose into {} parts", tb.parts),
         .flow = f.id,
         .invocation = invocation_id(r, f)});
  }
  const std::optional<AttemptInput> input = parallel_input(s, agent);
  if (!input) {
    // Not even the protected context fits that agent: keep waiting for the
    // attempts already out.
    if (observer_) {
      const std::int64_t tokens = requests_[s.req].flows[s.flow].context.tokens();
      observer_->on_context_fitted({.at = sim_.now(),
                                    .request = id,
                                    .node = s.node,
                                    .agent = agent,
                                    .policy = call_of(s).fit,
                                    .tokens_before = tokens,
                                    .tokens_after = tokens,
                                    .retained = 0.0,
                                    .segments_dropped = 0,
                                    .summarized = false});
    }
    return;
  }
  const Handle<Request> req = s.req;
  if (redirect) {
    if (launch(step, agent, AttemptKind::kRedirect, *input)) ++requests_[req].redirects;
    return;
  }
  s.decompose_total = tb.parts;
  bool launched = false;
  const AttemptInput part{(input->tokens + tb.parts - 1) / tb.parts, input->retained};
  for (std::uint32_t p = 0; p < tb.parts && steps_.get(step); ++p) {
    launched |= launch(step, agent, AttemptKind::kDecompose, part, std::nullopt,
                       /*variant_extra=*/1 + (p % 15));
  }
  if (launched) ++requests_[req].redirects;
}

void Engine::retry_or_fall_back(Handle<Step> step, CallEnd end, ErrorKind error,
                                sim::Duration retry_after) {
  Step& s = steps_[step];
  const Request& r = requests_[s.req];
  const CallNode& c = call_of(s);
  RetryChoice retry = choose_retry(c.retry, s, end, error);
  // Step Functions-style retries do not read the provider's retry-after.
  if (!c.retry.honour_retry_after) retry_after = sim::Duration::zero();
  // A retry-after of "never" (the call needs more than the provider's whole
  // per-minute limit) admits no retry: on to the fallback.
  if (retry_after == sim::Duration::max()) retry.retryable = false;
  const bool in_fallback = s.fallback_pos > 0;
  if (retry.retryable && !in_fallback) {
    if (budget_of(r, r.flows[s.flow]).admit_retry()) {
      schedule_retry(step, end, error, retry_after, retry.rule);
      return;
    }
    tell_budget_exhausted(r, s.node, BudgetExhausted::Kind::kRetryBudget);
  }
  if (s.fallback_pos < c.fallback_agents.size()) {
    const AgentIndex agent = c.fallback_agents[s.fallback_pos++];
    if (observer_) {
      observer_->on_flow_decision({.at = sim_.now(),
                                   .request = r.in.id,
                                   .node = s.node,
                                   .next = s.node,
                                   .reason = explain("fall back to agent {}", agent),
                                   .flow = r.flows[s.flow].id,
                                   .invocation = invocation_id(r, r.flows[s.flow])});
    }
    prepare_and_launch(step, agent, AttemptKind::kFallback, std::nullopt);
    return;
  }
  const std::string_view cause = end == CallEnd::kTimeout   ? "timeout"
                                 : end == CallEnd::kInvalid ? "invalid_output"
                                 : !s.run_cause.empty()     ? s.run_cause
                                                            : mock_agents::to_string(error);
  step_failed(step, cause, error);
}

// A retry the budget admitted: after its backoff, unless that would pass the
// deadline, in which case the step fails now.
void Engine::schedule_retry(Handle<Step> step, CallEnd end, ErrorKind error,
                            sim::Duration retry_after, std::size_t rule) {
  Step& s = steps_[step];
  const Request& r = requests_[s.req];
  const sim::Duration delay = backoff_delay(s, rule, retry_after);
  if (sim_.now() + delay >= deadline_of(r, r.flows[s.flow])) {
    tell_budget_exhausted(r, s.node, BudgetExhausted::Kind::kDeadline);
    step_failed(step, "deadline_exceeded", error);
    return;
  }
  ++s.retries;
  if (rule < kMaxRetryRules) ++s.rule_retries[rule];
  if (observer_) {
    observer_->on_retry_scheduled({.at = sim_.now(),
                                   .request = r.in.id,
                                   .node = s.node,
                                   .agent = s.agent,
                                   .next_attempt = s.attempts_started,
                                   .delay = delay,
                                   .after_error = error,
                                   .after = end});
  }
  s.retry_timer = sim_.schedule_after(delay, [this, step] {
    if (steps_.get(step)) on_retry_timer(step);
  });
}

// The wait before the next retry: from the matching rule's backoff, which
// restarts from its base for a rule's first retry, or from the step's own
// (made on its first retry).
sim::Duration Engine::backoff_delay(Step& s, std::size_t rule, sim::Duration retry_after) const {
  const RetryConfig& rc = call_of(s).retry;
  sim::RandomStream stream = step_stream(s, "backoff");
  if (rule < kMaxRetryRules) {
    Backoff b(rc.rules[rule].backoff,
              s.rule_retries[rule] == 0 ? rc.rules[rule].backoff.base : s.rule_previous[rule],
              s.rule_retries[rule]);
    const sim::Duration delay = b.next(stream, retry_after);
    s.rule_previous[rule] = b.previous();
    return delay;
  }
  if (!s.backoff) s.backoff.emplace(rc.backoff);
  return s.backoff->next(stream, retry_after);
}

// The backoff is over: the retry is routed again (a run needs no routing).
void Engine::on_retry_timer(Handle<Step> step) {
  if (call_of(steps_[step]).sub_workflow != kNoSubWorkflow) {
    prepare_and_launch(step, kNoAgent, AttemptKind::kRetry, std::nullopt);
    return;
  }
  const std::optional<Routed> routed = route(step, AttemptKind::kRetry);
  if (!routed) {
    retry_or_fall_back(step, CallEnd::kError, ErrorKind::kUnavailable, sim::Duration::zero());
    return;
  }
  steps_[step].agent = routed->agent;
  prepare_and_launch(step, routed->agent, AttemptKind::kRetry, routed);
}

void Engine::end_step(Handle<Step> step) {
  Step* sp = steps_.get(step);
  if (!sp) return;
  Step& s = *sp;
  sim_.cancel(s.hedge_timer);
  sim_.cancel(s.budget_timer);
  sim_.cancel(s.retry_timer);
  // Losers of a race, or calls of a step that ended: cancelled; the tokens
  // they spent are still billed.
  while (!s.outstanding.empty()) cancel_attempt(s.outstanding.back());
  Request& r = requests_[s.req];
  if (r.flows[s.flow].step == step) r.flows[s.flow].step = {};
  steps_.release(step);
}

void Engine::step_succeeded(Handle<Step> step, AgentIndex winner,
                            const mock_agents::CallOutcome& o) {
  Step& s = steps_[step];
  const Handle<Request> req = s.req;
  const std::uint32_t flow = s.flow;
  const NodeId node_id = s.node;
  Request& r = requests_[req];
  Flow& f = r.flows[flow];
  const Node& node = workflow_.nodes[node_id];
  const CallNode& c = call_of(s);
  switch (c.output) {
    case QualityChannel::kEvidence:
      f.evidence = o.quality;
      break;
    case QualityChannel::kAnswer: {
      f.answer = o.quality;
      f.answer_silent = o.silent;
      f.has_answer = true;
      f.answer_confidence = o.confidence;
      BestAnswer& best = best_of(r, f);
      if (o.confidence > best.confidence) {
        best.has = true;
        best.confidence = o.confidence;
        best.quality = o.quality;
        best.silent = o.silent;
      }
      break;
    }
    case QualityChannel::kNone:
      break;
  }
  f.has_previous = true;
  f.last_agent = winner;
  f.label = o.label;
  f.verdict = o.verdict_pass;
  f.judged = c.judges_answer || f.judged;
  f.confidence = o.confidence;
  f.last_failed = false;
  f.last_error = ErrorKind::kNone;
  f.last_output_tokens = o.output_tokens;
  if (c.output_to_context && o.output_tokens > 0) {
    f.context.add({c.output_segment, o.output_tokens, c.output_relevance});
  }
  // The step's other attempts lost the race: their output is not needed.
  cancelling_losers_ = true;
  end_step(step);
  cancelling_losers_ = false;
  enter(req, flow, node.next);
}

void Engine::step_failed(Handle<Step> step, std::string_view cause, ErrorKind error) {
  Step* sp = steps_.get(step);
  if (!sp) return;
  const Handle<Request> req = sp->req;
  const std::uint32_t flow = sp->flow;
  const NodeId node_id = sp->node;
  const Node& node = workflow_.nodes[node_id];
  Flow& f = requests_[req].flows[flow];
  f.has_previous = true;
  f.last_failed = true;
  f.last_error = error;
  f.confidence = 0.0;
  // A failed retrieval leaves no evidence: steps after it work without any.
  if (call_of(*sp).output == QualityChannel::kEvidence) f.evidence = 0.0;
  end_step(step);
  if (node.on_failure != kNoNode) {
    if (observer_) {
      observer_->on_flow_decision({.at = sim_.now(),
                                   .request = requests_[req].in.id,
                                   .node = node_id,
                                   .next = node.on_failure,
                                   .reason = explain("step failed ({})", cause),
                                   .flow = f.id,
                                   .invocation = invocation_id(requests_[req], f)});
    }
    enter(req, flow, node.on_failure);
  } else {
    flow_failed(req, flow, cause);
  }
}

}  // namespace orchsim::orchestration::detail
