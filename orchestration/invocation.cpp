// Sub-workflow invocations: the attempts of a call step that runs a
// sub-workflow (CallNode::sub_workflow). An invocation starts with a copy of
// the caller's flow (its context fitted into the sub-workflow's window, its
// evidence and answer), runs as flows of the same request with its own visit
// counts, deadline and best answer, and ends once: through its main path (a
// terminal, an exhausted loop, a failure), the caller's timeout, or a
// cancellation (a hedge won, the caller's step or request ended), which
// cancels everything inside it first. Its result goes back to the caller's
// step as an agent's answer would, through attempt_ended().
#include <algorithm>

#include "orchestration/engine.hpp"

namespace orchsim::orchestration::detail {

using mock_agents::CallOutcome;
using mock_agents::CallStatus;

namespace {

// A key for an invocation's random draws: its caller's (0 at the top level),
// the calling step's node and visit, and the attempt. Never 0 (0 = none).
std::uint64_t invocation_key(std::uint64_t parent, NodeId node, std::uint32_t visit,
                             std::uint32_t attempt) {
  sim::StreamIdBuilder b;
  b.add("invocation").add(parent).add(node).add(visit).add(attempt);
  const sim::StreamId id = b.build();
  const std::uint64_t key = id.words[0] | (std::uint64_t{id.words[1]} << 32);
  return key == 0 ? 1 : key;
}

}  // namespace

bool Engine::launch_invocation(Handle<Step> step, AttemptKind kind, AttemptInput input) {
  Step& s = steps_[step];
  const Handle<Request> req = s.req;
  Request& r = requests_[req];
  const CallNode& c = call_of(s);
  const SubWorkflow& sub = workflow_.sub_workflows[c.sub_workflow];
  const sim::Time now = sim_.now();
  const std::uint32_t caller = s.flow;
  const std::uint32_t parent = r.flows[caller].invocation;

  const Handle<Attempt> ah = attempts_.acquire();
  Attempt& a = attempts_[ah];
  a.step = step;
  a.agent = kNoAgent;
  a.number = s.attempts_started++;
  a.kind = kind;
  a.started = now;
  a.input_tokens = input.tokens;

  const std::uint32_t ii = r.invocations.acquire();
  a.invocation = ii;
  Invocation& inv = r.invocations[ii];
  inv.active = true;
  inv.id = r.next_invocation_id++;
  inv.sub = c.sub_workflow;
  inv.parent = parent;
  inv.attempt = ah;
  inv.started = now;
  inv.input_tokens = input.tokens;
  inv.key =
      invocation_key(parent == kNone ? 0 : r.invocations[parent].key, s.node, s.visit, a.number);
  inv.visits.assign(workflow_.nodes.size(), 0);
  // Its limit: the caller's deadline, the caller's attempt timeout, its own.
  sim::Time limit = deadline_of(r, r.flows[caller]);
  if (c.attempt_timeout > sim::Duration::zero()) limit = std::min(limit, now + c.attempt_timeout);
  if (sub.timeout > sim::Duration::zero()) limit = std::min(limit, now + sub.timeout);
  inv.deadline = limit;

  if (kind == AttemptKind::kRetry) ++r.retries;
  if (kind == AttemptKind::kHedge) ++r.hedges;
  s.outstanding.push_back(ah);
  if (kind == AttemptKind::kRetry || kind == AttemptKind::kHedge) {
    budget_of(r, r.flows[caller]).retry_started();
  }
  if (RetryBudget* own = sub_budgets_[inv.sub].get()) own->request_started();
  // Armed before anything inside starts: at that instant the caller's limit
  // comes first (same time and priority, earlier in order) and cancels the
  // calls inside, which would otherwise time out one by one.
  if (limit != sim::Time::max()) {
    a.timeout = sim_.schedule_at(
        limit,
        [this, ah] {
          if (attempts_.get(ah)) on_attempt_timeout(ah);
        },
        sim::kPriorityLate);
  }
  const std::uint32_t fi = open_root_flow(r, caller, ii, s.node, c);
  inv.root = fi;
  if (observer_) tell_sub_workflow_started(s, a, inv);
  // Last: the invocation may end before enter() returns, and its step (and
  // request) with it; callers check that the step still lives.
  enter(req, fi, sub.entry);
  return true;
}

// An invocation's main flow: a copy of the caller's state, entered from the
// calling node, with the context fitted into the sub-workflow's window.
std::uint32_t Engine::open_root_flow(Request& r, std::uint32_t caller, std::uint32_t ii,
                                     NodeId node, const CallNode& c) {
  const std::uint32_t fi = r.flows.acquire();
  Flow& root = r.flows[fi];
  root = r.flows[caller];
  root.active = true;
  root.step = {};
  root.id = r.next_flow_id++;
  root.group = kNone;
  root.child_group = kNone;
  root.invocation = ii;
  root.node = node;  // entered from the calling node
  root.last_output_tokens = 0;
  if (!c.include_context) {
    std::vector<Segment> kept;
    for (const Segment& seg : root.context.segments()) {
      if (seg.protected_from_fitting()) kept.push_back(seg);
    }
    root.context.assign(std::move(kept));
    root.retained = 1.0;
  } else if (root.context.tokens() > window_of(kNoAgent, c)) {
    // A hedge's copy (the caller's context was not fitted for it).
    const FitPolicy policy = c.fit == FitPolicy::kSummarize ? FitPolicy::kTruncateOldest : c.fit;
    const FitPlan plan = plan_fit(root.context, window_of(kNoAgent, c), policy);
    apply_fit(root.context, plan);
    root.retained *= plan.retained;
  }
  return fi;
}

// The observer hears of the run, and of it as a hedge: on_hedge_timer()
// leaves that to a run, which tells it before anything inside it happens.
void Engine::tell_sub_workflow_started(const Step& s, const Attempt& a, const Invocation& inv) {
  const Request& r = requests_[s.req];
  const Flow& f = r.flows[s.flow];
  observer_->on_sub_workflow_started({.at = a.started,
                                      .request = r.in.id,
                                      .node = s.node,
                                      .sub_workflow = inv.sub,
                                      .attempt = a.number,
                                      .kind = a.kind,
                                      .invocation = inv.id,
                                      .parent = invocation_id(r, f),
                                      .flow = f.id,
                                      .root_flow = r.flows[inv.root].id,
                                      .input_tokens = a.input_tokens,
                                      .deadline = inv.deadline});
  if (a.kind == AttemptKind::kHedge) {
    observer_->on_hedge_launched({.at = a.started,
                                  .request = r.in.id,
                                  .node = s.node,
                                  .agent = kNoAgent,
                                  .attempt = a.number});
  }
}

// The invocation's main path ended: its result goes to the caller's step.
void Engine::end_invocation(Handle<Request> req, std::uint32_t ii, bool success,
                            std::string_view outcome) {
  Request& r = requests_[req];
  Invocation& inv = r.invocations[ii];
  if (!inv.active) return;
  inv.active = false;
  const Handle<Attempt> ah = inv.attempt;
  const Step& s = steps_[attempts_[ah].step];
  const CallNode& c = call_of(s);
  const Flow& root = r.flows[inv.root];
  CallOutcome o;
  o.status = success ? CallStatus::kSuccess : CallStatus::kError;
  // A failed run fails with its last failed step's error: a layer above
  // retries what it would have retried itself. Without one (a loop
  // exhausted, a join or a failure terminal), the service was unavailable.
  o.error = success                               ? ErrorKind::kNone
            : root.last_error != ErrorKind::kNone ? root.last_error
                                                  : ErrorKind::kUnavailable;
  if (success) {
    const bool best = outcome == "best_so_far";
    switch (c.output) {
      case QualityChannel::kEvidence:
        o.quality = root.evidence;
        o.confidence = root.confidence;
        break;
      case QualityChannel::kAnswer:
        o.quality = best ? inv.best.quality : root.has_answer ? root.answer : 0.0;
        o.silent = best ? inv.best.silent : root.answer_silent;
        o.confidence = best ? inv.best.confidence : root.answer_confidence;
        break;
      case QualityChannel::kNone:
        o.confidence = root.confidence;
        break;
    }
    o.label = root.label;
    o.verdict_pass = root.verdict;
    o.output_tokens = root.last_output_tokens;
  }
  o.input_tokens = inv.input_tokens;
  o.submitted = o.service_started = inv.started;
  o.finished = sim_.now();
  const AgentIndex answered_by = root.has_previous ? root.last_agent : kNoAgent;
  cancel_flow(req, inv.root);  // nothing is left running; this only marks it done

  CallEnd end = success ? CallEnd::kSuccess : CallEnd::kError;
  Attempt& a = attempts_[ah];
  const Flow& caller = r.flows[s.flow];
  success ? budget_of(r, caller).on_success() : budget_of(r, caller).on_failure();
  if (end == CallEnd::kSuccess && call_of(s).validator.enabled && validator_flags(s, a, o)) {
    end = CallEnd::kInvalid;
  }
  sim_.cancel(a.timeout);
  attempt_ended(
      ah,
      {.end = end, .error = o.error, .outcome = &o, .cause = outcome, .answered_by = answered_by});
}

// Stops everything inside: its flows' steps (and their calls, billed, and
// nested invocations), its fan-outs. Its attempt is closed by the caller.
void Engine::cancel_invocation(Handle<Request> req, std::uint32_t ii) {
  Request& r = requests_[req];
  Invocation& inv = r.invocations[ii];
  if (!inv.active) return;
  inv.active = false;
  cancel_flow(req, inv.root);
}

// The attempt of an invocation closes: tell the observer, free what it held.
void Engine::close_invocation(Handle<Request> req, const Attempt& a, const Closing& c) {
  Request& r = requests_[req];
  Invocation& inv = r.invocations[a.invocation];
  if (RetryBudget* own = sub_budgets_[inv.sub].get()) own->request_finished();
  if (observer_) {
    const Step& s = steps_[a.step];
    const CallOutcome* o = c.outcome;
    const bool answered = o != nullptr && produced_answer(c.end);
    observer_->on_sub_workflow_ended(
        {.at = sim_.now(),
         .request = r.in.id,
         .node = s.node,
         .sub_workflow = inv.sub,
         .attempt = a.number,
         .kind = a.kind,
         .invocation = inv.id,
         .parent = inv.parent == kNone ? 0 : r.invocations[inv.parent].id,
         .end = c.end,
         .error = c.error,
         .outcome = c.cause,
         .started = a.started,
         .duration = sim_.now() - a.started,
         .calls = inv.calls,
         .input_tokens = inv.call_input_tokens,
         .output_tokens = inv.call_output_tokens,
         .cost_usd = inv.cost,
         .quality = answered ? o->quality : 0.0,
         .confidence = answered ? o->confidence : 0.0,
         .silent = answered && o->silent});
  }
  r.flows.release(inv.root);
  r.invocations.release(a.invocation);
}

// An agent call inside an invocation closed: every enclosing invocation counts it.
void Engine::charge_invocations(Request& r, std::uint32_t ii, const Closing& c) {
  for (; ii != kNone; ii = r.invocations[ii].parent) {
    Invocation& inv = r.invocations[ii];
    inv.cost += c.cost_usd;
    inv.call_input_tokens += c.input_tokens;
    inv.call_output_tokens += c.output_tokens;
  }
}

}  // namespace orchsim::orchestration::detail
