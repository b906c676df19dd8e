// The choreography engine. Three kinds of state, each only what its owner
// could know: a request's record (what a tracing system would see: kept
// only to end it once for the metrics, never read by a subscriber), a
// handler per delivery (a subscriber's local retry loop) and a call per
// attempt. Everything is keyed by ids in ordered maps, looked up, never
// iterated into results.
#include "orchestration/choreographer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <stdexcept>

#include "orchestration/backoff.hpp"

namespace orchsim::orchestration {

namespace {
constexpr std::uint32_t kNoTopic = std::numeric_limits<std::uint32_t>::max();
}

// What an event carries from one subscriber to the next.
struct Choreographer::Payload {
  double evidence = 1.0;  // 1: nothing retrieved yet, as a workflow's flow starts
  double answer = 0.0;
  bool has_answer = false;
  bool answer_silent = false;
  double confidence = 1.0;  // of the output that published the event
  std::int64_t context_tokens = 0;
  double retained = 1.0;  // share of the context's information kept so far
};

struct Choreographer::Request {
  RequestInput in;
  sim::Time arrived;
  bool ended = false;
  bool completed = false;
  std::uint64_t work = 0;                 // calls in flight and retries waiting
  std::vector<std::uint32_t> published;   // by topic: publications so far
  std::vector<std::uint32_t> deliveries;  // by subscription: handlers started
  std::vector<std::uint64_t> open_calls;  // tags, in start order
  std::vector<std::uint64_t> handlers;    // ids, in start order
  sim::EventId deadline_timer;
  // Up to the request's end, for RequestFinished.
  double cost = 0.0;
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::uint32_t calls = 0, retries = 0, timeouts = 0;
};

struct Choreographer::Handler {
  RequestId request = 0;
  std::uint32_t sub = 0;
  std::uint32_t visit = 1;
  Payload input;
  std::uint32_t attempts = 0;
  std::uint64_t waiting = 0;  // the call it waits for; 0: none
  sim::EventId retry_timer;
  std::optional<Backoff> backoff;  // made on the first retry
  // Ordered retry rules: retries each has allowed, and its last delay.
  std::array<std::uint32_t, kMaxRetryRules> rule_retries{};
  std::array<sim::Duration, kMaxRetryRules> rule_previous{};
};

struct Choreographer::Call {
  std::uint64_t handler = 0;
  RequestId request = 0;
  std::uint32_t sub = 0;
  std::uint32_t attempt = 0;
  AttemptKind kind = AttemptKind::kFirst;
  mock_agents::CallId call = 0;
  sim::Time started;
  std::int64_t input_tokens = 0;
  double retained = 1.0;
  Payload input;
  sim::EventId timeout;
};

Choreographer::Choreographer(sim::Simulation& sim, const sim::RandomSource& rng,
                             const Choreography& choreography,
                             std::vector<mock_agents::Agent*> agents)
    : sim_(sim), rng_(rng), choreography_(choreography), agents_(std::move(agents)) {
  const auto problems = choreography_.validate(agents_.size());
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems)
      all += fmt::format("{}{}: {}", all.empty() ? "" : "; ", p.key, p.message);
    throw std::invalid_argument("choreography: " + all);
  }
  const auto& subs = choreography_.subscriptions;
  topic_ids_[kRequestTopic] = 0;
  for (const Subscription& s : subs) {
    topic_ids_[s.on] = 0;
    topic_ids_[s.publish] = 0;
    if (!s.publish_on_reject.empty()) topic_ids_[s.publish_on_reject] = 0;
  }
  std::uint32_t next = 0;
  for (auto& [name, id] : topic_ids_) id = next++;
  request_topic_ = topic_ids_.at(kRequestTopic);
  subscribers_.resize(topic_ids_.size());
  completes_.assign(topic_ids_.size(), false);
  for (std::uint32_t i = 0; i < subs.size(); ++i) {
    subscribers_[topic_ids_.at(subs[i].on)].push_back(i);
    publish_.push_back(topic_ids_.at(subs[i].publish));
    reject_.push_back(subs[i].publish_on_reject.empty() ? kNoTopic
                                                        : topic_ids_.at(subs[i].publish_on_reject));
  }
  for (const std::string& t : choreography_.completes_on) completes_[topic_ids_.at(t)] = true;
}

Choreographer::~Choreographer() = default;

void Choreographer::submit(const RequestInput& in) {
  const sim::Time now = sim_.now();
  Request& r = requests_[in.id];
  r.in = in;
  r.arrived = now;
  r.published.assign(topic_ids_.size(), 0);
  r.deliveries.assign(choreography_.subscriptions.size(), 0);
  ++arrived_;
  if (observer_) {
    observer_->on_request_arrived({.at = now,
                                   .request = in.id,
                                   .class_index = in.class_index,
                                   .input_tokens = in.input_tokens,
                                   .deadline = in.deadline});
  }
  if (in.deadline != sim::Time::max()) {
    const RequestId id = in.id;
    r.deadline_timer = sim_.schedule_at(
        std::max(in.deadline, now), [this, id] { on_deadline(id); }, sim::kPriorityLate);
  }
  Payload p;
  p.context_tokens = choreography_.system_prompt_tokens + in.input_tokens;
  ++r.work;  // held while the arrival's deliveries start
  publish(in.id, request_topic_, p);
  work_done(in.id);
}

void Choreographer::publish(RequestId id, std::uint32_t topic, const Payload& payload) {
  Request& r = requests_.at(id);
  ++r.published[topic];
  if (!r.ended && completes_[topic]) finish(r, true, "answered", &payload);
  for (const std::uint32_t sub : subscribers_[topic]) deliver(id, sub, payload);
}

void Choreographer::deliver(RequestId id, std::uint32_t sub, const Payload& payload) {
  const Subscription& s = choreography_.subscriptions[sub];
  Request& r = requests_.at(id);
  switch (s.when) {
    case DeliveryFilter::kAlways:
      break;
    case DeliveryFilter::kConfidenceBelow:
      if (!(payload.confidence < s.threshold)) return;
      break;
    case DeliveryFilter::kConfidenceAtLeast:
      if (!(payload.confidence >= s.threshold)) return;
      break;
  }
  if (s.idempotent && r.deliveries[sub] > 0) return;
  const std::uint64_t hid = next_handler_++;
  Handler& h = handlers_[hid];
  h.request = id;
  h.sub = sub;
  h.visit = s.stream_visit + r.deliveries[sub]++;
  h.input = payload;
  r.handlers.push_back(hid);
  launch(hid, AttemptKind::kFirst);
}

void Choreographer::launch(std::uint64_t hid, AttemptKind kind) {
  Handler& h = handlers_.at(hid);
  Request& r = requests_.at(h.request);
  const Subscription& s = choreography_.subscriptions[h.sub];
  const sim::Time now = sim_.now();
  if (r.in.deadline <= now) {  // the event's deadline has passed: dropped
    std::erase(r.handlers, hid);
    handlers_.erase(hid);
    return;
  }
  mock_agents::Agent& agent = *agents_[s.agent];
  const std::uint32_t node = s.stream_node < 0 ? h.sub : static_cast<std::uint32_t>(s.stream_node);
  const std::uint32_t number = h.attempts++;
  // Fitted to the agent's window as truncate_oldest would: the share past it is lost.
  const std::int64_t window = agent.context_window_tokens();
  std::int64_t tokens = h.input.context_tokens;
  double retained = h.input.retained;
  if (window > 0 && tokens > window) {
    retained *= static_cast<double>(window) / static_cast<double>(tokens);
    tokens = window;
  }
  mock_agents::CallRequest call;
  call.request_id = r.in.id;
  // Keyed as the orchestrator keys a call of workflow node `node` on visit
  // `visit` (attempt.cpp): the same request meets the same world.
  const std::uint32_t visit = h.visit;
  call.attempt = number | ((visit >> 16) << 20);
  call.variant = (((visit >> 8) & 255) << 24) | (node << 12) | ((visit & 255) << 4);
  call.caller = node;
  call.input_tokens = tokens;
  call.output_tokens = r.in.output_tokens;
  call.difficulty = r.in.difficulty;
  call.input_quality = s.input == QualityChannel::kEvidence ? h.input.evidence
                       : s.input == QualityChannel::kAnswer
                           ? (h.input.has_answer ? h.input.answer : 0.0)
                           : 1.0;
  call.context_retained = retained;
  call.judged_quality = h.input.has_answer ? h.input.answer : 0.0;
  call.output_scale = s.output_tokens_factor;
  const std::uint64_t tag = next_call_++;
  Call& c = calls_[tag];
  c.handler = hid;
  c.request = r.in.id;
  c.sub = h.sub;
  c.attempt = number;
  c.kind = kind;
  c.started = now;
  c.input_tokens = tokens;
  c.retained = retained;
  c.input = h.input;
  if (!r.ended) {
    ++r.calls;
    if (kind == AttemptKind::kRetry) ++r.retries;
  }
  ++r.work;
  ++work_;
  r.open_calls.push_back(tag);
  h.waiting = tag;
  c.call = agent.submit(call, *this, tag);
  if (s.timeout > sim::Duration::zero()) {
    const sim::Time limit = now + s.timeout;
    const std::optional<sim::Time> end = agent.end_bound(c.call);
    if (!end || *end > limit) {
      c.timeout = sim_.schedule_at(
          limit, [this, tag] { on_local_timeout(tag); }, sim::kPriorityLate);
    }
  }
  if (observer_) {
    observer_->on_call_started({.at = now,
                                .request = r.in.id,
                                .node = h.sub,
                                .agent = s.agent,
                                .attempt = number,
                                .call = c.call,
                                .kind = kind,
                                .input_tokens = tokens});
  }
}

void Choreographer::on_call_finished(mock_agents::CallId, std::uint64_t tag,
                                     const mock_agents::CallOutcome& o) {
  const auto it = calls_.find(tag);
  if (it == calls_.end()) return;
  const Call c = it->second;
  sim_.cancel(c.timeout);
  const Subscription& s = choreography_.subscriptions[c.sub];
  const bool success = o.status == mock_agents::CallStatus::kSuccess;
  const std::uint32_t topic =
      !success ? kNoTopic : (s.judges_answer && !o.verdict_pass ? reject_[c.sub] : publish_[c.sub]);
  end_call(tag, success ? CallEnd::kSuccess : CallEnd::kError, &o, nullptr);
  ++requests_.at(c.request).work;  // held while the call's consequences run
  const auto h = handlers_.find(c.handler);
  if (h != handlers_.end() && h->second.waiting == tag) {
    h->second.waiting = 0;
    if (success) {
      std::erase(requests_.at(c.request).handlers, c.handler);
      handlers_.erase(h);
    } else {
      retry_or_give_up(c.handler, CallEnd::kError, o.error, o.retry_after);
    }
  }
  if (topic != kNoTopic) {
    Payload out = c.input;
    switch (s.output) {
      case QualityChannel::kEvidence:
        out.evidence = o.quality;
        break;
      case QualityChannel::kAnswer:
        out.answer = o.quality;
        out.answer_silent = o.silent;
        out.has_answer = true;
        break;
      case QualityChannel::kNone:
        break;
    }
    out.confidence = o.confidence;
    out.retained = c.retained;
    if (s.output_to_context && o.output_tokens > 0) out.context_tokens += o.output_tokens;
    publish(c.request, topic, out);
  }
  work_done(c.request);
}

// Closes a call (answered, or cancelled at its request's deadline): bills it,
// tells the observer, and forgets it.
void Choreographer::end_call(std::uint64_t tag, CallEnd end, const mock_agents::CallOutcome* o,
                             const mock_agents::Agent::Cancellation* cancelled) {
  const Call c = calls_.at(tag);
  calls_.erase(tag);
  Request& r = requests_.at(c.request);
  std::erase(r.open_calls, tag);
  const Subscription& s = choreography_.subscriptions[c.sub];
  // The agent replied (o is set): with an answer, or with an error.
  const bool replied = o && end != CallEnd::kCancelled;
  const bool answered = replied && produced_answer(end);
  const bool success = replied && o->status == mock_agents::CallStatus::kSuccess;
  const std::int64_t in = o ? o->input_tokens : cancelled->input_tokens;
  const std::int64_t out = o ? o->output_tokens : cancelled->output_tokens;
  const double cost = o ? o->cost_usd : cancelled->cost_usd;
  const sim::Duration queue_wait = o ? o->queue_wait() : cancelled->queue_wait;
  std::uint32_t topic = kNoTopic;
  if (success) topic = s.judges_answer && !o->verdict_pass ? reject_[c.sub] : publish_[c.sub];
  // Not needed: its request had completed, or its output repeats a
  // publication already made for the request.
  const bool redundant = r.completed || (topic != kNoTopic && r.published[topic] > 0);
  const bool caught =
      success && s.judges_answer && !o->verdict_pass && c.input.has_answer && c.input.answer_silent;
  if (!r.ended) {
    r.cost += cost;
    r.input_tokens += in;
    r.output_tokens += out;
  }
  --work_;
  --r.work;
  if (observer_) {
    observer_->on_call_ended({.at = sim_.now(),
                              .request = c.request,
                              .node = c.sub,
                              .agent = s.agent,
                              .attempt = c.attempt,
                              .call = c.call,
                              .kind = c.kind,
                              .end = end,
                              .error = replied ? o->error : ErrorKind::kNone,
                              .started = c.started,
                              .duration = sim_.now() - c.started,
                              .queue_wait = queue_wait,
                              .input_tokens = in,
                              .output_tokens = out,
                              .cost_usd = cost,
                              .quality = answered ? o->quality : 0.0,
                              .confidence = answered ? o->confidence : 0.0,
                              .silent = answered && o->silent,
                              .redundant = redundant,
                              .caught_silent = caught});
  }
}

void Choreographer::on_local_timeout(std::uint64_t tag) {
  const auto it = calls_.find(tag);
  if (it == calls_.end()) return;
  it->second.timeout = {};
  const std::uint64_t hid = it->second.handler;
  const RequestId id = it->second.request;
  const auto h = handlers_.find(hid);
  if (h == handlers_.end() || h->second.waiting != tag) return;
  // The subscriber stops waiting; the call goes on at the agent.
  h->second.waiting = 0;
  Request& r = requests_.at(id);
  if (!r.ended) ++r.timeouts;
  ++r.work;
  retry_or_give_up(hid, CallEnd::kTimeout, ErrorKind::kNone, sim::Duration::zero());
  work_done(id);
}

void Choreographer::retry_or_give_up(std::uint64_t hid, CallEnd after, ErrorKind error,
                                     sim::Duration retry_after) {
  Handler& h = handlers_.at(hid);
  Request& r = requests_.at(h.request);
  const Subscription& s = choreography_.subscriptions[h.sub];
  const RetryConfig& rc = s.retry;
  const sim::Time now = sim_.now();
  if (!rc.honour_retry_after) retry_after = sim::Duration::zero();
  const auto matches = [&](const std::vector<ErrorKind>& on, bool on_timeout) {
    return after == CallEnd::kTimeout ? on_timeout
                                      : std::find(on.begin(), on.end(), error) != on.end();
  };
  // As a call node's: the retry settings, or the first ordered rule that matches.
  bool retryable = false;
  std::size_t rule = kMaxRetryRules;
  if (rc.rules.empty()) {
    retryable = matches(rc.retry_on, rc.retry_on_timeout) && h.attempts < rc.max_attempts;
  } else {
    for (std::size_t i = 0; i < rc.rules.size(); ++i) {
      if (matches(rc.rules[i].retry_on, rc.rules[i].retry_on_timeout)) {
        rule = i;
        retryable = h.rule_retries[i] < rc.rules[i].max_retries;
        break;
      }
    }
  }
  if (retry_after == sim::Duration::max()) retryable = false;
  if (retryable) {
    sim::RandomStream stream =
        rng_.stream("choreography_backoff", r.in.id, h.sub, h.visit, h.attempts);
    sim::Duration delay;
    if (rule < kMaxRetryRules) {
      const BackoffPolicy& p = rc.rules[rule].backoff;
      Backoff b(p, h.rule_retries[rule] == 0 ? p.base : h.rule_previous[rule],
                h.rule_retries[rule]);
      delay = b.next(stream, retry_after);
      h.rule_previous[rule] = b.previous();
    } else {
      if (!h.backoff) h.backoff.emplace(rc.backoff);
      delay = h.backoff->next(stream, retry_after);
    }
    if (r.in.deadline == sim::Time::max() || delay < r.in.deadline - now) {
      if (rule < kMaxRetryRules) ++h.rule_retries[rule];
      ++r.work;
      ++work_;
      h.retry_timer = sim_.schedule_at(now + delay, [this, hid] {
        Handler& hh = handlers_.at(hid);
        hh.retry_timer = {};
        const RequestId id = hh.request;
        --work_;  // the waiting retry becomes a call (or is dropped)
        launch(hid, AttemptKind::kRetry);
        work_done(id);
      });
      if (observer_) {
        observer_->on_retry_scheduled({.at = now,
                                       .request = r.in.id,
                                       .node = h.sub,
                                       .agent = s.agent,
                                       .next_attempt = h.attempts,
                                       .delay = delay,
                                       .after_error = error,
                                       .after = after});
      }
      return;
    }
  }
  // The subscriber gives up. Nobody else knows.
  std::erase(r.handlers, hid);
  handlers_.erase(hid);
}

void Choreographer::on_deadline(RequestId id) {
  Request& r = requests_.at(id);
  r.deadline_timer = {};
  const bool had_work = r.work > 0;
  if (had_work && !r.ended && observer_) {
    observer_->on_budget_exhausted({.at = sim_.now(),
                                    .request = id,
                                    .node = kNoNode,
                                    .kind = BudgetExhausted::Kind::kDeadline});
  }
  ++r.work;
  // The deadline travels with every event: agents drop the request's work.
  while (!r.open_calls.empty()) {
    const std::uint64_t tag = r.open_calls.front();
    Call& c = calls_.at(tag);
    sim_.cancel(c.timeout);
    const auto cancelled = agents_[choreography_.subscriptions[c.sub].agent]->cancel(c.call);
    end_call(tag, CallEnd::kCancelled, nullptr, &cancelled);
  }
  for (const std::uint64_t hid : r.handlers) {
    Handler& h = handlers_.at(hid);
    if (sim_.cancel(h.retry_timer)) {
      --r.work;
      --work_;
    }
    handlers_.erase(hid);
  }
  r.handlers.clear();
  if (!r.ended) finish(r, false, had_work ? "deadline_exceeded" : "stuck", nullptr);
  work_done(id);
}

void Choreographer::finish(Request& r, bool success, std::string_view outcome,
                           const Payload* answer) {
  r.ended = true;
  r.completed = success;
  if (success) {
    ++completed_;
  } else {
    ++failed_;
  }
  if (outcome == "stuck") ++stuck_;
  if (!observer_) return;
  const bool has_answer = success && answer && answer->has_answer;
  observer_->on_request_finished({.at = sim_.now(),
                                  .request = r.in.id,
                                  .class_index = r.in.class_index,
                                  .success = success,
                                  .outcome = outcome,
                                  .latency = sim_.now() - r.arrived,
                                  .quality = has_answer ? answer->answer : 0.0,
                                  .answer_silent_failure = has_answer && answer->answer_silent,
                                  .cost_usd = r.cost,
                                  .input_tokens = r.input_tokens,
                                  .output_tokens = r.output_tokens,
                                  .calls = r.calls,
                                  .retries = r.retries,
                                  .hedges = 0,
                                  .timeouts = r.timeouts,
                                  .fallbacks = 0,
                                  .redirects = 0});
}

// Releases a hold on the request's work; when none is left, a request that
// has not ended and has no deadline to wait for is stuck now, and an ended
// one is forgotten.
void Choreographer::work_done(RequestId id) {
  Request& r = requests_.at(id);
  --r.work;
  if (r.work > 0) return;
  if (!r.ended) {
    if (r.in.deadline != sim::Time::max()) return;  // stuck: it ends at its deadline
    finish(r, false, "stuck", nullptr);
  }
  sim_.cancel(r.deadline_timer);
  requests_.erase(id);
}

}  // namespace orchsim::orchestration
