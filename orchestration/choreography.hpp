// Choreography: the same agents without an orchestrator, the baseline that
// orchestration is defined against (docs/choreography.md).
//
// Each subscription makes one agent react to one event topic: when the topic
// is published for a request, the agent is called with the event's payload
// (the evidence, the answer and the context so far), under the
// subscription's own timeout and retries; a success publishes the
// subscription's topic. The request's arrival publishes the built-in topic
// "request"; the request completes when one of `completes_on` is published.
// Nobody keeps the request's state: when a subscriber gives up, nothing else
// knows, and the request is stuck without an owner.
//
//   Choreography c;
//   c.subscriptions = {{.agent = 0, .on = "request", .publish = "retrieved"},
//                      {.agent = 1, .on = "retrieved", .publish = "answer"}};
//   c.completes_on = {"answer"};
//   for (const auto& [sub, what] : c.validate(agents)) ...   // empty: runnable
//
// Topics form a graph (a subscription is an edge from `on` to what it
// publishes); validate() refuses cycles, so every request's work is finite.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "orchestration/workflow.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration {

// The topic every request publishes when it arrives.
inline constexpr const char* kRequestTopic = "request";

// Which deliveries a subscriber acts on: a local decision on the event's
// payload (the confidence of the output that published it).
enum class DeliveryFilter : std::uint8_t { kAlways, kConfidenceBelow, kConfidenceAtLeast };
inline constexpr sim::EnumName<DeliveryFilter> kDeliveryFilterNames[] = {
    {DeliveryFilter::kAlways, "always", "every delivery"},
    {DeliveryFilter::kConfidenceBelow, "confidence_below",
     "only when the event's confidence is below `threshold`"},
    {DeliveryFilter::kConfidenceAtLeast, "confidence_at_least",
     "only when the event's confidence is at least `threshold`"},
};

struct Subscription {
  std::string name;  // for reports; the loader makes "<agent>@<on>" when absent
  AgentIndex agent = 0;
  std::string on;                 // the topic it reacts to
  std::string publish;            // published on success (a judge: on a pass verdict)
  std::string publish_on_reject;  // a judge's fail verdict publishes this; empty: nothing
  DeliveryFilter when = DeliveryFilter::kAlways;
  double threshold = 0.5;  // for the confidence filters
  // The subscriber's local limit per attempt: past it, it stops waiting and
  // redelivers (a retry) as a message broker's ack timeout does; the first
  // call is NOT cancelled and still publishes if it succeeds. Zero: none.
  sim::Duration timeout = sim::Duration::zero();
  // Local retries, as a call node's (max_attempts, retry_on,
  // retry_on_timeout, backoff, honour_retry_after, or ordered `rules`);
  // retry_on_invalid does not apply (there is no validator).
  RetryConfig retry;
  // Act on each request at most once (an idempotent consumer): later
  // deliveries of the topic for the same request are dropped.
  bool idempotent = false;
  // Quality flow, as a call node's.
  QualityChannel input = QualityChannel::kEvidence;
  QualityChannel output = QualityChannel::kAnswer;
  bool judges_answer = false;
  bool output_to_context = true;
  double output_tokens_factor = 1.0;
  // The call-stream address (common random numbers): a subscription with
  // stream_node N and stream_visit k meets the draws a workflow's node N
  // meets on its k-th visit. -1: the subscription's index.
  std::int32_t stream_node = -1;
  std::uint32_t stream_visit = 1;
};

struct Choreography {
  std::vector<Subscription> subscriptions;
  std::vector<std::string> completes_on;
  std::int64_t system_prompt_tokens = 0;  // context every request starts with

  // Every problem as (subscription index or -1 for the whole, key, message);
  // empty = runnable. Checks agents, topics nobody publishes, topics nobody
  // subscribes to that complete nothing, completion topics nobody publishes,
  // reject topics on subscriptions that judge nothing, and cycles.
  struct Problem {
    int subscription = -1;
    std::string key;
    std::string message;
  };
  std::vector<Problem> validate(std::size_t agent_count) const;

  // A workflow with one call node per subscription (same index, its name,
  // its agent) and a terminal "completed": what observers (metrics, traces,
  // logs) name the calls by. It is never executed.
  Workflow as_workflow() const;
};

}  // namespace orchsim::orchestration
