// The interface between the orchestrator and the agents it routes to.
//
// The orchestrator never sees a concrete agent: it submits a CallRequest and
// is told the CallOutcome through a CallListener, exactly once per accepted
// call, unless it cancels the call first (then never). MockAgent implements
// this interface; a replay or remote agent could too.
//
//   CallId id = agent.submit(request, listener, /*tag=*/step_index);
//   ...
//   agent.cancel(id);   // a timeout fired or a hedge won: frees the server
//
// All times are simulated; nothing here blocks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace orchsim::mock_agents {

// How a call ended, as the caller sees it.
enum class CallStatus : std::uint8_t {
  kSuccess,  // an answer arrived (it may still be a silent failure: see CallOutcome::silent)
  kError,    // an explicit error of kind CallOutcome::error
};

// Explicit errors, as real providers report them.
enum class ErrorKind : std::uint8_t {
  kNone,
  kTransient,        // 5xx-like; retrying may help
  kRateLimited,      // 429; retry no sooner than retry_after
  kPermanent,        // 4xx-like; retrying will not help
  kContextOverflow,  // the input exceeds the agent's context window
  kOverloaded,       // the queue or a bulkhead was full: rejected without service
  kUnavailable,      // an outage window: the agent is down
};
inline constexpr sim::EnumName<ErrorKind> kErrorKindNames[] = {
    {ErrorKind::kNone, "none", "no error", /*configurable=*/false},
    {ErrorKind::kTransient, "transient", "5xx-like; retrying may help"},
    {ErrorKind::kRateLimited, "rate_limited", "429; retry no sooner than retry-after"},
    {ErrorKind::kPermanent, "permanent", "4xx-like; retrying will not help"},
    {ErrorKind::kContextOverflow, "context_overflow", "the input exceeds the context window"},
    {ErrorKind::kOverloaded, "overloaded", "the queue or a bulkhead was full"},
    {ErrorKind::kUnavailable, "unavailable", "an outage window: the agent is down"},
};
std::string_view to_string(ErrorKind kind);
// Whether a retry of the same call can succeed (transient, rate limited,
// overloaded, unavailable); permanent errors and context overflow are not.
bool is_retryable(ErrorKind kind);

using CallId = std::uint64_t;

// What the caller asks of an agent. The identity fields key every random draw
// about the call (common random numbers): the same (request_id, attempt,
// variant) meets the same latency, outcome, quality and tokens under any
// routing policy and in any arrival order.
struct CallRequest {
  std::uint64_t request_id = 0;  // the workload request this call serves
  std::uint32_t attempt = 0;     // 0 for the first call of a step; retries and hedges count up
  std::uint32_t variant = 0;     // e.g. a different retrieval configuration on a re-try
  std::uint32_t caller = 0;      // who calls (for per-caller bulkheads)
  std::int64_t input_tokens = 0;
  double difficulty = 0.5;        // of the request, in [0, 1]
  double input_quality = 1.0;     // quality of what this step was given (e.g. retrieval), [0, 1]
  double context_retained = 1.0;  // share of the needed context that survived fitting, [0, 1]
  double judged_quality = 0.0;    // for judges and critics: the true quality of what they judge
  // The request's own output-token count (a replayed production trace), or
  // -1 when it has none. Used only by agents with
  // TokenModel::output_tokens_from_request.
  std::int64_t output_tokens = -1;
};

// What came back. Token counts and cost include work done before a
// cancellation (reported through CallListener::on_call_cancelled instead).
struct CallOutcome {
  CallStatus status = CallStatus::kSuccess;
  ErrorKind error = ErrorKind::kNone;
  // Ground truth, invisible to a real orchestrator: the agent reported success
  // but the output is empty or poor. Validators and critics try to detect it.
  bool silent = false;
  double quality = 0.0;  // in [0, 1]; 0 for errors (ground truth)
  // What the agent reports about its own output (a retrieval score, a model's
  // self-reported confidence): the quality it would have had without a silent
  // failure, plus noise. This, not `quality`, is what an orchestrator sees.
  double confidence = 0.0;
  std::uint32_t label = 0;         // output class (index into the agent's labels), if it has any
  bool verdict_pass = false;       // for judges: the (noisy) verdict on judged_quality
  std::int64_t input_tokens = 0;   // billed
  std::int64_t output_tokens = 0;  // billed
  double cost_usd = 0.0;
  sim::Duration retry_after = sim::Duration::zero();  // for kRateLimited
  sim::Time submitted;
  sim::Time service_started;  // == finished for calls rejected without service
  // When the first output token arrived (what llmperf and OpenTelemetry call
  // time to first token, counted from `submitted`): for a successful call,
  // service_started + the pre-decode part of its service time; for any
  // other outcome, == finished.
  sim::Time first_token;
  sim::Time finished;
  sim::Duration queue_wait() const { return service_started - submitted; }
};

// Receives the end of each call. `tag` is whatever the caller passed to
// submit(), so a listener can find its own state without a lookup.
class CallListener {
 public:
  virtual ~CallListener() = default;
  virtual void on_call_finished(CallId id, std::uint64_t tag, const CallOutcome& outcome) = 0;
};

class Agent {
 public:
  virtual ~Agent() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view role() const = 0;
  virtual std::int64_t context_window_tokens() const = 0;

  // Submits a call. The listener is told the outcome exactly once, at the
  // simulated time the call ends, unless cancel() is called first. Rejections
  // (overloaded, rate limited, context overflow, unavailable) are reported too,
  // through the listener, at the current instant. Never synchronously from
  // submit(), and never from an event at sim::kPriorityLate: that priority
  // belongs to the caller's timeouts, so a reply due at a timeout's instant
  // wins, and the caller may arm its timeout before or after submit() alike.
  virtual CallId submit(const CallRequest& request, CallListener& listener, std::uint64_t tag) = 0;

  // A time by which the call is certain to have ended (its outcome delivered),
  // when that is already fixed: for a call in service whose end is scheduled
  // and that nothing scheduled can make hang. nullopt when it is not known
  // (queued, hung, an outage that hangs calls may start first, or an agent
  // that does not say). Asked right after submit(), before anything else
  // runs; a caller may then skip arming a timeout at or after this time: the
  // reply would always come first.
  virtual std::optional<sim::Time> end_bound(CallId) const { return std::nullopt; }

  // Abandons a call: frees its server or queue slot. Returns the tokens and
  // cost spent so far (billed), or nullopt-like zero outcome if the call had
  // already ended. A hang ends only this way.
  struct Cancellation {
    bool was_active = false;
    bool was_in_service = false;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    double cost_usd = 0.0;
    // Time the call waited for a server: until its service started, or until
    // now if it was still queued (zero when it never queued).
    sim::Duration queue_wait = sim::Duration::zero();
  };
  virtual Cancellation cancel(CallId id) = 0;

  // Load signals a router may read (what a real load balancer can observe).
  virtual std::uint32_t in_service() const = 0;
  virtual std::uint32_t queued() const = 0;
  virtual std::uint32_t servers() const = 0;
  // Published facts a router may read: prices, and the share of its rate
  // limits' buckets available at `now` (the smallest, in [0, 1]; 1 when it
  // has none, or does not say).
  virtual double usd_per_1k_input_tokens() const { return 0.0; }
  virtual double usd_per_1k_output_tokens() const { return 0.0; }
  virtual double rate_limit_headroom(sim::Time /*now*/) const { return 1.0; }
};

}  // namespace orchsim::mock_agents
