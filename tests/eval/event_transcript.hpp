// An observer that writes down every event it gets, every field but the
// decision context, one line each, and counts them by kind: two transcripts
// are equal when their observers saw the same events.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <utility>

#include "eval/observer_thread.hpp"
#include "orchestration/events.hpp"

namespace orchsim::eval::test_support {

// The decision context is a pointer into the simulation's thread: left out.
class Transcript final : public orchestration::Observer {
 public:
  bool wants_explanations() const override { return true; }
  bool reads_decision_context() const override { return false; }

  void on_request_arrived(const orchestration::RequestArrived& e) override {
    line(orchestration::EventKind::kRequestArrived, "arrived {} {} {} {} {}", e.at.count_ns(),
         e.request, e.class_index, e.input_tokens, e.deadline.count_ns());
  }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    line(orchestration::EventKind::kRequestFinished,
         "finished {} {} {} {} '{}' {} {} {} {} {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.class_index, e.success, e.outcome, e.latency.count_ns(), e.quality,
         e.answer_silent_failure, e.cost_usd, e.input_tokens, e.output_tokens, e.calls, e.retries,
         e.hedges, e.timeouts, e.fallbacks, e.redirects);
  }
  void on_call_started(const orchestration::CallStarted& e) override {
    line(orchestration::EventKind::kCallStarted, "call {} {} {} {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.agent, e.attempt, e.call, static_cast<int>(e.kind),
         e.input_tokens, e.decision, e.flow, e.invocation);
  }
  void on_call_ended(const orchestration::CallEnded& e) override {
    line(orchestration::EventKind::kCallEnded,
         "ended {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.agent, e.attempt, e.call, static_cast<int>(e.kind),
         static_cast<int>(e.end), static_cast<int>(e.error), e.started.count_ns(),
         e.duration.count_ns(), e.queue_wait.count_ns(), e.input_tokens, e.output_tokens,
         e.cost_usd, e.quality, e.confidence, e.silent, e.decision, e.flow, e.invocation,
         e.redundant, e.caught_silent);
  }
  void on_routing_decision(const orchestration::RoutingDecision& e) override {
    std::string candidates;
    if (e.candidates != nullptr) {
      for (const orchestration::RoutingCandidate& c : *e.candidates) {
        candidates += fmt::format("[{} {} {}]", c.agent, c.score, c.eligible);
      }
    }
    line(orchestration::EventKind::kRoutingDecision, "route {} {} {} '{}' {} {} '{}' {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.policy, candidates, e.choice, e.reason.text(), e.id,
         e.probability, static_cast<int>(e.kind), e.visit);
  }
  void on_node_entered(const orchestration::NodeEntered& e) override {
    line(orchestration::EventKind::kNodeEntered, "enter {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.from, e.to, e.flow, e.invocation);
  }
  void on_flow_decision(const orchestration::FlowDecision& e) override {
    line(orchestration::EventKind::kFlowDecision, "flow {} {} {} {} '{}' {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.next, e.reason.text(), e.flow, e.invocation,
         e.first_branch, e.branches);
  }
  void on_retry_scheduled(const orchestration::RetryScheduled& e) override {
    line(orchestration::EventKind::kRetryScheduled, "retry {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.agent, e.next_attempt, e.delay.count_ns(),
         static_cast<int>(e.after_error), static_cast<int>(e.after));
  }
  void on_hedge_launched(const orchestration::HedgeLaunched& e) override {
    line(orchestration::EventKind::kHedgeLaunched, "hedge {} {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.agent, e.attempt);
  }
  void on_breaker_changed(const orchestration::BreakerChanged& e) override {
    line(orchestration::EventKind::kBreakerChanged, "breaker {} {} {} {}", e.at.count_ns(), e.agent,
         static_cast<int>(e.from), static_cast<int>(e.to));
  }
  void on_context_fitted(const orchestration::ContextFitted& e) override {
    line(orchestration::EventKind::kContextFitted, "fit {} {} {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.agent, static_cast<int>(e.policy), e.tokens_before,
         e.tokens_after, e.retained, e.segments_dropped, e.summarized);
  }
  void on_budget_exhausted(const orchestration::BudgetExhausted& e) override {
    line(orchestration::EventKind::kBudgetExhausted, "budget {} {} {} {}", e.at.count_ns(),
         e.request, e.node, static_cast<int>(e.kind));
  }
  void on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) override {
    line(orchestration::EventKind::kSubWorkflowStarted, "sub {} {} {} {} {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.sub_workflow, e.attempt, static_cast<int>(e.kind),
         e.invocation, e.parent, e.flow, e.root_flow, e.input_tokens, e.deadline.count_ns());
  }
  void on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) override {
    line(orchestration::EventKind::kSubWorkflowEnded,
         "sub_end {} {} {} {} {} {} {} {} {} {} '{}' {} {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.sub_workflow, e.attempt, static_cast<int>(e.kind), e.invocation,
         e.parent, static_cast<int>(e.end), static_cast<int>(e.error), e.outcome,
         e.started.count_ns(), e.duration.count_ns(), e.calls, e.input_tokens, e.output_tokens,
         e.cost_usd, e.quality, e.confidence, e.silent);
  }

  const std::string& text() const { return text_; }
  std::size_t count(orchestration::EventKind kind) const {
    return counts_[static_cast<std::size_t>(kind)];
  }

 private:
  template <class... Args>
  void line(orchestration::EventKind kind, fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(text_), format, std::forward<Args>(args)...);
    text_ += '\n';
    ++counts_[static_cast<std::size_t>(kind)];
  }

  std::string text_;
  std::array<std::size_t, orchestration::kEventKinds> counts_{};
};

}  // namespace orchsim::eval::test_support
