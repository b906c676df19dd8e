// The choreography engine: runs a Choreography (choreography.hpp) on the mock
// agents, with no central controller. Events carry each request's payload
// from subscriber to subscriber; each subscriber only knows its own call.
//
//   Choreographer c(sim, rng, choreography, agents);
//   c.set_observer(&metrics);                       // the orchestrator's events
//   c.submit(RequestInput{.id = 0, .input_tokens = 300});
//   sim.run();
//   c.completed() + c.failed() + c.in_flight() == c.arrived();
//
// Semantics (docs/choreography.md):
//  - An arrival publishes "request"; each delivery to a subscription (that
//    its filter and idempotence let through) starts a handler that calls the
//    subscriber's agent. A success publishes the subscription's topic (a
//    judge: `publish` on a pass, `publish_on_reject` on a fail).
//  - A handler's local timeout does not cancel its call: it stops waiting
//    and retries (redelivery). The first call still publishes if it succeeds.
//  - A request completes when a `completes_on` topic is first published.
//    Nothing tells the subscribers: work in flight for it goes on, and every
//    call that ends after it, or publishes a topic already published for the
//    request, is marked redundant (CallEnded::redundant).
//  - At its deadline (carried in every event) the request's calls and
//    retries are dropped. A request that has not completed then ends as
//    "stuck" when no work was left for it (a subscriber gave up and nobody
//    knew), or "deadline_exceeded" when work was still in flight. With no
//    deadline, a stuck request ends when its last work does.
//  - Call draws are keyed as the orchestrator keys them, by the
//    subscription's stream node and visit (Subscription::stream_node).
// Events: RequestArrived, CallStarted, CallEnded, RetryScheduled,
// BudgetExhausted (deadline), RequestFinished; node = subscription index in
// Choreography::as_workflow().
//
// Cost: a map lookup per event. Not thread-safe: one per simulation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/choreography.hpp"
#include "orchestration/events.hpp"
#include "orchestration/orchestrator.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::orchestration {

class Choreographer final : public mock_agents::CallListener {
 public:
  // `choreography` must validate; throws std::invalid_argument otherwise.
  // It and `agents` are borrowed and must outlive this.
  Choreographer(sim::Simulation& sim, const sim::RandomSource& rng,
                const Choreography& choreography, std::vector<mock_agents::Agent*> agents);
  ~Choreographer() override;
  Choreographer(const Choreographer&) = delete;
  Choreographer& operator=(const Choreographer&) = delete;

  void set_observer(Observer* observer) { observer_ = observer; }
  void submit(const RequestInput& request);

  std::uint64_t arrived() const { return arrived_; }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t stuck() const { return stuck_; }
  std::uint64_t in_flight() const { return arrived_ - completed_ - failed_; }
  // Calls in flight and retries waiting, of every request, ended or not.
  std::uint64_t work_in_flight() const { return work_; }

  void on_call_finished(mock_agents::CallId id, std::uint64_t tag,
                        const mock_agents::CallOutcome& outcome) override;

 private:
  struct Payload;
  struct Request;
  struct Handler;
  struct Call;

  void publish(RequestId id, std::uint32_t topic, const Payload& payload);
  void deliver(RequestId id, std::uint32_t sub, const Payload& payload);
  void launch(std::uint64_t handler, AttemptKind kind);
  void retry_or_give_up(std::uint64_t handler, CallEnd after, ErrorKind error,
                        sim::Duration retry_after);
  void on_local_timeout(std::uint64_t tag);
  void on_deadline(RequestId id);
  void finish(Request& r, bool success, std::string_view outcome, const Payload* answer);
  void end_call(std::uint64_t tag, CallEnd end, const mock_agents::CallOutcome* o,
                const mock_agents::Agent::Cancellation* cancelled);
  void work_done(RequestId id);

  sim::Simulation& sim_;
  const sim::RandomSource& rng_;
  const Choreography& choreography_;
  std::vector<mock_agents::Agent*> agents_;
  Observer* observer_ = nullptr;
  // Topics by name (sorted: ids do not depend on the file's order of first use).
  std::map<std::string, std::uint32_t> topic_ids_;
  std::vector<std::vector<std::uint32_t>> subscribers_;  // by topic, in subscription order
  std::vector<bool> completes_;                          // by topic
  std::vector<std::uint32_t> publish_, reject_;          // by subscription; kNoTopic
  std::uint32_t request_topic_ = 0;
  // Looked up by id only, never iterated.
  std::map<RequestId, Request> requests_;
  std::map<std::uint64_t, Handler> handlers_;
  std::map<std::uint64_t, Call> calls_;
  std::uint64_t next_handler_ = 1, next_call_ = 1;
  std::uint64_t arrived_ = 0, completed_ = 0, failed_ = 0, stuck_ = 0, work_ = 0;
};

}  // namespace orchsim::orchestration
