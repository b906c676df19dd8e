#include "mock_agents/mock_agent.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "mock_agents/quality_model.hpp"
#include "sim/rounding.hpp"

namespace orchsim::mock_agents {

std::string_view to_string(ErrorKind kind) {
  return sim::enum_name(kErrorKindNames, kind, "unknown");
}

bool is_retryable(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTransient:
    case ErrorKind::kRateLimited:
    case ErrorKind::kOverloaded:
    case ErrorKind::kUnavailable:
      return true;
    default:
      return false;
  }
}

struct MockAgent::Call {
  Phase phase = Phase::kFree;
  bool hung = false;
  std::uint32_t generation = 0;
  CallRequest request;
  CallListener* listener = nullptr;
  std::uint64_t tag = 0;
  Draws draws{};
  CallOutcome outcome;
  sim::EventId event;          // completion or rejection delivery
  sim::Time ends_at;           // when `event` runs
  sim::Duration service_time;  // planned, for pro-rata billing on cancellation
};

namespace {
constexpr std::uint32_t kIndexBits = 32;
CallId make_id(std::uint32_t index, std::uint32_t generation) {
  return (static_cast<CallId>(generation) << kIndexBits) | index;
}
}  // namespace

MockAgent::MockAgent(sim::Simulation& sim, const sim::RandomSource& rng, MockAgentConfig config)
    : sim_(sim),
      rng_(rng),
      config_(std::move(config)),
      name_key_(sim::stable_hash(config_.name)),
      call_streams_(rng_.family("call", name_key_)) {
  if (auto problems = config_.validate(); !problems.empty()) {
    std::string msg = fmt::format("agent '{}' is misconfigured:", config_.name);
    for (const auto& p : problems) msg += "\n  " + p;
    throw std::invalid_argument(msg);
  }
  if (config_.limits.requests_per_minute > 0) {
    request_bucket_.emplace(config_.limits.requests_per_minute);
  }
  if (config_.limits.tokens_per_minute > 0) token_bucket_.emplace(config_.limits.tokens_per_minute);
  if (!config_.labels.empty()) {
    label_distribution_ =
        std::make_unique<sim::Distribution>(sim::Distribution::categorical(config_.label_weights));
  }
  busy_since_ = sim_.now();
  for (const FaultWindow& w : config_.faults) {
    if (w.kind == FaultWindow::Kind::kDegraded || w.start < sim_.now()) continue;
    // Early priority: the outage is in force for anything else at that instant.
    sim_.schedule_at(
        w.start, [this, &w] { on_fault_start(w); }, sim::kPriorityEarly);
  }
}

MockAgent::~MockAgent() = default;

const FaultWindow* MockAgent::fault_at(sim::Time t) const {
  for (const FaultWindow& w : config_.faults) {
    if (w.start <= t && t < w.end) return &w;
  }
  return nullptr;
}

// Out of line, so that allocate_call() (every submit) inlines.
[[gnu::noinline]] std::uint32_t MockAgent::new_call() {
  calls_.emplace_back();
  return static_cast<std::uint32_t>(calls_.size() - 1);
}

std::uint32_t MockAgent::allocate_call() {
  if (free_calls_.empty()) [[unlikely]]
    return new_call();
  const std::uint32_t index = free_calls_.back();
  free_calls_.pop_back();
  return index;
}

void MockAgent::release_call(std::uint32_t index) {
  Call& c = calls_[index];
  const std::uint32_t caller = c.request.caller;
  if (config_.bulkhead_per_caller > 0 && c.phase != Phase::kRejecting) {
    --per_caller_active_[caller];
  }
  c.phase = Phase::kFree;
  c.generation += 1;
  free_calls_.push_back(index);
}

MockAgent::Call* MockAgent::find(CallId id) {
  return const_cast<Call*>(std::as_const(*this).find(id));
}

const MockAgent::Call* MockAgent::find(CallId id) const {
  const auto index = static_cast<std::uint32_t>(id);
  const auto generation = static_cast<std::uint32_t>(id >> kIndexBits);
  if (index >= calls_.size()) return nullptr;
  const Call& c = calls_[index];
  if (c.phase == Phase::kFree || c.generation != generation) return nullptr;
  return &c;
}

std::optional<sim::Time> MockAgent::end_bound(CallId id) const {
  const Call* c = find(id);
  if (c == nullptr || c->phase == Phase::kQueued || c->hung) return std::nullopt;
  // In service or being rejected: its end is scheduled. Only an outage that
  // hangs calls, starting before that end, could stop it from coming (one
  // that fails calls only brings the end forward).
  for (const FaultWindow& w : config_.faults) {
    if (w.kind == FaultWindow::Kind::kOutageHang && w.start >= sim_.now() &&
        w.start <= c->ends_at) {
      return std::nullopt;
    }
  }
  return c->ends_at;
}

void MockAgent::draw(const CallRequest& r, Draws& d) const {
  // The fixed order of draws is part of the model: changing it changes every
  // result (tests pin it).
  const auto request_low = static_cast<std::uint32_t>(r.request_id);
  const auto request_high = static_cast<std::uint32_t>(r.request_id >> 32);
  const sim::StreamFamily family =
      r.scope != 0        ? rng_.family("call", name_key_, request_high, r.scope)
      : request_high == 0 ? call_streams_
                          : rng_.family("call", name_key_, request_high);
  sim::RandomStream s = family.stream(request_low, r.attempt, r.variant);
  d.outcome_u = s.uniform01();
  d.degraded_error_u = s.uniform01();
  d.quality_z = s.standard_normal();
  d.silent_quality_u = s.uniform01();
  d.verdict_u = s.uniform01();
  d.label = label_distribution_ ? static_cast<std::uint32_t>(label_distribution_->sample(s)) : 0;
  const double output_tokens = config_.tokens.output_tokens.sample(s);
  d.output_tokens =
      sim::drawn_count(r.output_scale == 1.0 ? output_tokens : output_tokens * r.output_scale);
  d.base_latency_ms = std::max(0.0, config_.latency.base_ms.sample(s));
  d.confidence_z = s.standard_normal();
  d.time_to_first_token_ms = std::max(0.0, config_.latency.time_to_first_token_ms.sample(s));
  d.inter_token_ms = std::max(0.0, config_.latency.inter_token_ms.sample(s));
  // After the draw, not instead of it: the stream stays where it would be.
  if (config_.tokens.output_tokens_from_request && r.output_tokens >= 0) {
    d.output_tokens = r.output_tokens;
  }
}

CallId MockAgent::submit(const CallRequest& request, CallListener& listener, std::uint64_t tag) {
  const std::uint32_t index = allocate_call();
  Call& c = calls_[index];
  c.request = request;
  c.listener = &listener;
  c.tag = tag;
  c.hung = false;
  draw(request, c.draws);
  c.outcome = CallOutcome{};
  c.outcome.submitted = sim_.now();
  ++stats_.submitted;
  const CallId id = make_id(index, c.generation);

  sim::Duration retry_after = sim::Duration::zero();
  if (const auto error = admission_error(request, c.draws, retry_after)) {
    reject(index, *error, retry_after);
    return id;
  }
  if (config_.bulkhead_per_caller > 0) ++per_caller_active_[request.caller];
  if (busy_ < config_.servers) {
    start_service(index);
  } else {
    c.phase = Phase::kQueued;
    queue_.push_back(index);
    ++queued_live_;
    stats_.max_queue_length = std::max(stats_.max_queue_length, queued_live_);
  }
  return id;
}

std::optional<ErrorKind> MockAgent::admission_error(const CallRequest& r, const Draws& d,
                                                    sim::Duration& retry_after) {
  const sim::Time now = sim_.now();
  if (const FaultWindow* w = fault_at(now); w && w->kind == FaultWindow::Kind::kOutageFail) {
    return ErrorKind::kUnavailable;
  }
  if (r.input_tokens > config_.context_window_tokens) return ErrorKind::kContextOverflow;
  if (config_.bulkhead_per_caller > 0) {
    if (r.caller >= per_caller_active_.size()) per_caller_active_.resize(r.caller + 1, 0);
    if (per_caller_active_[r.caller] >= config_.bulkhead_per_caller) return ErrorKind::kOverloaded;
  }
  if (busy_ >= config_.servers && config_.queue_capacity >= 0 &&
      queued_live_ >= static_cast<std::uint64_t>(config_.queue_capacity)) {
    return ErrorKind::kOverloaded;
  }
  // Both buckets must admit; take from neither unless both do.
  const std::int64_t tokens = r.input_tokens + d.output_tokens;
  sim::Duration wait = sim::Duration::zero();
  if (request_bucket_) wait = std::max(wait, request_bucket_->wait_for(now, 1));
  if (token_bucket_) wait = std::max(wait, token_bucket_->wait_for(now, tokens));
  if (wait > sim::Duration::zero()) {
    retry_after = wait;
    return ErrorKind::kRateLimited;
  }
  if (request_bucket_) request_bucket_->take(now, 1);
  if (token_bucket_) token_bucket_->take(now, tokens);
  return std::nullopt;
}

void MockAgent::reject(std::uint32_t index, ErrorKind kind, sim::Duration retry_after) {
  Call& c = calls_[index];
  c.phase = Phase::kRejecting;
  c.outcome.status = CallStatus::kError;
  c.outcome.error = kind;
  c.outcome.retry_after = retry_after;
  c.outcome.service_started = sim_.now();
  ++stats_.errors_by_kind[static_cast<int>(kind)];
  // Delivered as an event so the caller never sees a re-entrant callback.
  c.ends_at = sim_.now();
  c.event = sim_.schedule_after(sim::Duration::zero(), [this, index] { finish(index); });
}

void MockAgent::account_busy() {
  const sim::Time now = sim_.now();
  stats_.busy_server_time += (now - busy_since_) * static_cast<std::int64_t>(busy_);
  busy_since_ = now;
}

const AgentStats& MockAgent::stats() {
  account_busy();
  return stats_;
}

double MockAgent::cost_of(std::int64_t input_tokens, std::int64_t output_tokens) const {
  return static_cast<double>(input_tokens) * 1e-3 * config_.tokens.usd_per_1k_input_tokens +
         static_cast<double>(output_tokens) * 1e-3 * config_.tokens.usd_per_1k_output_tokens;
}

void MockAgent::start_service(std::uint32_t index) {
  account_busy();
  ++busy_;
  ++stats_.served;
  Call& c = calls_[index];
  c.phase = Phase::kInService;
  const sim::Time now = sim_.now();
  c.outcome.service_started = now;
  stats_.total_queue_wait += now - c.outcome.submitted;

  const LatencyModel& lat = config_.latency;
  const Draws& d = c.draws;
  // The part before the first output token, then the decode term. Summed in
  // this order so that agents without a per-call inter-token time give the
  // same doubles as before it existed.
  double first_ms = d.base_latency_ms + d.time_to_first_token_ms +
                    lat.prefill_ms_per_input_token * static_cast<double>(c.request.input_tokens);
  double ms = first_ms;
  if (lat.output_tokens_per_second > 0.0) {
    ms += 1e3 * static_cast<double>(d.output_tokens) / lat.output_tokens_per_second;
  }
  if (d.inter_token_ms > 0.0) ms += static_cast<double>(d.output_tokens) * d.inter_token_ms;
  if (lat.slowdown_alpha > 0.0) {
    const double u = static_cast<double>(busy_) / static_cast<double>(config_.servers);
    const double factor = 1.0 + lat.slowdown_alpha * std::pow(u, lat.slowdown_beta);
    ms *= factor;
    first_ms *= factor;
  }
  const FaultWindow* fault = fault_at(now);
  if (fault && fault->kind == FaultWindow::Kind::kDegraded) {
    ms *= fault->latency_factor;
    first_ms *= fault->latency_factor;
  }
  c.service_time = sim::Duration::from_milliseconds(ms);
  // Never after the end (rounding of two separately rounded durations). An
  // agent that streams no tokens (no decode term) has its first token at
  // the end: the same double, so the same duration, without rounding again.
  const sim::Duration to_first_token =
      first_ms == ms ? c.service_time
                     : std::min(sim::Duration::from_milliseconds(first_ms), c.service_time);

  // Outcome: one uniform against the cumulative rates, in a fixed order.
  const OutcomeRates& r = config_.outcomes;
  ErrorKind error = ErrorKind::kNone;
  bool hang = false, silent = false;
  double u = d.outcome_u;
  if ((u -= r.transient_error) < 0) {
    error = ErrorKind::kTransient;
  } else if ((u -= r.permanent_error) < 0) {
    error = ErrorKind::kPermanent;
  } else if ((u -= r.rate_limited) < 0) {
    error = ErrorKind::kRateLimited;
  } else if ((u -= r.hang) < 0) {
    hang = true;
  } else if ((u -= r.silent_failure) < 0) {
    silent = true;
  }
  if (error == ErrorKind::kNone && !hang && fault && fault->kind == FaultWindow::Kind::kDegraded &&
      d.degraded_error_u < fault->extra_error_rate) {
    error = ErrorKind::kTransient;
    silent = false;
  }
  if (fault && fault->kind == FaultWindow::Kind::kOutageHang) hang = true;
  if (fault && fault->kind == FaultWindow::Kind::kOutageFail) {
    error = ErrorKind::kUnavailable;  // queued before the outage, served during it
    hang = false;
  }

  if (hang) {
    c.hung = true;
    ++stats_.hangs;
    return;  // only the caller's cancel() ends it
  }
  sim::Duration delay = c.service_time;
  if (error != ErrorKind::kNone) {
    c.outcome.status = CallStatus::kError;
    c.outcome.error = error;
    if (error == ErrorKind::kRateLimited) c.outcome.retry_after = r.spontaneous_retry_after;
    delay = error == ErrorKind::kUnavailable ? sim::Duration::zero()
                                             : sim::scale(c.service_time, r.error_latency_fraction);
  } else {
    c.outcome.silent = silent;
    c.outcome.first_token = now + to_first_token;
    fill_success(c);
  }
  c.ends_at = sim_.now() + delay;
  c.event = sim_.schedule_after(delay, [this, index] { finish(index); });
}

void MockAgent::fill_success(Call& c) {
  const Draws& d = c.draws;
  const CallRequest& r = c.request;
  CallOutcome& o = c.outcome;
  o.status = CallStatus::kSuccess;
  const double m = quality_mean(config_.quality, r.difficulty, r.input_quality, r.context_retained);
  const double nominal = quality_with_noise(config_.quality, m, d.quality_z);
  // A silent failure reports the confidence a good answer would have had:
  // that is what makes it silent.
  o.quality = o.silent ? d.silent_quality_u * config_.quality.silent_quality_max : nominal;
  o.confidence =
      std::clamp(nominal + config_.quality.confidence_noise_sd * d.confidence_z, 0.0, 1.0);
  o.label = d.label;
  if (config_.judge.enabled) {
    const bool truth = r.judged_quality >= config_.judge.pass_threshold;
    o.verdict_pass = d.verdict_u < config_.judge.accuracy ? truth : !truth;
  }
  o.input_tokens = r.input_tokens;
  o.output_tokens = d.output_tokens;
  o.cost_usd = cost_of(o.input_tokens, o.output_tokens);
}

void MockAgent::finish(std::uint32_t index) {
  Call& c = calls_[index];
  const bool served = c.phase == Phase::kInService;
  c.outcome.finished = sim_.now();
  if (c.outcome.status != CallStatus::kSuccess) c.outcome.first_token = c.outcome.finished;
  const CallOutcome outcome = c.outcome;
  CallListener* listener = c.listener;
  const std::uint64_t tag = c.tag;
  const CallId id = make_id(index, c.generation);
  if (served) {
    account_busy();
    --busy_;
    if (outcome.status == CallStatus::kSuccess) {
      ++stats_.succeeded;
      if (outcome.silent) ++stats_.silent_failures;
      stats_.input_tokens += outcome.input_tokens;
      stats_.output_tokens += outcome.output_tokens;
      stats_.cost_usd += outcome.cost_usd;
    } else {
      ++stats_.errors_by_kind[static_cast<int>(outcome.error)];
    }
  }
  release_call(index);
  // Hand the freed server to the next waiting call before telling the caller,
  // so a retry submitted from the callback queues behind it (FIFO).
  if (served) start_next_queued();
  listener->on_call_finished(id, tag, outcome);
}

void MockAgent::start_next_queued() {
  while (busy_ < config_.servers && !queue_.empty()) {
    const std::uint32_t index = queue_.front();
    queue_.pop_front();
    Call& c = calls_[index];
    if (c.phase != Phase::kQueued) continue;  // cancelled while waiting (lazy removal)
    --queued_live_;
    start_service(index);
  }
}

Agent::Cancellation MockAgent::cancel(CallId id) {
  Cancellation result;
  Call* c = find(id);
  if (c == nullptr) return result;
  const auto index = static_cast<std::uint32_t>(id);
  result.was_active = true;
  switch (c->phase) {
    case Phase::kRejecting:
      sim_.cancel(c->event);
      break;
    case Phase::kQueued:
      --queued_live_;
      ++stats_.cancelled_queued;
      result.queue_wait = sim_.now() - c->outcome.submitted;
      break;  // its queue entry is skipped lazily
    case Phase::kInService: {
      result.was_in_service = true;
      ++stats_.cancelled_in_service;
      result.queue_wait = c->outcome.service_started - c->outcome.submitted;
      if (!c->hung) sim_.cancel(c->event);
      // Billing: the prompt was processed; output is billed pro rata to the
      // share of the planned service time that elapsed (a hang produces none).
      const sim::Duration elapsed = sim_.now() - c->outcome.service_started;
      result.input_tokens = c->request.input_tokens;
      if (!c->hung && c->service_time > sim::Duration::zero()) {
        const double share = std::min(1.0, elapsed.seconds_f() / c->service_time.seconds_f());
        result.output_tokens = static_cast<std::int64_t>(
            std::floor(share * static_cast<double>(c->draws.output_tokens)));
      }
      result.cost_usd = cost_of(result.input_tokens, result.output_tokens);
      stats_.input_tokens += result.input_tokens;
      stats_.output_tokens += result.output_tokens;
      stats_.cost_usd += result.cost_usd;
      account_busy();
      --busy_;
      break;
    }
    case Phase::kFree:
      return Cancellation{};
  }
  const bool freed_server = result.was_in_service;
  release_call(index);
  if (freed_server) start_next_queued();
  return result;
}

void MockAgent::on_fault_start(const FaultWindow& window) {
  // Calls in service when an outage begins: they fail now, or stop answering.
  for (std::uint32_t i = 0; i < calls_.size(); ++i) {
    Call& c = calls_[i];
    if (c.phase != Phase::kInService || c.hung) continue;
    sim_.cancel(c.event);
    if (window.kind == FaultWindow::Kind::kOutageHang) {
      c.hung = true;
      ++stats_.hangs;
      continue;
    }
    CallOutcome failed;
    failed.status = CallStatus::kError;
    failed.error = ErrorKind::kUnavailable;
    failed.submitted = c.outcome.submitted;
    failed.service_started = c.outcome.service_started;
    c.outcome = failed;
    c.ends_at = sim_.now();
    c.event = sim_.schedule_after(sim::Duration::zero(), [this, i] { finish(i); });
  }
}

double MockAgent::rate_limit_headroom(sim::Time now) const {
  double headroom = 1.0;
  if (request_bucket_) headroom = std::min(headroom, request_bucket_->fill(now));
  if (token_bucket_) headroom = std::min(headroom, token_bucket_->fill(now));
  return headroom;
}

}  // namespace orchsim::mock_agents
