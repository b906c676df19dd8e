// Runs observers on a worker thread. The simulation's thread only copies each
// event into a batch (with what its views point to); the worker replays the
// batches, in order, to the observers added. An observer that does real work
// per event of every request (the request log and the decision log: a lookup
// and a record per event) then runs beside the simulation on a second core,
// and sees the events it would have seen inline: the same events, in the
// same order, so it writes the same bytes.
//
//   ObserverThread worker;
//   worker.add(&request_log);
//   worker.add(&decision_log);
//   observers.add(&worker);   // the list the orchestrator calls
//   ... run ...
//   worker.finish();          // every event replayed (rethrows an observer's exception)
//   request_log.write(...);   // only now may the observers be read
//
// What an observer on the worker sees differently:
//  - Views (outcomes, the policy's name, the candidates, a reason's text)
//    point into the batch: valid during the call, as they are inline.
//  - A reason that views strings (a text, or a format with string values)
//    arrives as its text; a format with numbers only arrives as it was.
//    Either way Reason::text() is the same.
//  - RoutingDecision::context is null: the context lives in the simulation's
//    thread. add() refuses an observer of routing decisions that
//    reads_decision_context().
//
// Costs the simulation's thread one copy per event of the kinds an added
// observer handles (found as ObserverList finds them: from a final class's
// overrides), and a streaming copy of each full batch. At most 32 batches
// of 256 KiB wait for the worker (enough to ride out its bursts:
// observer_thread.cpp); past that the simulation waits. Add every observer
// before the run. One simulation thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::eval {

class ObserverThread final : public orchestration::Observer {
 public:
  ObserverThread();
  ~ObserverThread() override;  // stops the worker after the batches already sent
  ObserverThread(const ObserverThread&) = delete;
  ObserverThread& operator=(const ObserverThread&) = delete;

  template <class T>
  void add(T* o) {
    static_assert(std::is_base_of_v<orchestration::Observer, T>);
    constexpr bool routes =
        !std::is_final_v<T> || !std::is_same_v<decltype(&T::on_routing_decision),
                                               decltype(&Observer::on_routing_decision)>;
    if (routes && o->reads_decision_context()) {
      throw std::invalid_argument(
          "ObserverThread::add: this observer reads decision contexts, which exist only on the "
          "simulation's thread; attach it to the run directly");
    }
    observers_.add(o);
    ++added_;
    for (std::size_t k = 0; k < orchestration::kEventKinds; ++k) {
      handles_[k] = observers_.handles(static_cast<orchestration::EventKind>(k));
    }
  }

  bool empty() const { return added_ == 0; }

  // Sends what is left, waits until the worker has replayed every event,
  // and ends it. Rethrows what an observer threw. Idempotent; no event may
  // come after it.
  void finish();

  bool wants_explanations() const override { return observers_.wants_explanations(); }
  bool reads_decision_context() const override { return false; }
  void on_request_arrived(const orchestration::RequestArrived& e) override;
  void on_request_finished(const orchestration::RequestFinished& e) override;
  void on_call_started(const orchestration::CallStarted& e) override;
  void on_call_ended(const orchestration::CallEnded& e) override;
  void on_routing_decision(const orchestration::RoutingDecision& e) override;
  void on_node_entered(const orchestration::NodeEntered& e) override;
  void on_flow_decision(const orchestration::FlowDecision& e) override;
  void on_retry_scheduled(const orchestration::RetryScheduled& e) override;
  void on_hedge_launched(const orchestration::HedgeLaunched& e) override;
  void on_breaker_changed(const orchestration::BreakerChanged& e) override;
  void on_context_fitted(const orchestration::ContextFitted& e) override;
  void on_budget_exhausted(const orchestration::BudgetExhausted& e) override;
  void on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) override;
  void on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) override;

  // A batch tags each event with its kind (its words: see observer_thread.cpp).
  using Kind = orchestration::EventKind;

 private:
  struct Worker;  // the pipe and its thread (observer_thread.cpp)

  // Appends the event's bytes; what its views point to is appended after.
  template <class E>
  void append(Kind kind, const E& e);
  template <class E>
  void record(Kind kind, const E& e);  // append() an event of a kind handled, then maybe send
  void append_word(std::uint64_t w);
  void append_bytes(const void* data, std::size_t bytes);  // [bytes] [them]
  void append_reason(const orchestration::Reason& reason);
  void reserve(std::size_t words);  // room for `words` more in batch_
  void send_if_full();
  void send();

  bool handles(Kind kind) const { return handles_[static_cast<std::size_t>(kind)]; }

  std::array<bool, orchestration::kEventKinds> handles_{};  // by Kind: an observer added handles it
  orchestration::ObserverList observers_;                   // read by the worker only, once running
  // The batch being filled, words [0, used_): only this thread touches it.
  std::vector<std::uint64_t> batch_;
  std::size_t used_ = 0;
  // The buffer send() copies the batch into, the one that crosses to the worker.
  std::vector<std::uint64_t> outgoing_;
  std::string text_;  // scratch for a reason's text
  std::unique_ptr<Worker> worker_;
  std::size_t added_ = 0;
  bool finished_ = false;
};

}  // namespace orchsim::eval
